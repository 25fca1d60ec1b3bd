// SPDX-License-Identifier: Apache-2.0
import RelayCore
public import RelayStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Drains the durable queue to the Graph API, one batch in flight per pixel (per-pixel FIFO).
///
/// One thread owns all scheduling state. It reads a batch (≤ 1,000 events and a byte budget) from a
/// pixel's queue, waits a short linger for a small batch to fill, posts it through the
/// `UpstreamClient`, and acts on Meta's answer (capi.md §10): delivered → commit; transient or
/// throttled → keep the batch and retry with full-jitter backoff; code 100 → bisect until the bad
/// events are isolated, dead-letter them with Meta's message and deliver the rest; token or
/// permission errors → pause the pixel (nothing dropped) until the retry timer or a config reload.
/// Events about to leave Meta's 7-day window are dead-lettered instead of sent (D7).
public final class ForwarderWorker: @unchecked Sendable {
    public struct Options: Sendable {
        public var graphBaseURL: String = "https://graph.facebook.com"
        public var graphVersion: String = "v26.0"
        public var timeoutMs: Int = 5000
        public var maxBatchEvents: Int = 1000
        public var maxBatchBytes: Int = 2 * 1024 * 1024
        public var lingerMs: Int64 = 20
        /// Dead-letter events whose `event_time` is older than this (a margin under Meta's 7 days).
        public var maxEventAgeSeconds: Int64 = 7 * 24 * 3600 - 3600
        /// How long a paused pixel waits before trying again on its own.
        public var pauseRetryMs: Int64 = 5 * 60_000
        /// Dry-run: the token in the body is replaced by "<redacted>".
        public var dryRun: Bool = false
        public var partnerAgent: String = "pixelrelay"
        public init() {}
    }

    /// A pixel's forwarding state, as shown on `/readyz`, `/metrics` and `/status`.
    public struct PixelState: Sendable, Equatable {
        public var pixelID: String
        public var paused: Bool
        public var pauseReason: String?
        public var consecutiveFailures: Int
        public var lastError: String?
        public var nextAttemptInMs: Int64?
    }

    private struct Pixel {
        var target: ForwardTarget?
        var batch: QueueBatch?
        /// Sub-batches (index ranges into `batch.events`) still to send; bisection splits the front one.
        var chunks: [Range<Int>] = []
        var delivered = 0
        var inFlight = false
        var attempt = 0
        var notBeforeMs: Int64 = 0
        var pausedReason: String?
        var lastError: String?
    }

    private enum Message {
        case wake
        case result(pixelID: String, range: Range<Int>, startedMs: Int64, result: Result<UpstreamResponse, UpstreamError>)
    }

    private let queue: DurableQueue
    private let client: any UpstreamClient
    private let options: Options
    private let observer: (any ForwardObserver)?
    private let clock: @Sendable () -> Int64

    private let inbox = Mutex<[Message]>([])
    private var cond = pthread_cond_t()
    private var condMutex = pthread_mutex_t()
    private let targets: Mutex<[String: ForwardTarget]>
    private let stateSnapshot = Mutex<[String: PixelState]>([:])
    private let stopping = Atomic<Bool>(false)
    private var thread: OSThread?

    // Owned by the worker thread.
    private var pixels: [String: Pixel] = [:]
    private var rng = SystemRandomNumberGenerator()

    /// - Parameters:
    ///   - clock: Unix milliseconds (injected in tests).
    public init(
        queue: DurableQueue, client: any UpstreamClient, targets: [ForwardTarget], options: Options,
        observer: (any ForwardObserver)?, clock: @escaping @Sendable () -> Int64
    ) {
        self.queue = queue
        self.client = client
        self.options = options
        self.observer = observer
        self.clock = clock
        self.targets = Mutex(Dictionary(targets.map { ($0.pixelID, $0) }, uniquingKeysWith: { a, _ in a }))
        pthread_mutex_init(&condMutex, nil)
        pthread_cond_init(&cond, nil)
    }

    /// Starts the worker thread and subscribes to the queue's "new events" notifications.
    public func start() {
        queue.setAvailabilityHandler { [weak self] _ in self?.post(.wake) }
        thread = OSThread(name: "forwarder") { [self] in self.run() }
    }

