// SPDX-License-Identifier: Apache-2.0

/// The open connections by descriptor (loop thread only).
///
/// The kernel hands a closed descriptor to the next `accept`, so a lookup made with an older name —
/// an epoll event returned before a close earlier in the same pass, an answer from another thread —
/// must also say which connection it meant: the event carries the connection's 32-bit tag next to
/// the descriptor, the answer its full id. A stale name finds nothing rather than the newcomer.
struct ConnectionTable {
    private var slots: [Connection?] = []

    /// The epoll data word for a connection: the descriptor in the low 32 bits, the tag in the high.
    static func epollData(fd: Int32, tag: UInt32) -> UInt64 {
        UInt64(UInt32(bitPattern: fd)) | UInt64(tag) << 32
    }

    /// The descriptor an epoll data word names (the listener and the eventfd carry tag 0).
    static func descriptor(ofEpollData data: UInt64) -> Int32 {
        Int32(truncatingIfNeeded: data)
    }

    mutating func insert(_ c: Connection) {
        let fd = Int(c.fd)
        if fd >= slots.count {
            slots.append(contentsOf: repeatElement(nil, count: max(fd + 1 - slots.count, 1024)))
        }
        slots[fd] = c
    }

    /// Forgets `c`; a newer connection on the same descriptor stays.
    mutating func remove(_ c: Connection) {
        let fd = Int(c.fd)
        if fd < slots.count, slots[fd] === c { slots[fd] = nil }
    }

    /// The connection an epoll event was registered for, if it is still open.
    func connection(forEpollData data: UInt64) -> Connection? {
        guard let c = open(fd: Self.descriptor(ofEpollData: data)) else { return nil }
        return c.tag == UInt32(truncatingIfNeeded: data >> 32) ? c : nil
    }

    /// The connection with this descriptor and id, if it is still open.
    func connection(fd: Int32, id: UInt64) -> Connection? {
        guard let c = open(fd: fd) else { return nil }
        return c.info.id == id ? c : nil
    }

    /// Every open connection, in descriptor order.
    var all: [Connection] { slots.compactMap { $0 } }

    private func open(fd: Int32) -> Connection? {
        let i = Int(fd)
        return i >= 0 && i < slots.count ? slots[i] : nil
    }
}
