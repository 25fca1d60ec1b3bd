// SPDX-License-Identifier: Apache-2.0

/// Completing responses, writing them in order, and closing (loop thread only).
extension HTTPServer {
    func drainInbox() {
        // Swap buffers instead of copying, so neither side allocates in the steady state.
        inbox.withLock { swap(&$0, &inboxBatch) }
        for item in inboxBatch { deliver(item) }
        inboxBatch.removeAll(keepingCapacity: true)
        flushQueued()
    }

    func deliver(_ item: Completion) {
        guard let c = connections.connection(fd: item.fd, id: item.connectionID), !c.closed else {
            return  // the client went away; the work was done, the answer has nowhere to go
        }
        // A slot answered twice keeps its first answer ("exactly once" is the caller's promise).
        guard let index = c.slots.firstIndex(where: { $0.sequence == item.sequence }), c.slots[index].response == nil
        else {
            return
        }
        c.slots[index].response = item.response
        if index == 0 {
            writeReadySlots(c)
            scheduleFlush(c)
        }
    }

    /// Responses up to this size fit one TCP segment on any path (a 1,280-byte IPv6 minimum MTU).
    static let singleSegmentBytes = 1_200

    /// Serialises every ready response at the head of the slot queue (preserving request order).
    func writeReadySlots(_ c: Connection) {
        while let first = c.slots.first, let response = first.response {
            c.slots.removeFirst()
            if response.abort {
                c.slots.removeAll()
                closeConnection(c, reset: true)
                return
            }
            // While draining, a connection closes after the last answer it is owed (pipelined requests
            // already read are answered first: their events may be durable, and an unanswered client
            // would resend them).
            let keepAlive = first.keepAlive && !response.close && !(draining && c.slots.isEmpty)
            if c.pendingOutput == 0 { c.lastWriteMs = nowMs }  // the write-timeout clock starts now
            let before = c.output.count
            response.write(
                into: &c.output, keepAlive: keepAlive, announceKeepAlive: first.http10, headOnly: first.headOnly,
                date: dateHeader)
            // Nagle could hold a later response (or the tail of a long one) until an ACK arrives.
            if !c.noDelay, keepAlive || c.output.count - before > Self.singleSegmentBytes {
                Sys.setNoDelay(c.fd)
                c.noDelay = true
            }
            if !first.keepAlive { c.clientClosing = true }
            if !keepAlive {
                c.closeAfterFlush = true
                c.slots.removeAll()
                return
            }
        }
        if c.slots.isEmpty { sendContinueIfExpected(c) }
    }

    func scheduleFlush(_ c: Connection) {
        if !c.queuedForFlush {
            c.queuedForFlush = true
            flushQueue.append(c)
        }
    }

    func flushQueued() {
        while !flushQueue.isEmpty {
            swap(&flushQueue, &flushBatch)  // flushing may queue more; they go to the emptied array
            for c in flushBatch {
                c.queuedForFlush = false
                if !c.closed { flush(c) }
            }
            flushBatch.removeAll(keepingCapacity: true)
        }
    }

    func flush(_ c: Connection) {
        if c.lingering { return }
        while c.pendingOutput > 0 {
            let pending = c.pendingOutput
            let n = c.output.withUnsafeBytes { Sys.send(c.fd, UnsafeRawBufferPointer(rebasing: $0[c.outputOffset...])) }
            if n > 0 {
                c.outputOffset += n
                c.lastWriteMs = nowMs
                // A short write means the socket buffer is full: EPOLLOUT (edge-triggered) resumes.
                if n < pending { return }
            } else if n == -1 {
                return
            } else {
                closeConnection(c)
                return
            }
        }
        if c.output.capacity > 64 * 1024 { c.output = [] } else { c.output.removeAll(keepingCapacity: true) }
        c.outputOffset = 0
        c.lastActivityMs = nowMs
        if finishIfDone(c) { return }
        if c.readPaused, c.slots.count < configuration.maxPipelinedRequests {
            c.readPaused = false
            process(c)  // requests already buffered
            if !c.closed && !c.readPaused && !c.closeAfterFlush { readFrom(c) }  // edge-triggered: data may wait
        }
    }

    /// Closes a connection that has nothing left to answer and will read no more.
    @discardableResult
    func finishIfDone(_ c: Connection) -> Bool {
        guard c.closeAfterFlush, c.slots.isEmpty, c.pendingOutput == 0, !c.closed, !c.lingering else { return false }
        if c.peerClosed {
            closeConnection(c)
            return true
        }
        // close(2) with unread bytes in the socket makes the kernel send an RST, which can destroy the
        // response still on its way. So when the client may still be sending, shut our side down
        // (it sees EOF after the response) and read until its FIN, within bounds.
        if !c.abandonedInput && c.input.isEmpty {
            if c.clientClosing {
                closeConnection(c)  // the client said it sends nothing more: no stray bytes to wait for
                return true
            }
            discardInput(c)  // usually EAGAIN at once: nothing was sent after the last request
            if c.closed { return true }
            if c.discardedBytes == 0 {
                closeConnection(c)
                return true
            }
        }
        Sys.shutdownWrite(c.fd)
        c.lingering = true
        c.lingerDeadlineMs = nowMs + Self.lingerMs
        lingeringCount += 1
        c.input = []
        c.output = []
        discardInput(c)
        return true
    }

    /// Reads and drops whatever the client sends after we stopped listening. EOF ends a lingering
    /// connection; before that (a response still being written) it only means the peer half-closed.
    func discardInput(_ c: Connection) {
        while !c.closed {
            let n = Sys.read(c.fd, into: scratch)
            if n > 0 {
                c.discardedBytes += n  // bounded in time: by the linger deadline or the write timeout
            } else if n == 0 {
                c.peerClosed = true
                if c.lingering { closeConnection(c) } else { finishIfDone(c) }
                return
            } else if n == -1 {
                return
            } else {
                closeConnection(c)
                return
            }
        }
    }

    func closeConnection(_ c: Connection, reset: Bool = false) {
        guard !c.closed else { return }
        c.closed = true
        if c.lingering { lingeringCount -= 1 }
        // No EPOLL_CTL_DEL: closing the only descriptor of the socket removes it from the epoll set
        // (one syscall less per connection). Events already returned for this pass are not withdrawn
        // either way (DEL never did that).
        if reset { Sys.abort(c.fd) } else { Sys.close(c.fd) }
        connections.remove(c)
        openCount -= 1
        counters.open.store(openCount, ordering: .relaxed)
    }
}
