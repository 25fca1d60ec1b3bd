// SPDX-License-Identifier: Apache-2.0
import CLinux
import Testing

@testable import RelayHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// The loop finds connections through `ConnectionTable`; the kernel reuses a closed descriptor at the
/// next accept, so a lookup by an older name must miss rather than reach the newcomer.
@Suite struct ConnectionTableTests {
    static func connection(fd: Int32, id: UInt64) -> Connection {
        Connection(fd: fd, info: ConnectionInfo(id: id, peerHost: "192.0.2.1", peerPort: 1), limits: .init(), now: 0)
    }

    /// A connected pair of stream sockets (the first stands for an accepted connection).
    static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        return (fds[0], fds[1])
    }

    @Test(
        "an epoll event returned before its connection closed does not reach the connection that reused the descriptor"
    )
    func staleEpollEvent() throws {
        let epfd = try Sys.epollCreate()
        defer { Sys.close(epfd) }
        var table = ConnectionTable()
        let (a, aPeer) = try Self.socketPair()
        let old = Self.connection(fd: a, id: 7)
        table.insert(old)
        #expect(Sys.epollAdd(epfd, a, [.input, .edgeTriggered], tag: old.tag))
        #expect(Glibc.write(aPeer, "x", 1) == 1)

        // The pass's events are taken; then the connection closes and an accept gets its descriptor.
        var events = [epoll_event](repeating: epoll_event(), count: 4)
        let n = events.withUnsafeMutableBufferPointer { Sys.epollWait(epfd, $0.baseAddress!, 4, 1_000) }
        try #require(n == 1)
        let staleData = events[0].data.u64
        #expect(table.connection(forEpollData: staleData) === old)
        table.remove(old)
        Sys.close(aPeer)
        // A new connection on the same descriptor number. (`dup2` closes the old socket and reuses its
        // number at once, as the next accept would, without racing other tests for the lowest free one.)
        let (other, bPeer) = try Self.socketPair()
        try #require(dup2(other, a) == a)
        Sys.close(other)
        let b = a
        defer {
            Sys.close(b)
            Sys.close(bPeer)
        }
        let newcomer = Self.connection(fd: b, id: 8)
        table.insert(newcomer)
        #expect(Sys.epollAdd(epfd, b, [.input, .edgeTriggered], tag: newcomer.tag))

        #expect(table.connection(forEpollData: staleData) == nil)
        #expect(table.connection(forEpollData: ConnectionTable.epollData(fd: b, tag: newcomer.tag)) === newcomer)
        #expect(ConnectionTable.descriptor(ofEpollData: staleData) == b)
    }

    @Test("an answer for a closed connection does not reach the connection that reused the descriptor")
    func staleCompletion() {
        var table = ConnectionTable()
        let old = Self.connection(fd: 5, id: 1)
        table.insert(old)
        #expect(table.connection(fd: 5, id: 1) === old)
        table.remove(old)
        #expect(table.connection(fd: 5, id: 1) == nil)
        let newcomer = Self.connection(fd: 5, id: 2)
        table.insert(newcomer)
        #expect(table.connection(fd: 5, id: 1) == nil)
        #expect(table.connection(fd: 5, id: 2) === newcomer)
    }

    @Test("removing a connection that was already replaced keeps its replacement")
    func removeKeepsReplacement() {
        var table = ConnectionTable()
        let old = Self.connection(fd: 9, id: 1)
        let newcomer = Self.connection(fd: 9, id: 2)
        table.insert(old)
        table.insert(newcomer)
        table.remove(old)
        #expect(table.connection(fd: 9, id: 2) === newcomer)
        #expect(table.all.map(\.info.id) == [2])
    }

    @Test("the table grows for large descriptors and misses unknown or negative ones")
    func growsAndMisses() {
        var table = ConnectionTable()
        let high = Self.connection(fd: 5_000, id: 3)
        let low = Self.connection(fd: 3, id: 4)
        table.insert(high)
        table.insert(low)
        #expect(table.connection(fd: 5_000, id: 3) === high)
        #expect(table.all.map(\.info.id) == [4, 3])
        #expect(table.connection(fd: 4_999, id: 3) == nil)
        #expect(table.connection(fd: 90_000, id: 3) == nil)
        #expect(table.connection(fd: -1, id: 3) == nil)
        #expect(table.connection(forEpollData: ConnectionTable.epollData(fd: -1, tag: 0)) == nil)
    }

    @Test("the tag is the low 32 bits of the connection id, packed above the descriptor")
    func epollDataLayout() {
        let c = Self.connection(fd: 12, id: 0x1_0000_0005)
        #expect(c.tag == 5)
        let data = ConnectionTable.epollData(fd: 12, tag: c.tag)
        #expect(data == 0x5_0000_000C)
        #expect(ConnectionTable.descriptor(ofEpollData: data) == 12)
    }
}
