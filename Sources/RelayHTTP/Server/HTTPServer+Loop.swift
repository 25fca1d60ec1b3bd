// SPDX-License-Identifier: Apache-2.0
internal import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// The event loop and accepting. Reading is in `HTTPServer+Input`, writing in `HTTPServer+Output`,
/// deadlines and draining in `HTTPServer+Timers`.
extension HTTPServer {
    static let sweepIntervalMs: Int64 = 250

    func runLoop() {
        let maxEvents: Int32 = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(maxEvents))
        defer { events.deallocate() }
        while true {
            let n = Sys.epollWait(epfd, events, maxEvents, waitTimeoutMs())
            nowMs = Sys.nowMs()
            for i in 0..<Int(n) {
                if i > 0 { nowMs = Sys.nowMs() }  // a vDSO read; keeps write and activity stamps honest
                let ev = events[i]
                let fd = ConnectionTable.descriptor(ofEpollData: ev.data.u64)
                let bits = EpollEvents(rawValue: ev.events)
                if fd == wakeFD {
                    Sys.drainEventFD(wakeFD)
                    takeWake()
                } else if fd == listenFD {
                    acceptAll()
                } else if let c = connections.connection(forEpollData: ev.data.u64) {
                    // (An event of a connection closed earlier in this pass, whose descriptor an accept
                    // has reused since, carries the old tag and finds nothing.)
                    handle(bits, on: c)
                    // Answers finished meanwhile (a group commit's) go out now rather than after the rest
                    // of a long pass: each of those clients sends its next request sooner. +4-6 % at 64
                    // connections, by `make bench`.
                    if wakePending.load(ordering: .relaxed) { takeWake() }
                }
            }
            flushQueued()  // may answer pipelined requests, so before `passDidEnd`
            responder.passDidEnd()
            if nowMs - lastSweepMs >= Self.sweepIntervalMs {
                lastSweepMs = nowMs
                refreshDate(force: false)
                sweepTimeouts(now: nowMs)
                if acceptPausedUntilMs != 0, nowMs >= acceptPausedUntilMs { resumeAccepting() }
            }
            if !draining {
                let grace = stopRequested.load(ordering: .acquiring)
                if grace > 0 { beginDrain(graceMs: grace, now: nowMs) }
            }
            if draining {
                drainInbox()
                // Requests read by `beginDrain` or resumed by the flush above deferred their work too.
                responder.passDidEnd()
                if openCount - lingeringCount == 0 || nowMs >= drainDeadlineMs { break }
            }
        }
        for c in connections.all { closeConnection(c) }
    }

    /// Delivers what other threads answered. The flag is cleared before the inbox is read, so an answer
    /// added after the read raises it (and signals the eventfd) again.
    func takeWake() {
        wakePending.store(false, ordering: .releasing)
        drainInbox()
    }

    /// Until the next sweep, or the drain deadline if that comes first.
    func waitTimeoutMs() -> Int32 {
        let now = Sys.nowMs()
        var ms = lastSweepMs + Self.sweepIntervalMs - now
        if draining { ms = min(ms, drainDeadlineMs - now) }
        return Int32(clamping: max(ms, 1))
    }

    func handle(_ bits: EpollEvents, on c: Connection) {
        if bits.contains(.error) || bits.contains(.hangup) {
            closeConnection(c)  // reset by the peer, or both directions are shut: nobody to answer
            return
        }
        if bits.contains(.readHangup) { c.sawReadHangup = true }
        if bits.contains(.output) { flush(c) }
        if !c.closed, bits.contains(.input) || bits.contains(.readHangup) { readFrom(c) }
    }

    // MARK: accept

    func acceptAll() {
        guard !draining, acceptPausedUntilMs == 0 else { return }
        while true {
            guard let accepted = Sys.accept(listenFD) else {
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK { return }
                if e == ECONNABORTED || e == EINTR || e == EPROTO { continue }
                // EMFILE/ENFILE/ENOBUFS: the listener is level-triggered, so stop watching it for a
                // moment instead of spinning on a backlog that cannot be accepted.
                pauseAccepting()
                return
            }
            if openCount >= configuration.maxConnections {
                counters.refused.add(1, ordering: .relaxed)
                Sys.abort(accepted.fd)  // an RST: the client learns at once, and we keep no state
                continue
            }
            if let size = configuration.socketSendBufferBytes { Sys.setSendBuffer(accepted.fd, bytes: size) }
            let info = ConnectionInfo(id: nextConnectionID, peerHost: accepted.host, peerPort: accepted.port)
            nextConnectionID &+= 1
            let c = Connection(fd: accepted.fd, info: info, limits: configuration.limits, now: nowMs)
            connections.insert(c)
            openCount += 1
            counters.open.store(openCount, ordering: .relaxed)
            counters.accepted.add(1, ordering: .relaxed)
            if !Sys.epollAdd(epfd, accepted.fd, [.input, .output, .readHangup, .edgeTriggered], tag: c.tag) {
                closeConnection(c)
            }
        }
    }

    func pauseAccepting() {
        acceptPausedUntilMs = nowMs + 100
        Sys.epollDelete(epfd, listenFD)
    }

    func resumeAccepting() {
        acceptPausedUntilMs = 0
        guard !draining, listenFD >= 0 else { return }
        _ = Sys.epollAdd(epfd, listenFD, [.input])
        acceptAll()
    }
}
