// SPDX-License-Identifier: Apache-2.0
import RelayCore
public import RelayStore
import Synchronization

/// Drains the durable queue to the Graph API, one request in flight per pixel (per-pixel FIFO).
///
/// One thread owns all scheduling state. It reads a batch (≤ 1,000 events and a byte budget) from a
/// pixel's queue, lingers briefly when the batch is not full, posts it through the `UpstreamClient`,
/// and acts on Meta's answer (capi.md §10): delivered → commit; transient or throttled → keep the
/// batch and retry with full-jitter backoff; code 100 → bisect until the bad events are isolated,
/// dead-letter them with Meta's message and deliver the rest; token or permission errors → pause the
/// pixel (nothing dropped) until the retry timer or a config reload. Before every attempt, events
/// past Meta's 7-day window are dead-lettered instead of sent (D7). Nothing is committed before it
/// was delivered or durably dead-lettered, so `stop()` or a crash only causes re-sends (same
/// `event_id`s, which Meta deduplicates).
///
/// Deadlines (backoff, pause, linger) run on the monotonic clock; the injected `clock` (Unix ms)
/// decides event ages and dead-letter timestamps.
public final class ForwarderWorker: @unchecked Sendable {
    /// A pixel's forwarding state, as shown on `/readyz`, `/metrics` and `/status`.
    public struct PixelState: Sendable, Equatable {
        /// The pixel (dataset) id.
        public var pixelID: String
        /// True while a token, permission or configuration problem holds the pixel's events back.
        public var paused: Bool
        /// Why the pixel is paused (Meta's error summary); nil when it is not.
        public var pauseReason: String?
        /// Failed attempts since the last success.
        public var consecutiveFailures: Int
        /// The last failure (upstream or local), cleared by a success.
        public var lastError: String?
        /// How long until the next attempt, when the pixel is waiting (backoff, pause, linger).
        public var nextAttemptInMs: Int64?
    }

    /// The scheduling state of one pixel (worker thread only).
    struct Pixel {
        var target: ForwardTarget?
        /// The batch being delivered; nil when the next one must be read.
        var batch: QueueBatch?
        /// Indices of `batch.events` still to send, one request each, in queue order; bisection
        /// splits the front one, expiry removes stale events from all of them.
        var chunks: [[Int]] = []
        /// How many leading events of `batch` are committed already.
        var committed = 0
        var inFlight = false
        /// Consecutive failed attempts (the backoff exponent).
        var attempt = 0
        /// Monotonic ms before which nothing is sent.
        var notBefore: Int64 = 0
        /// When a batch that is not full was first seen (monotonic ms), for the linger.
        var lingerSince: Int64?
        /// The size of that lingering batch when last read: arrivals below the rest of a full batch
        /// need not wake the worker.
        var lingerEvents = 0
        var lingerBytes = 0
        var pausedReason: String?
        /// The configuration generation the pause belongs to: any reload resumes the pixel.
        var pausedGeneration = 0
        /// The configuration generation the in-flight request was built with.
        var sentGeneration = 0
        var lastError: String?
    }

    /// What a quiet pixel can still take in before waking is worth it (see `quiet`).
    struct Quiet {
        var events: Int
        var bytes: Int
    }

    /// A finished request, handed from the client's thread to the worker thread.
    struct Completion {
        var pixelID: String
        var chunk: [Int]
        var startedMs: Int64
        var result: Result<UpstreamResponse, UpstreamError>
    }

    private struct Targets {
        var byPixel: [String: ForwardTarget]
        /// Bumped by every `updateTargets`.
        var generation = 0
    }

    let queue: DurableQueue
    let client: any UpstreamClient
    let options: Options
    let observer: (any ForwardObserver)?
    let clock: @Sendable () -> Int64
    let maxBatchEvents: Int

    private let completions = Mutex<[Completion]>([])
    private let wakeRequested = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let signal = WakeSignal()
    private let targets: Mutex<Targets>
    private let stateSnapshot = Mutex<[String: PixelState]>([:])
    /// Per pixel, how many events / bytes may still arrive without waking the worker: a pixel with a
    /// request in flight or a lingering batch that is not yet full has nothing to do until its
    /// completion or linger deadline. Absent: any arrival wakes it. (Waking on every group commit cost
    /// ~8 % of the gateway's CPU under load.)
    private let quiet = Mutex<[String: Quiet]>([:])
    private let thread = Mutex<OSThread?>(nil)

    // Owned by the worker thread.
    var pixels: [String: Pixel] = [:]
    var rng = SystemRandomNumberGenerator()

    /// - Parameters:
    ///   - queue: the durable queue to drain (this worker is its only reader).
    ///   - client: the HTTP client (`CurlClient`, or `DryRunClient` in dry-run).
    ///   - targets: pixels with their tokens; events of other pixels stay queued (paused).
    ///   - options: tuning; defaults are the production values.
    ///   - observer: receives a report for every outcome (metrics, `/status`, logs).
    ///   - clock: Unix milliseconds, for event ages (injected in tests).
    public init(
        queue: DurableQueue, client: any UpstreamClient, targets: [ForwardTarget], options: Options,
        observer: (any ForwardObserver)?, clock: @escaping @Sendable () -> Int64
    ) {
        self.queue = queue
        self.client = client
        self.options = options
        self.observer = observer
        self.clock = clock
        self.maxBatchEvents = min(max(1, options.maxBatchEvents), 1000)
        self.targets = Mutex(Targets(byPixel: Self.index(targets)))
    }

