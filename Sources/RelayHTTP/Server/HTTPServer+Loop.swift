// SPDX-License-Identifier: Apache-2.0
internal import CLinux

#if canImport(Glibc)
    import Glibc
#endif

extension HTTPServer {
    func runLoop() {
        let maxEvents: Int32 = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(maxEvents))
        defer { events.deallocate() }
        while true {
            let n = Sys.epollWait(epfd, events, maxEvents, 250)
            for i in 0..<Int(n) {
                let ev = events[i]
                let fd = ev.data.fd
                let bits = EpollEvents(rawValue: ev.events)
                if fd == listenFD {
                    acceptAll()
                } else if fd == wakeFD {
                    Sys.drainEventFD(wakeFD)
                    wakePending.store(false, ordering: .releasing)
                    drainInbox()
                } else if fd >= 0, Int(fd) < connections.count, let c = connections[Int(fd)] {
                    if bits.contains(.error) || bits.contains(.hangup) {
                        closeConnection(c)
                        continue
                    }
                    if bits.contains(.output) { flush(c) }
                    if !c.closed, bits.contains(.input) || bits.contains(.readHangup) { readFrom(c) }
                }
            }
            flushQueued()
            let now = Sys.nowMs()
            if now - lastSweepMs >= 250 {
                lastSweepMs = now
                refreshDate(force: false)
                sweepTimeouts(now: now)
                if acceptPausedUntilMs != 0, now >= acceptPausedUntilMs {
                    acceptPausedUntilMs = 0
                    acceptAll()
                }
            }
            if !draining {
                let grace = stopRequested.load(ordering: .acquiring)
                if grace > 0 { beginDrain(graceMs: grace, now: now) }
            }
            if draining {
                drainInbox()
                flushQueued()
                if openCount == 0 || now >= drainDeadlineMs { break }
            }
        }
        for case let c? in connections { closeConnection(c) }
    }

    // MARK: accept

    func acceptAll() {
        guard !draining, acceptPausedUntilMs == 0 else { return }
        while true {
            guard let result = Sys.accept(listenFD) else {
                // EMFILE/ENFILE/ENOBUFS: stop accepting for a moment instead of spinning.
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK { return }
                if e == ECONNABORTED || e == EINTR || e == EPROTO { continue }
                acceptPausedUntilMs = Sys.nowMs() + 100
                return
            }
            guard let accepted = result else { return }
            if openCount >= configuration.maxConnections {
                counters.refused.add(1, ordering: .relaxed)
                Sys.abort(accepted.fd)
                continue
            }
            let now = Sys.nowMs()
            let info = ConnectionInfo(id: nextConnectionID, peerHost: accepted.host, peerPort: accepted.port)
            nextConnectionID &+= 1
            let c = Connection(fd: accepted.fd, info: info, limits: configuration.limits, now: now)
            let fd = Int(accepted.fd)
            if fd >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: max(fd + 1 - connections.count, 1024)))
            }
            connections[fd] = c
            openCount += 1
            counters.open.store(openCount, ordering: .relaxed)
            counters.accepted.add(1, ordering: .relaxed)
            if !Sys.epollAdd(epfd, accepted.fd, [.input, .output, .readHangup, .edgeTriggered]) {
                closeConnection(c)
            }
        }
    }

    // MARK: read and parse

    func readFrom(_ c: Connection) {
        if c.readPaused || c.closeAfterFlush { return }
        while !c.closed {
            let n = Sys.read(c.fd, into: scratch)
            if n > 0 {
                c.lastActivityMs = Sys.nowMs()
                if c.input.isEmpty && c.slots.isEmpty && !c.parser.isReadingBody {
                    c.phaseStartMs = c.lastActivityMs  // a new request starts with this byte
                }
                c.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                process(c)
                if c.readPaused || c.closeAfterFlush { return }
                // Edge-triggered: keep reading until EAGAIN.
            } else if n == 0 {
                c.peerClosed = true
                // Answer what was already received (a client may half-close after sending).
                c.closeAfterFlush = true
                finishIfDone(c)
                return
            } else if n == -1 {
                return
            } else {
                closeConnection(c)
                return
            }
        }
    }

    /// Parses and dispatches as many complete requests as `c.input` holds.
    func process(_ c: Connection) {
        var consumedTotal = 0
        defer {
            if consumedTotal > 0 {
                if consumedTotal == c.input.count { c.input.removeAll(keepingCapacity: c.input.capacity <= 16 * 1024) } else {
                    c.input.removeFirst(consumedTotal)
                }
            }
        }
        while !c.closed && !c.closeAfterFlush {
            if c.slots.count >= configuration.maxPipelinedRequests || c.pendingOutput > configuration.maxPendingOutputBytes {
                c.readPaused = true
                return
            }
            if consumedTotal == c.input.count { return }
            let wasReadingBody = c.parser.isReadingBody
            let result: HTTPParseResult
            do {
                result = try c.parser.parse(c.input, from: consumedTotal)
            } catch {
                counters.protocolErrors.add(1, ordering: .relaxed)
                rejectProtocolError(c, error)
                consumedTotal = c.input.count
                return
            }
            switch result {
            case .needMore:
                if !wasReadingBody && c.parser.isReadingBody {
                    c.bodyStartMs = Sys.nowMs()
                }
                return
            case .request(let request, let consumed):
                consumedTotal += consumed
                dispatch(request, on: c)
                c.phaseStartMs = Sys.nowMs()
            }
        }
    }

    func dispatch(_ request: HTTPRequest, on c: Connection) {
        counters.requests.add(1, ordering: .relaxed)
        let sequence = c.nextSequence
        c.nextSequence &+= 1
        let keepAlive = request.keepAlive && !draining
        c.slots.append(.init(sequence: sequence, response: nil, keepAlive: keepAlive, headOnly: request.method == .head))
        if !keepAlive { c.closeAfterFlush = true }
        let writer = ResponseWriter(server: self, fd: c.fd, connectionID: c.info.id, sequence: sequence)
        responder.respond(to: request, connection: c.info, writer: writer)
    }

    /// A framing error: answer it after what is already in flight, then close (nothing after it is read).
    func rejectProtocolError(_ c: Connection, _ error: HTTPParseError) {
        let body = Array("{\"error\":\"\(error.reason.jsonEscapedForHTTP)\"}".utf8)
        let response = HTTPResponse(
            status: error.status, headers: [("Content-Type", "application/json")], body: body, close: true)
        let sequence = c.nextSequence
        c.nextSequence &+= 1
        c.slots.append(.init(sequence: sequence, response: response, keepAlive: false, headOnly: false))
        c.closeAfterFlush = true
        writeReadySlots(c)
        scheduleFlush(c)
    }

    // MARK: completing responses

    func drainInbox() {
        let items = inbox.withLock { items -> [Completion] in
            let taken = items
            items.removeAll(keepingCapacity: true)
            return taken
        }
        for item in items { deliver(item) }
        flushQueued()
    }

    func deliver(_ item: Completion) {
        let fd = Int(item.fd)
        guard fd >= 0, fd < connections.count, let c = connections[fd], c.info.id == item.connectionID, !c.closed else {
            return  // the client went away; the work was done, the answer has nowhere to go
        }
        guard let index = c.slots.firstIndex(where: { $0.sequence == item.sequence }) else { return }
        c.slots[index].response = item.response
        if index == 0 {
            writeReadySlots(c)
            scheduleFlush(c)
        }
    }

    /// Serialises every ready response at the head of the slot queue (preserving request order).
    func writeReadySlots(_ c: Connection) {
        while let first = c.slots.first, let response = first.response {
            c.slots.removeFirst()
            if response.abort {
                c.slots.removeAll()
                closeConnection(c, reset: true)
                return
            }
            // The last answer before a planned close (a graceful stop, a half-closed peer) says so, or
            // the client would send its next request into a connection about to close.
            let closing = c.closeAfterFlush && c.slots.isEmpty
            let keepAlive = first.keepAlive && !response.close && !closing
            response.write(into: &c.output, keepAlive: keepAlive, headOnly: first.headOnly, date: dateHeader)
            if !keepAlive {
                c.closeAfterFlush = true
                c.slots.removeAll()
                break
            }
        }
    }

    func scheduleFlush(_ c: Connection) {
        if !c.queuedForFlush {
            c.queuedForFlush = true
            flushQueue.append(c)
        }
    }

    func flushQueued() {
        while !flushQueue.isEmpty {
            let batch = flushQueue
            flushQueue.removeAll(keepingCapacity: true)
            for c in batch {
                c.queuedForFlush = false
                if !c.closed { flush(c) }
            }
        }
    }

    func flush(_ c: Connection) {
        while c.pendingOutput > 0 {
            let n = c.output.withUnsafeBytes { Sys.send(c.fd, UnsafeRawBufferPointer(rebasing: $0[c.outputOffset...])) }
            if n > 0 {
                c.outputOffset += n
            } else if n == -1 {
                return  // EPOLLOUT (edge-triggered) will call flush again
            } else {
                closeConnection(c)
                return
            }
        }
        c.output.removeAll(keepingCapacity: c.output.capacity <= 64 * 1024)
        c.outputOffset = 0
        c.lastActivityMs = Sys.nowMs()
        if finishIfDone(c) { return }
        if c.readPaused, c.slots.count < configuration.maxPipelinedRequests {
            c.readPaused = false
            process(c)  // requests already buffered
            if !c.closed && !c.readPaused { readFrom(c) }  // edge-triggered: data may be waiting
        }
    }

    /// Closes a connection that has nothing left to answer and will read no more.
    @discardableResult
    func finishIfDone(_ c: Connection) -> Bool {
        guard c.closeAfterFlush, c.slots.isEmpty, c.pendingOutput == 0, !c.closed else { return false }
        closeConnection(c)
        return true
    }

    func closeConnection(_ c: Connection, reset: Bool = false) {
        guard !c.closed else { return }
        c.closed = true
        Sys.epollDelete(epfd, c.fd)
        if reset { Sys.abort(c.fd) } else { Sys.close(c.fd) }
        connections[Int(c.fd)] = nil
        openCount -= 1
        counters.open.store(openCount, ordering: .relaxed)
    }

    // MARK: timers

    func sweepTimeouts(now: Int64) {
        for case let c? in connections where !c.closed {
            if !c.slots.isEmpty || c.pendingOutput > 0 { continue }  // waiting on us, not on the client
            if c.parser.isReadingBody {
                let elapsed = now - c.bodyStartMs
                if elapsed > configuration.bodyGraceMs {
                    let need = Int64(configuration.minBodyBytesPerSecond) * elapsed / 1000
                    if Int64(c.input.count) < need { timeOut(c) }
                }
            } else if !c.input.isEmpty || c.nextSequence == 0 {
                if now - c.phaseStartMs > configuration.headerTimeoutMs { timeOut(c) }
            } else if now - c.lastActivityMs > configuration.idleTimeoutMs || draining {
                closeConnection(c)
            }
        }
    }

    func timeOut(_ c: Connection) {
        counters.timeouts.add(1, ordering: .relaxed)
        if c.nextSequence == 0 && c.input.isEmpty {
            closeConnection(c)  // never sent a byte: nothing to answer
            return
        }
        rejectProtocolError(c, HTTPParseError(status: 408, reason: "request not received in time"))
        flushQueued()
    }

    func beginDrain(graceMs: Int64, now: Int64) {
        draining = true
        drainDeadlineMs = now + graceMs
        Sys.epollDelete(epfd, listenFD)
        Sys.close(listenFD)
        for case let c? in connections where !c.closed {
            // A request may already wait in the socket buffer, its edge-triggered event not handled yet:
            // read it first, so what a client has sent is answered (with `Connection: close`), not cut off.
            if c.isIdle && !c.parser.isReadingBody { readFrom(c) }
            if c.closed { continue }
            if c.isIdle && !c.parser.isReadingBody {
                closeConnection(c)
            } else {
                c.closeAfterFlush = c.closeAfterFlush || c.input.isEmpty
            }
        }
    }

    // MARK: Date header

    func refreshDate(force: Bool) {
        var t = time(nil)
        let second = Int(t)
        guard force || second != dateSecond else { return }
        dateSecond = second
        var tmv = tm()
        gmtime_r(&t, &tmv)
        dateHeader = Array("Date: \(HTTPDate.format(tmv))\r\n".utf8)
    }
}

enum HTTPDate {
    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
    static func format(_ t: tm) -> String {
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) "
            + "\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }
}

extension String {
    /// Minimal JSON string escaping for error bodies built in this module.
    var jsonEscapedForHTTP: String {
        var out = ""
        for ch in unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where ch.value < 0x20: out += " "
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
