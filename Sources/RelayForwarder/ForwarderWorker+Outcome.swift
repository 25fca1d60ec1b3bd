// SPDX-License-Identifier: Apache-2.0
import RelayStore

extension ForwarderWorker {
    /// Acts on a finished request (worker thread): capi.md §10.3, reliability.md F1–F4.
    func handle(_ c: Completion) {
        guard var p = pixels[c.pixelID] else { return }
        defer { pixels[c.pixelID] = p }
        p.inFlight = false
        guard let batch = p.batch, p.chunks.first == c.chunk else { return }
        let now = WakeSignal.monotonicMs()
        let latency = now - c.startedMs
        let indices = c.chunk
        let status = try? c.result.get().status
        // Meta echoes a malformed token in its message: nothing it says is kept with the token in it.
        let outcome = GraphResponseClassifier.classify(c.result, batchSize: indices.count)
            .redacting(p.target?.accessToken?.value)
        switch outcome {
        case .delivered(let success):
            report(
                batch, indices, .delivered, error: nil, latencyMs: latency, fbtraceID: success.fbtraceID,
                messages: success.messages, status: status)
            chunkDone(&p, now: now)
            slowDownIfAsked(&p, c.result, now: now)
        case .mismatch(let expected, let received):
            // Meta took the request but counted differently. A resend would loop if it keeps doing
            // so; the difference is reported (and counted) instead.
            report(
                batch, indices, .delivered, error: nil, latencyMs: latency,
                messages: ["events_received \(received) ≠ \(expected) sent"], status: status)
            chunkDone(&p, now: now)
            slowDownIfAsked(&p, c.result, now: now)
        case .retry(let reason, let error, let hintMs):
            p.attempt += 1
            p.notBefore = now + backoffMs(attempt: p.attempt - 1, error: error, hintMs: hintMs)
            p.lastError = error?.summary ?? reason
            report(batch, indices, .retrying(p.lastError ?? reason), error: error, latencyMs: latency)
        case .invalidPayload(let error):
            guard indices.count == 1 else {
                // One bad event rejects the whole request: split it and send both halves, in order.
                let mid = indices.count / 2
                p.chunks.replaceSubrange(0..<1, with: [Array(indices[..<mid]), Array(indices[mid...])])
                return
            }
            let code = error.code.map { ", code \($0)" + (error.subcode.map { "/\($0)" } ?? "") } ?? ""
            let reason = "rejected by Meta (HTTP \(error.httpStatus)\(code))"
            if let failure = deadLetter(batch.events, indices, reason: reason, error: error) {
                // Never commit what could not be dead-lettered: the event stays queued, and is tried again.
                p.lastError = "could not write dead letters (events stay queued): \(failure)"
                p.notBefore = now + options.storeRetryMs
                return
            }
            report(batch, indices, .deadLettered(error.summary), error: error, latencyMs: latency)
            chunkDone(&p, now: now)
        case .pause(let reason, let error):
            p.attempt += 1
            p.pausedReason = "\(reason): \(error.summary)"
            // A reload that happened while this request was in flight already counts.
            p.pausedGeneration = p.sentGeneration
            p.notBefore = now + options.pauseRetryMs
            p.lastError = error.summary
            report(batch, indices, .paused(p.pausedReason ?? reason), error: error, latencyMs: latency)
        }
    }

    /// The delay before the next attempt: a rate limit backs off on its own, longer policy (F2), and
    /// never earlier than the server's hint. `is_transient` alone is not a rate limit: Meta marks its
    /// outages so (code 1/2, HTTP 5xx), and after one the backlog must drain within the ≈ 30 s cap (F1),
    /// not up to 15 minutes later; a rate limit is told by its code or HTTP 429.
    private func backoffMs(attempt: Int, error: GraphError?, hintMs: Int?) -> Int64 {
        let policy = (error?.isThrottling ?? false) ? options.throttlePolicy : options.retryPolicy
        if options.fullJitter { return Int64(policy.delayMs(attempt: attempt, retryAfterMs: hintMs, random: &rng)) }
        return Int64(max(policy.windowMs(attempt: attempt), min(hintMs ?? 0, policy.maxRetryAfterMs)))
    }