    /// Starts the worker thread and subscribes to the queue's "new events" notifications. Idempotent.
    public func start() {
        thread.withLock { thread in
            guard thread == nil else { return }
            queue.setAvailabilityHandler { [weak self] arrival in self?.arrived(arrival) }
            thread = OSThread(name: "forwarder") { [self] in self.run() }
        }
    }

    /// Replaces the pixels' tokens and settings (config reload) and resumes every paused pixel.
    public func updateTargets(_ newTargets: [ForwardTarget]) {
        targets.withLock {
            $0.byPixel = Self.index(newTargets)
            $0.generation += 1
        }
        wake()
    }

    /// Stops the thread and returns once it has ended. Requests still in flight are abandoned: their
    /// batches were never committed, so a new worker (after restart) reads and sends them again.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        signal.notify()
        let running = thread.withLock { t -> OSThread? in
            defer { t = nil }
            return t
        }
        running?.join()
    }

    /// The per-pixel state, for readiness and status pages.
    public func pixelStates() -> [PixelState] {
        stateSnapshot.withLock { Array($0.values) }.sorted { $0.pixelID < $1.pixelID }
    }

    private static func index(_ targets: [ForwardTarget]) -> [String: ForwardTarget] {
        Dictionary(targets.map { ($0.pixelID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func wake() {
        wakeRequested.store(true, ordering: .releasing)
        signal.notify()
    }

    /// New durable events (committer thread): wakes the worker unless the pixel is quiet.
    private func arrived(_ arrival: QueueArrival) {
        let needed = quiet.withLock { q -> Bool in
            guard var left = q[arrival.pixelID] else { return true }
            left.events -= arrival.events
            left.bytes -= arrival.bytes
            if left.events > 0, left.bytes > 0 {
                q[arrival.pixelID] = left
                return false
            }
            q[arrival.pixelID] = nil
            return true
        }
        if needed { wake() }
    }

    /// Records which pixels may ignore arrivals until their next deadline (worker thread, before it sleeps).
    private func publishQuiet() {
        var next: [String: Quiet] = [:]
        for (id, p) in pixels {
            if p.inFlight {
                next[id] = Quiet(events: .max, bytes: .max)
            } else if p.lingerSince != nil, p.batch == nil {
                next[id] = Quiet(
                    events: maxBatchEvents - p.lingerEvents, bytes: options.maxBatchBytes / 2 - p.lingerBytes)
            }
        }
        quiet.withLock { $0 = next }
    }

    /// Called by the client (on its thread) when a request finished.
    func complete(_ completion: Completion) {
        completions.withLock { $0.append(completion) }
        signal.notify()
    }

    // MARK: loop

    private func run() {
        var lastScan = Int64.min / 2
        while !stopping.load(ordering: .acquiring) {
            // Arrivals while this pass reads the queue must wake the next pass: no pixel is quiet now.
            quiet.withLock { $0.removeAll(keepingCapacity: true) }
            let woken = wakeRequested.exchange(false, ordering: .acquiringAndReleasing)
            let finished = completions.withLock { list -> [Completion] in
                defer { list.removeAll(keepingCapacity: true) }
                return list
            }
            for completion in finished { handle(completion) }
            var now = WakeSignal.monotonicMs()
            // New events raise `woken`; pixels queued before a restart are found by the periodic scan.
            if woken || now - lastScan >= 1000 {
                lastScan = now
                for id in queue.pixelIDs() where pixels[id] == nil { pixels[id] = Pixel() }
            }
            let current = targets.withLock { ($0.byPixel, $0.generation) }
            now = WakeSignal.monotonicMs()
            var nextWake = now + 1000
            for id in pixels.keys {
                if let wake = schedule(id, now: now, targets: current.0, generation: current.1) {
                    nextWake = min(nextWake, wake)
                }
            }
            publishState(now: now)
            publishQuiet()
            signal.wait(untilMs: nextWake) {
                stopping.load(ordering: .acquiring) || wakeRequested.load(ordering: .acquiring)
                    || completions.withLock { !$0.isEmpty }
            }
        }
        publishState(now: WakeSignal.monotonicMs())
    }

    private func publishState(now: Int64) {
        var snapshot: [String: PixelState] = [:]
        for (id, p) in pixels {
            snapshot[id] = PixelState(
                pixelID: id, paused: p.pausedReason != nil, pauseReason: p.pausedReason, consecutiveFailures: p.attempt,
                lastError: p.lastError, nextAttemptInMs: !p.inFlight && p.notBefore > now ? p.notBefore - now : nil)
        }
        stateSnapshot.withLock { $0 = snapshot }
    }
}