    /// Replaces the pixels' tokens and settings (config reload) and resumes paused pixels.
    public func updateTargets(_ newTargets: [ForwardTarget]) {
        targets.withLock { $0 = Dictionary(newTargets.map { ($0.pixelID, $0) }, uniquingKeysWith: { a, _ in a }) }
        post(.wake)
    }

    /// Stops: in-flight batches stay in the queue (they were never committed) and are re-sent after restart.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        post(.wake)
        thread?.join()
        thread = nil
    }

    /// The per-pixel state, for readiness and status pages.
    public func pixelStates() -> [PixelState] {
        stateSnapshot.withLock { Array($0.values) }.sorted { $0.pixelID < $1.pixelID }
    }

    private func post(_ m: Message) {
        inbox.withLock { $0.append(m) }
        pthread_mutex_lock(&condMutex)
        pthread_cond_signal(&cond)
        pthread_mutex_unlock(&condMutex)
    }

    // MARK: loop

    private func run() {
        var lastScan: Int64 = 0
        while !stopping.load(ordering: .acquiring) {
            let messages = inbox.withLock { m -> [Message] in
                let taken = m
                m.removeAll()
                return taken
            }
            for m in messages {
                if case .result(let pixelID, let range, let started, let result) = m {
                    handle(pixelID: pixelID, range: range, startedMs: started, result: result)
                }
            }
            let now = clock()
            var nextWake = now + 1000
            // The queue may hold pixels we have not seen (events from before a restart): rescan regularly.
            if now - lastScan >= 1000 || !messages.isEmpty {
                lastScan = now
                for id in queue.pixelIDs() where pixels[id] == nil { pixels[id] = Pixel() }
            }
            let currentTargets = targets.withLock { $0 }
            for id in Array(pixels.keys) {
                if let wake = schedule(id, now: now, targets: currentTargets) { nextWake = min(nextWake, wake) }
            }
            publishState(now: now)
            if inbox.withLock({ $0.isEmpty }) { waitUntil(msFromNow: max(nextWake - clock(), 1)) }
        }
        publishState(now: clock())
    }

    private func waitUntil(msFromNow ms: Int64) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let total = Int64(ts.tv_nsec) + (ms % 1000) * 1_000_000
        ts.tv_sec += Int(ms / 1000) + Int(total / 1_000_000_000)
        ts.tv_nsec = Int(total % 1_000_000_000)
        pthread_mutex_lock(&condMutex)
        if inbox.withLock({ $0.isEmpty }) && !stopping.load(ordering: .acquiring) {
            pthread_cond_timedwait(&cond, &condMutex, &ts)
        }
        pthread_mutex_unlock(&condMutex)
    }

    /// Starts the pixel's next send if it is due. Returns when it wants to be looked at again.
    private func schedule(_ id: String, now: Int64, targets: [String: ForwardTarget]) -> Int64? {
        guard var p = pixels[id], !p.inFlight else { return nil }
        defer { pixels[id] = p }
        let target = targets[id]
        if p.pausedReason != nil {
            // A reload with a changed target, or the retry timer, resumes a paused pixel.
            if target != p.target || now >= p.notBeforeMs {
                p.pausedReason = nil
                p.notBeforeMs = 0
            } else {
                return p.notBeforeMs
            }
        }
        p.target = target
        if now < p.notBeforeMs { return p.notBeforeMs }
        if p.batch != nil && p.chunks.isEmpty {
            // Everything was sent earlier but the commit failed: only the commit is retried.
            finishBatch(&p)
            if p.batch != nil { return p.notBeforeMs }
        }
        if target == nil && !options.dryRun {
            // Events for a pixel that is no longer configured stay queued (visible in stats) until it returns.
            p.pausedReason = "pixel \(id) is not configured (events kept in the queue)"
            p.notBeforeMs = now + options.pauseRetryMs
            return p.notBeforeMs
        }
        if p.batch == nil {
            guard let batch = try? queue.readBatch(pixelID: id, maxEvents: options.maxBatchEvents, maxBytes: options.maxBatchBytes),
                !batch.events.isEmpty
            else { return nil }
            // Linger briefly so a trickle of events shares one request.
            if batch.events.count < options.maxBatchEvents, let newest = batch.events.last,
                now - newest.enqueuedAtMs < options.lingerMs, now - batch.events[0].enqueuedAtMs < 10 * options.lingerMs
            {
                return newest.enqueuedAtMs + options.lingerMs
            }
            p.batch = batch
            p.chunks = [0..<batch.events.count]
            p.delivered = 0
            expireOld(&p, now: now)
            if p.batch == nil { return p.notBeforeMs }
            if p.chunks.isEmpty {
                finishBatch(&p)
                return now
            }
        }
        guard let batch = p.batch, let range = p.chunks.first else { return nil }
        p.inFlight = true
        send(pixelID: id, target: target, events: Array(batch.events[range]), range: range, now: now)
        return nil
    }

    /// Dead-letters events about to leave Meta's window: one stale event fails a whole request.
    private func expireOld(_ p: inout Pixel, now: Int64) {
        guard let batch = p.batch else { return }
        let limit = now / 1000 - options.maxEventAgeSeconds
        let stale = batch.events.indices.filter { batch.events[$0].eventTime < limit }
        guard !stale.isEmpty else { return }
        guard deadLetter(batch.events, indices: stale, reason: "expired: event_time older than Meta's 7-day window", error: nil)
        else {
            // Could not record them (disk full?): keep everything queued and try again shortly.
            p.batch = nil
            p.chunks = []
            p.notBeforeMs = now + 5_000
            return
        }
        report(batch.pixelID, batch.events, stale, .expired, error: nil, latency: 0)
        // Keep the fresh events as contiguous chunks (order preserved).
        var chunks: [Range<Int>] = []
        var start: Int?
        for i in batch.events.indices {
            if stale.contains(i) {
                if let s = start { chunks.append(s..<i) }
                start = nil
            } else if start == nil {
                start = i
            }
        }
        if let s = start { chunks.append(s..<batch.events.count) }
        p.chunks = chunks
    }

    private func send(pixelID: String, target: ForwardTarget?, events: [QueuedEvent], range: Range<Int>, now: Int64) {
        var body: [UInt8] = []
        body.reserveCapacity(events.reduce(128) { $0 + $1.payload.count + 1 })
        body.append(contentsOf: "{\"data\":[".utf8)
        for (i, e) in events.enumerated() {
            if i > 0 { body.append(0x2C) }
            body.append(contentsOf: e.payload)
        }
        body.append(contentsOf: "],\"access_token\":".utf8)
        var w = JSONWriter(capacity: 128)
        w.string(options.dryRun ? "<redacted>" : (target?.accessToken?.value ?? ""))
        body.append(contentsOf: w.bytes)
        if let code = target?.testEventCode, !code.isEmpty {
            var t = JSONWriter(capacity: 64)
            t.string(code)
            body.append(contentsOf: ",\"test_event_code\":".utf8)
            body.append(contentsOf: t.bytes)
        }
        var pa = JSONWriter(capacity: 64)
        pa.string(options.partnerAgent)
        body.append(contentsOf: ",\"partner_agent\":".utf8)
        body.append(contentsOf: pa.bytes)
        body.append(0x7D)
        let url = "\(options.graphBaseURL)/\(options.graphVersion)/\(pixelID)/events"
        let request = UpstreamRequest(
            url: url, body: body, headers: [("Content-Type", "application/json")], timeoutMs: options.timeoutMs)
        client.send(request) { [weak self] result in
            self?.post(.result(pixelID: pixelID, range: range, startedMs: now, result: result))
        }
    }

    private func handle(pixelID: String, range: Range<Int>, startedMs: Int64, result: Result<UpstreamResponse, UpstreamError>) {
        guard var p = pixels[pixelID], let batch = p.batch else { return }
        defer { pixels[pixelID] = p }
        p.inFlight = false
        let now = clock()
        let latency = now - startedMs
        let indices = Array(range)
        switch GraphResponseClassifier.classify(result, batchSize: range.count) {
        case .delivered(let success):
            report(pixelID, batch.events, indices, .delivered, error: nil, latency: latency, fbtrace: success.fbtraceID, messages: success.messages, status: 200)
            chunkDone(&p)
        case .mismatch(let expected, let received):
            // Meta accepted the request but counted fewer events: nothing to resend safely (dedup by
            // event_id makes a resend harmless, but it would loop); record it loudly.
            report(pixelID, batch.events, indices, .delivered, error: nil, latency: latency, messages: ["events_received \(received) ≠ \(expected) sent"], status: 200)
            chunkDone(&p)
        case .retry(let reason, let error, let retryAfterMs):
            p.attempt += 1
            let policy = (error?.isThrottling ?? false) ? RetryPolicy.throttle : RetryPolicy.standard
            var delay = Int64(policy.delayMs(attempt: p.attempt - 1, random: &rng))
            if let retryAfterMs { delay = max(delay, Int64(min(retryAfterMs, policy.maxRetryAfterMs))) }
            p.notBeforeMs = now + delay
            p.lastError = error?.summary ?? reason
            report(pixelID, batch.events, indices, .retrying(p.lastError ?? reason), error: error, latency: latency)
        case .invalidPayload(let error):
            p.lastError = error.summary
            if range.count == 1 {
                guard deadLetter(batch.events, indices: indices, reason: "rejected by Meta", error: error) else {
                    p.notBeforeMs = now + 5_000  // never commit what could not be dead-lettered
                    return
                }
                report(pixelID, batch.events, indices, .deadLettered(error.summary), error: error, latency: latency)
                chunkDone(&p)
            } else {
                // One bad event rejects the whole request: split and retry both halves in order.
                let mid = range.lowerBound + range.count / 2
                p.chunks.removeFirst()
                p.chunks.insert(contentsOf: [range.lowerBound..<mid, mid..<range.upperBound], at: 0)
            }
        case .pause(let reason, let error):
            p.pausedReason = "\(reason): \(error.summary)"
            p.lastError = error.summary
            p.notBeforeMs = now + options.pauseRetryMs
            report(pixelID, batch.events, indices, .paused(p.pausedReason ?? reason), error: error, latency: latency)
        }
    }

    private func chunkDone(_ p: inout Pixel) {
        p.attempt = 0
        p.lastError = nil
        if !p.chunks.isEmpty { p.chunks.removeFirst() }
        if p.chunks.isEmpty { finishBatch(&p) }
    }

    private func finishBatch(_ p: inout Pixel) {
        guard let batch = p.batch else { return }
        p.chunks = []
        do {
            try queue.commit(batch, count: batch.events.count)
        } catch {
            // Sent, but the cursor could not be saved (disk full?). Keep the batch and retry only the
            // commit shortly: re-reading would send the same events again and again.
            p.lastError = "commit failed: \(error)"
            p.notBeforeMs = clock() + 1_000
            return
        }
        p.batch = nil
    }

    /// Records events in the dead-letter store; false when that failed (then they must stay queued).
    private func deadLetter(_ events: [QueuedEvent], indices: [Int], reason: String, error: GraphError?) -> Bool {
        let now = clock()
        let entries = indices.map {
            DeadLetter(event: events[$0], reason: reason, metaMessage: error?.summary, fbtraceID: error?.fbtraceID, deadAtMs: now)
        }
        do {
            try queue.deadLetter(entries)
            return true
        } catch {
            return false
        }
    }

    private func report(
        _ pixelID: String, _ events: [QueuedEvent], _ indices: [Int], _ outcome: ForwardReport.Outcome, error: GraphError?,
        latency: Int64, fbtrace: String? = nil, messages: [String] = [], status: Int? = nil
    ) {
        guard let observer else { return }
        observer.forwarder(
            didReport: ForwardReport(
                pixelID: pixelID, eventIDs: indices.map { events[$0].eventID }, eventNames: indices.map { events[$0].eventName },
                outcome: outcome, fbtraceID: fbtrace ?? error?.fbtraceID, httpStatus: status ?? error?.httpStatus,
                graphCode: error?.code, latencyMs: latency, messages: messages))
    }

    private func publishState(now: Int64) {
        var snapshot: [String: PixelState] = [:]
        for (id, p) in pixels {
            snapshot[id] = PixelState(
                pixelID: id, paused: p.pausedReason != nil, pauseReason: p.pausedReason, consecutiveFailures: p.attempt,
                lastError: p.lastError, nextAttemptInMs: p.notBeforeMs > now ? p.notBeforeMs - now : nil)
        }
        stateSnapshot.withLock { $0 = snapshot }
    }
}