    /// Usage headers on a success (≥ 95 % of a rate limit, or a `Retry-After`) delay the pixel's
    /// next request, before Meta starts refusing calls (capi.md §10.4).
    private func slowDownIfAsked(_ p: inout Pixel, _ result: Result<UpstreamResponse, UpstreamError>, now: Int64) {
        guard case .success(let response) = result, !response.headers.isEmpty,
            let delay = GraphUsage(headers: response.headers).suggestedDelayMs, delay > 0
        else { return }
        p.notBefore = max(p.notBefore, now + Int64(min(delay, options.throttlePolicy.maxRetryAfterMs)))
    }

    /// The front chunk is delivered or dead-lettered: commit what is finished, right away (a
    /// slow-down or backoff set afterwards must not hold a delivered batch uncommitted).
    private func chunkDone(_ p: inout Pixel, now: Int64) {
        p.attempt = 0
        p.lastError = nil
        if !p.chunks.isEmpty { p.chunks.removeFirst() }
        if p.chunks.isEmpty {
            _ = finishBatch(&p, now: now)  // on failure `schedule` retries the commit after a pause
        } else {
            commitProgress(&p)
        }
    }

    /// Commits the finished prefix of a batch being bisected or expired, so a pause, a stop or a
    /// crash does not re-send (or re-dead-letter) it. A failure is left for `finishBatch` to retry.
    func commitProgress(_ p: inout Pixel) {
        guard let batch = p.batch else { return }
        let done = p.chunks.first?.first ?? batch.events.count
        guard done > p.committed else { return }
        do {
            try queue.commit(batch, count: done)
            p.committed = done
        } catch {
            p.lastError = "queue commit failed: \(error)"
        }
    }

    /// Commits the whole batch once every event is delivered or dead-lettered.
    /// - Returns: false when the commit failed; the batch is kept (not re-sent) and the commit retried.
    func finishBatch(_ p: inout Pixel, now: Int64) -> Bool {
        guard let batch = p.batch else { return true }
        do {
            try queue.commit(batch)
        } catch {
            p.lastError = "queue commit failed: \(error)"
            p.notBefore = now + options.storeRetryMs
            return false
        }
        p.batch = nil
        p.chunks = []
        p.committed = 0
        return true
    }

    /// Writes dead letters (fsynced); returns the failure when they could not be stored.
    func deadLetter(_ events: [QueuedEvent], _ indices: [Int], reason: String, error: GraphError?) -> StoreError? {
        let at = clock()
        var message = error?.message
        if let user = error?.userMessage, user != message { message = message.map { "\($0) — \(user)" } ?? user }
        let entries = indices.map {
            DeadLetter(
                event: events[$0], reason: reason, metaMessage: message, fbtraceID: error?.fbtraceID, deadAtMs: at)
        }
        do {
            try queue.deadLetter(entries)
            return nil
        } catch {
            return error
        }
    }

    func report(
        _ batch: QueueBatch, _ indices: [Int], _ outcome: ForwardReport.Outcome, error: GraphError?, latencyMs: Int64,
        fbtraceID: String? = nil, messages: [String] = [], status: Int? = nil
    ) {
        guard let observer else { return }
        observer.forwarder(
            didReport: ForwardReport(
                pixelID: batch.pixelID, eventIDs: indices.map { batch.events[$0].eventID },
                eventNames: indices.map { batch.events[$0].eventName }, outcome: outcome,
                fbtraceID: fbtraceID ?? error?.fbtraceID, httpStatus: status ?? error?.httpStatus,
                graphCode: error?.code, latencyMs: latencyMs, messages: messages))
    }
}
