// SPDX-License-Identifier: Apache-2.0
import RelayCore
import RelayStore

extension ForwarderWorker {
    /// What reading the next batch gave.
    private enum Load {
        case ready
        case empty
        case wait(until: Int64)
    }

    /// Starts the pixel's next request if one is due (worker thread).
    /// - Returns: when (monotonic ms) the pixel wants to be looked at again; nil when only an event
    ///   (a finished request, new events, a reload) can change anything.
    func schedule(_ id: String, now: Int64, targets: [String: ForwardTarget], generation: Int) -> Int64? {
        guard var p = pixels[id], !p.inFlight else { return nil }
        defer { pixels[id] = p }
        if p.pausedReason != nil {
            // Any reload resumes (the operator may have fixed permissions without a new token).
            guard generation != p.pausedGeneration || now >= p.notBefore else { return p.notBefore }
            p.pausedReason = nil
            p.notBefore = 0
        }
        p.target = targets[id]
        if now < p.notBefore { return p.notBefore }
        if !options.dryRun {
            // Events of a pixel that is not (or no longer) configured stay queued until it returns.
            if p.target == nil {
                pause(&p, "pixel \(id) is not configured (its events stay queued)", now: now, generation: generation)
                return p.notBefore
            }
            if p.target?.accessToken?.value.isEmpty ?? true {
                pause(&p, "pixel \(id) has no access token (its events stay queued)", now: now, generation: generation)
                return p.notBefore
            }
        }
        // Each pass either sends, waits, or commits a finished batch (progress), so this ends.
        while true {
            if p.batch == nil {
                switch load(&p, pixelID: id, now: now) {
                case .empty: return nil
                case .wait(let until): return until
                case .ready: break
                }
            }
            guard expireStale(&p, now: now) else { return p.notBefore }
            if let chunk = p.chunks.first {
                send(&p, pixelID: id, chunk: chunk, now: now, generation: generation)
                return nil
            }
            guard finishBatch(&p, now: now) else { return p.notBefore }
        }
    }

    private func pause(_ p: inout Pixel, _ reason: String, now: Int64, generation: Int) {
        p.pausedReason = reason
        p.pausedGeneration = generation
        p.lastError = reason
        p.notBefore = now + options.pauseRetryMs
    }

    /// Reads the pixel's oldest events into `p.batch`, lingering once when the batch is not full.
    private func load(_ p: inout Pixel, pixelID: String, now: Int64) -> Load {
        let read: QueueBatch?
        do {
            read = try queue.readBatch(pixelID: pixelID, maxEvents: maxBatchEvents, maxBytes: options.maxBatchBytes)
        } catch {
            p.lastError = "queue read failed: \(error)"
            p.notBefore = now + options.storeRetryMs
            return .wait(until: p.notBefore)
        }
        guard let batch = read, !batch.events.isEmpty else {
            p.lingerSince = nil
            return .empty
        }
        // A trickle of events shares one request; a full batch (by count or bytes) goes at once.
        if options.lingerMs > 0, batch.events.count < maxBatchEvents, batch.payloadBytes < options.maxBatchBytes / 2 {
            let since = p.lingerSince ?? now
            p.lingerSince = since
            p.lingerEvents = batch.events.count
            p.lingerBytes = batch.payloadBytes
            if now - since < options.lingerMs { return .wait(until: since + options.lingerMs) }
        }
        p.lingerSince = nil
        p.batch = batch
        p.chunks = [Array(batch.events.indices)]
        p.committed = 0
        return .ready
    }

    /// D7: dead-letters unsent events that left Meta's window — checked before every attempt, since a
    /// batch may wait out a long outage or pause (one stale event would fail the whole request).
    /// - Returns: false when the dead letters could not be written (then nothing may be sent or committed).
    private func expireStale(_ p: inout Pixel, now: Int64) -> Bool {
        guard let batch = p.batch else { return true }
        let oldestAllowed = clock() / 1000 - options.maxEventAgeSeconds
        var stale: [Int] = []
        for chunk in p.chunks {
            for i in chunk where batch.events[i].eventTime < oldestAllowed { stale.append(i) }
        }
        guard !stale.isEmpty else { return true }
        let reason = "expired: event_time older than Meta's 7-day window"
        if let failure = deadLetter(batch.events, stale, reason: reason, error: nil) {
            p.lastError = "could not write dead letters (events stay queued): \(failure)"
            p.notBefore = now + options.storeRetryMs
            return false
        }
        report(batch, stale, .expired, error: nil, latencyMs: 0)
        // The fresh events keep their order and still share requests (removing events keeps FIFO).
        let isStale = Set(stale)
        p.chunks = p.chunks.map { $0.filter { !isStale.contains($0) } }.filter { !$0.isEmpty }
        commitProgress(&p)
        return true
    }

    private func send(_ p: inout Pixel, pixelID: String, chunk: [Int], now: Int64, generation: Int) {
        guard let batch = p.batch else { return }
        p.inFlight = true
        p.sentGeneration = generation
        let token = options.dryRun ? Secret.redacted : (p.target?.accessToken?.value ?? "")
        let body = CAPIRequestBody.make(
            events: chunk.lazy.map { batch.events[$0] }, accessToken: token, testEventCode: p.target?.testEventCode,
            partnerAgent: options.partnerAgent)
        let request = UpstreamRequest(
            url: "\(options.graphBaseURL)/\(options.graphVersion)/\(pixelID)/events", body: body,
            headers: [("Content-Type", "application/json")], timeoutMs: options.timeoutMs)
        client.send(request) { [weak self] result in
            self?.complete(Completion(pixelID: pixelID, chunk: chunk, startedMs: now, result: result))
        }
    }
}
