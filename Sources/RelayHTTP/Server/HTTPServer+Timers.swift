// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
    import Glibc
#endif

/// Deadlines, draining and the `Date` header (loop thread only).
extension HTTPServer {
    /// Applies every per-connection deadline. Each connection is in one phase at a time, and only the
    /// deadline of that phase applies.
    func sweepTimeouts(now: Int64) {
        for c in connections.all where !c.closed {
            if c.lingering {
                if now >= c.lingerDeadlineMs { closeConnection(c) }
            } else if c.pendingOutput > 0 {
                // The client does not take its responses (it may still be sending, unread).
                if now - c.lastWriteMs > configuration.writeTimeoutMs {
                    counters.timeouts.add(1, ordering: .relaxed)
                    closeConnection(c, reset: true)
                }
            } else if !c.slots.isEmpty || c.abandonedInput {
                continue  // waiting on the responder: not the client's fault
            } else if c.parser.isReadingBody {
                let elapsed = now - c.bodyStartMs
                if elapsed > configuration.bodyGraceMs {
                    let need = Int64(configuration.minBodyBytesPerSecond) * elapsed / 1000
                    if Int64(c.received - c.bodyBaseline) < need { timeOut(c) }
                }
            } else if !c.input.isEmpty || c.nextSequence == 0 {
                if now - c.phaseStartMs > configuration.headerTimeoutMs { timeOut(c) }
            } else if draining || now - c.lastActivityMs > configuration.idleTimeoutMs {
                closeConnection(c)
            }
        }
    }

    /// The client was too slow: `408` if it started a request, a silent close if it never sent a byte.
    func timeOut(_ c: Connection) {
        counters.timeouts.add(1, ordering: .relaxed)
        if c.nextSequence == 0 && c.input.isEmpty {
            closeConnection(c)
            return
        }
        rejectProtocolError(c, HTTPParseError(status: 408, reason: "request not received in time"))
        flushQueued()
    }

    /// Stops accepting; idle connections close now, busy ones after their last response (each sent
    /// with `Connection: close`); a request already arriving is still read and answered.
    func beginDrain(graceMs: Int64, now: Int64) {
        draining = true
        drainDeadlineMs = now + graceMs
        if acceptPausedUntilMs == 0 { Sys.epollDelete(epfd, listenFD) }
        Sys.close(listenFD)
        listenFD = -1
        for c in connections.all where !c.closed && !c.lingering {
            // A request may already wait in the socket buffer, its edge-triggered event not handled yet:
            // read it first, so what a client has sent is answered (with `Connection: close`), not cut off.
            if c.isIdle { readFrom(c) }
            if c.closed { continue }
            if c.isIdle {
                closeConnection(c)
            } else if c.input.isEmpty {
                c.closeAfterFlush = true
                finishIfDone(c)
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
