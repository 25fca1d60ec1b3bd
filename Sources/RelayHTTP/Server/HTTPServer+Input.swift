// SPDX-License-Identifier: Apache-2.0

/// Reading, parsing and dispatching requests (loop thread only).
extension HTTPServer {
    func readFrom(_ c: Connection) {
        if c.abandonedInput || c.lingering {
            discardInput(c)
            return
        }
        if c.readPaused || c.closeAfterFlush { return }
        while !c.closed {
            let n = Sys.read(c.fd, into: scratch)
            if n > 0 {
                c.lastActivityMs = nowMs
                if c.input.isEmpty && c.slots.isEmpty && !c.parser.isReadingBody {
                    c.phaseStartMs = nowMs  // a new request starts with this byte
                }
                c.received &+= n
                c.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                process(c)
                if c.readPaused || c.closeAfterFlush { return }
                // Edge-triggered: read until EAGAIN, except that a short read has already emptied the
                // socket (new data brings a new edge), which saves a syscall per request. A pending
                // FIN brings no new edge, so after EPOLLRDHUP reading goes on until EOF.
                if n < scratch.count && !c.sawReadHangup { return }
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
            if consumedTotal >= c.input.count {  // (an error may already have emptied the input)
                if !c.input.isEmpty { c.input.removeAll(keepingCapacity: c.input.capacity <= 16 * 1024) }
            } else if consumedTotal > 0 {
                c.input.removeFirst(consumedTotal)
            }
        }
        while !c.closed && !c.closeAfterFlush {
            if c.slots.count >= configuration.maxPipelinedRequests
                || c.pendingOutput > configuration.maxPendingOutputBytes
            {
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
                consumedTotal = c.input.count
                rejectProtocolError(c, error)
                return
            }
            switch result {
            case .needMore:
                if !wasReadingBody && c.parser.isReadingBody {
                    startBody(c, unparsed: c.input.count - consumedTotal - c.parser.pos)
                }
                return
            case .request(let request, let consumed):
                consumedTotal += consumed
                c.phaseStartMs = nowMs
                dispatch(request, on: c)
            }
        }
    }

    /// The head is complete and the body is due: start the body-rate clock, counting body bytes
    /// that came with the head as progress, and invite an `Expect: 100-continue` client to send.
    func startBody(_ c: Connection, unparsed: Int) {
        c.bodyStartMs = nowMs
        c.bodyBaseline = c.received - max(unparsed, 0)
        sendContinueIfExpected(c)
    }

    /// Writes `100 Continue` once for a request that asked for it, but only when no earlier response
    /// is still owed (an interim response must not overtake them).
    func sendContinueIfExpected(_ c: Connection) {
        guard !c.continueSent, c.slots.isEmpty, c.parser.expectsContinue, !c.closeAfterFlush else { return }
        c.continueSent = true
        if c.pendingOutput == 0 { c.lastWriteMs = nowMs }
        c.output.append(contentsOf: HTTPResponse.continueInterim)
        scheduleFlush(c)
    }

    func dispatch(_ request: HTTPRequest, on c: Connection) {
        counters.requests.add(1, ordering: .relaxed)
        let sequence = c.nextSequence
        c.nextSequence &+= 1
        c.continueSent = false
        // The slot keeps the client's own intent (a client that said close sends nothing more: see
        // `clientClosing`); a drain closes the connection after its last answer instead.
        c.slots.append(
            .init(
                sequence: sequence, response: nil, keepAlive: request.keepAlive, headOnly: request.method == .head,
                http10: request.version == .http1_0))
        if !request.keepAlive || draining { c.closeAfterFlush = true }
        let writer = ResponseWriter(server: self, fd: c.fd, connectionID: c.info.id, sequence: sequence)
        responder.respond(to: request, connection: c.info, writer: writer)
    }

    /// A framing error or timeout: answer it after what is already in flight, then close. Nothing
    /// after it is parsed; what the client still sends is read and dropped.
    func rejectProtocolError(_ c: Connection, _ error: HTTPParseError) {
        let body = Array("{\"error\":\"\(error.reason.jsonEscapedForHTTP)\"}".utf8)
        let response = HTTPResponse(
            status: error.status, contentType: "application/json", body: body, close: true)
        let sequence = c.nextSequence
        c.nextSequence &+= 1
        c.slots.append(.init(sequence: sequence, response: response, keepAlive: false, headOnly: false, http10: false))
        c.closeAfterFlush = true
        c.abandonedInput = true
        c.input = []
        writeReadySlots(c)
        scheduleFlush(c)
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
