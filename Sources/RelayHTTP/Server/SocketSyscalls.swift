// SPDX-License-Identifier: Apache-2.0
internal import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// An error from a socket system call: which call failed and its errno.
public struct SocketError: Error, Sendable, CustomStringConvertible {
    /// The failing call, e.g. "bind".
    public let call: String
    /// errno right after the call.
    public let errno: Int32

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Thin, typed wrappers over the Linux socket and epoll calls the server uses. This is the only
/// file of RelayHTTP that talks to libc/CLinux directly.
enum Sys {
    static func lastError(_ call: String) -> SocketError { SocketError(call: call, errno: Glibc.errno) }

    /// Creates a non-blocking, close-on-exec listening socket bound to `host:port`.
    static func listen(host: String, port: Int, backlog: Int32) throws(SocketError) -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let hostArg: String? = (host.isEmpty || host == "*") ? nil : host
        let rc = getaddrinfo(hostArg, String(port), &hints, &result)
        guard rc == 0, let info = result else {
            throw SocketError(call: "getaddrinfo(\(host))", errno: rc == EAI_SYSTEM ? Glibc.errno : EINVAL)
        }
        defer { freeaddrinfo(result) }
        let fd = socket(
            info.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw lastError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if info.pointee.ai_family == AF_INET6 {
            var zero: Int32 = 0  // accept IPv4 too on "::"
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
        }
        if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            let e = lastError("bind \(host):\(port)")
            close(fd)
            throw e
        }
        if Glibc.listen(fd, backlog) != 0 {
            let e = lastError("listen")
            close(fd)
            throw e
        }
        return (fd, localPort(fd))
    }

    static func localPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard ok == 0 else { return 0 }
        return peerText(storage).port
    }

    /// accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC. Returns nil on failure, with `errno` telling why
    /// (EAGAIN when the backlog is empty).
    static func accept(_ listener: Int32) -> (fd: Int32, host: String, port: Int)? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pr_accept4(listener, $0, &len) }
        }
        if fd < 0 { return nil }
        let peer = peerText(storage)
        return (fd, peer.host, peer.port)
    }

    /// TCP_NODELAY: responses go out at once even while earlier segments are unacknowledged.
    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    static func peerText(_ storage: sockaddr_storage) -> (host: String, port: Int) {
        var s = storage
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(s.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &s) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &buf, socklen_t(buf.count))
                    return (
                        buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) },
                        Int(UInt16(bigEndian: sin.pointee.sin_port))
                    )
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &s) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var addr = sin6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &buf, socklen_t(buf.count))
                    var host = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                    if host.hasPrefix("::ffff:"), host.contains(".") { host.removeFirst(7) }  // v4-mapped
                    return (host, Int(UInt16(bigEndian: sin6.pointee.sin6_port)))
                }
            }
        default:
            return ("", 0)
        }
    }

    /// Reads into `buffer`; returns bytes read, 0 on EOF, -1 on EAGAIN, -2 on error.
    @inline(__always)
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            let e = Glibc.errno
            if e == EINTR { continue }
            return (e == EAGAIN || e == EWOULDBLOCK) ? -1 : -2
        }
    }

    /// send(2) with MSG_NOSIGNAL; returns bytes written, -1 on EAGAIN, -2 on error (EPIPE, ECONNRESET…).
    @inline(__always)
    static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
        while true {
            let n = Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return n }
            let e = Glibc.errno
            if e == EINTR { continue }
            return (e == EAGAIN || e == EWOULDBLOCK) ? -1 : -2
        }
    }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    static func setSendBuffer(_ fd: Int32, bytes: Int32) {
        var size = bytes
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Closes with an RST instead of a FIN (used when refusing over the connection cap).
    static func abort(_ fd: Int32) {
        var lin = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, socklen_t(MemoryLayout<linger>.size))
        _ = Glibc.close(fd)
    }

    static func shutdownWrite(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    // MARK: epoll / eventfd

    static func epollCreate() throws(SocketError) -> Int32 {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        if fd < 0 { throw lastError("epoll_create1") }
        return fd
    }

    static func eventFD() throws(SocketError) -> Int32 {
        let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        if fd < 0 { throw lastError("eventfd") }
        return fd
    }

    /// Watches `fd`; its events carry `fd` in the low 32 bits of their data and `tag` in the high ones.
    static func epollAdd(_ epfd: Int32, _ fd: Int32, _ events: EpollEvents, tag: UInt32 = 0) -> Bool {
        var ev = epoll_event()
        ev.events = events.rawValue
        ev.data.u64 = ConnectionTable.epollData(fd: fd, tag: tag)
        return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0
    }

    static func epollDelete(_ epfd: Int32, _ fd: Int32) {
        var ev = epoll_event()
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev)
    }

    static func epollWait(_ epfd: Int32, _ events: UnsafeMutablePointer<epoll_event>, _ max: Int32, _ timeoutMs: Int32)
        -> Int32
    {
        let n = epoll_wait(epfd, events, max, timeoutMs)
        return n < 0 ? 0 : n  // EINTR counts as "no events"
    }

    static func signalEventFD(_ fd: Int32) {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }

    static func drainEventFD(_ fd: Int32) {
        var value: UInt64 = 0
        _ = Glibc.read(fd, &value, 8)
    }

    /// Monotonic milliseconds.
    @inline(__always)
    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// epoll event bits as an OptionSet (never test bits by hand).
struct EpollEvents: OptionSet {
    let rawValue: UInt32
    static let input = EpollEvents(rawValue: EPOLLIN.rawValue)
    static let output = EpollEvents(rawValue: EPOLLOUT.rawValue)
    static let readHangup = EpollEvents(rawValue: EPOLLRDHUP.rawValue)
    static let hangup = EpollEvents(rawValue: EPOLLHUP.rawValue)
    static let error = EpollEvents(rawValue: EPOLLERR.rawValue)
    static let edgeTriggered = EpollEvents(rawValue: EPOLLET.rawValue)
}
