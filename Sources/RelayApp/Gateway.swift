// SPDX-License-Identifier: Apache-2.0
public import Logging
public import RelayCore
public import RelayForwarder
import RelayHTTP
import RelayStore

#if canImport(Glibc)
    import Glibc
#endif

/// The whole gateway, wired: durable queue → forwarder → HTTP server. The executable builds one of
/// these from the configuration; end-to-end tests build it the same way.
public final class Gateway: @unchecked Sendable {
    public let config: RelayConfig
    let logger: Logger
    let context: GatewayContext
    let server: HTTPServer
    let forwarder: ForwarderWorker
    let client: any UpstreamClient
    let queue: DurableQueue
    /// Replays dead letters on a thread of its own; signals while it runs ask for one more run.
    let deadLetterReplay: CoalescedJob

    /// Opens the data directory (recovering the queue) and prepares every component; nothing listens yet.
    /// - Parameters:
    ///   - version: reported by `/status` and in `partner_agent`.
    ///   - upstream: the HTTP client for the Graph API (nil: libcurl, or the dry-run sink).
    public init(config: RelayConfig, version: String, logger: Logger, upstream: (any UpstreamClient)? = nil) throws {
        self.config = config
        self.logger = logger
        let dataDir = config.storage.dataDir
        var options = DurableQueue.Options()
        options.maxBytes = Int64(config.storage.maxQueueBytes)
        // Appends overwrite zeroed room instead of growing the file: fdatasync then skips the inode.
        // 1 MiB steps: +5.5 % req/s at 64 keep-alive connections over 64 KiB steps (fewer, larger
        // zero-fills; this VM's flush time grows with the bytes since the last flush, not the calls).
        options.preallocationBytes = 1 << 20
        // Benchmark-only switch (`make bench` compares fsync'd acks with unsynced ones); undocumented on purpose.
        if Runner.environment["PIXELRELAY_BENCH_UNSAFE_NO_FSYNC"] == "1" {
            options.syncData = false
            logger.critical("PIXELRELAY_BENCH_UNSAFE_NO_FSYNC=1: acknowledgements are NOT durable (benchmarks only)")
        }
        let log = logger
        options.onFatal = { message in
            // D6: after a failed fsync nothing more is acknowledged; exit so a supervisor restarts us and
            // recovery re-reads what was durable.
            log.critical("queue I/O error; exiting so a restart can recover", metadata: ["error": "\(message)"])
            // _exit, not exit: atexit handlers (OpenSSL's cleanup among them) must not run under threads
            // still hashing or in a TLS handshake. The log line is written; what was acknowledged is synced.
            _exit(75)
        }
        queue = try DurableQueue(directory: dataDir, options: options)
        deadLetterReplay = Self.replayJob(queue: queue, logger: logger)
        let metrics = Metrics()
        Self.describe(metrics)
        let status = StatusStore()
        // Benchmark-only switch (`make bench` measures where the time goes); undocumented on purpose.
        let answerAt = Runner.environment["PIXELRELAY_BENCH_ANSWER_AT"].flatMap(GatewayContext.BenchStage.init)
        if let answerAt {
            let what =
                answerAt == .parse
                ? "POST /events is answered 202 right after parsing"
                : "valid POST /events beacons are answered after processing"
            logger.critical(
                "PIXELRELAY_BENCH_ANSWER_AT=\(answerAt.rawValue): \(what), and nothing is queued (benchmarks only)")
        }
        context = GatewayContext(
            config: config, metrics: metrics, status: status, queue: queue, version: version, logger: logger,
            benchAnswerAt: answerAt)
        if let upstream {
            client = upstream
        } else if config.isDryRun {
            client = try DryRunClient(dataDir: dataDir, onRecord: { status.recordDryRun($0) })
        } else {
            client = try CurlClient(
                maxConnections: 8, allowPlainHTTP: config.graphAPI.baseURL.hasPrefix("http://"),
                userAgent: "pixelrelay/\(version)")
        }
        var fo = ForwarderWorker.Options()
        fo.graphBaseURL = config.graphAPI.baseURL
        fo.graphVersion = config.graphAPI.version
        fo.timeoutMs = config.graphAPI.timeoutMs
        fo.maxBatchEvents = config.graphAPI.maxBatchEvents
        fo.lingerMs = Int64(config.graphAPI.lingerMs)
        fo.dryRun = config.isDryRun
        fo.partnerAgent = "pixelrelay-\(version)"
        forwarder = ForwarderWorker(
            queue: queue, client: client, targets: Self.targets(config), options: fo,
            observer: ForwardMetrics(metrics: metrics, status: status, logger: logger), clock: { Clock.nowMs() })
        context.forwarder = forwarder

        var sc = HTTPServer.Configuration()
        sc.host = config.server.host
        sc.port = config.server.port
        sc.maxConnections = config.server.maxConnections
        sc.headerTimeoutMs = Int64(config.server.headerTimeoutMs)
        sc.idleTimeoutMs = Int64(config.server.idleTimeoutMs)
        sc.minBodyBytesPerSecond = config.server.minBodyBytesPerSecond
        sc.limits.maxBodyBytes = config.server.maxBodyBytes
        server = HTTPServer(configuration: sc, responder: Router(context: context))
        let srv = server
        context.httpStatistics = { srv.statistics }
    }

    /// The bound port.
    public var port: Int { server.port }

    /// Starts forwarding and listening.
    public func start() throws {
        forwarder.start()
        try server.start()
        logger.info(
            "pixelrelay listening",
            metadata: [
                "http.port": "\(server.port)", "dry_run": "\(config.isDryRun)", "sites": "\(config.sites.count)",
                "data_dir": "\(config.storage.dataDir)",
            ])
    }

    /// Graceful stop (F6): stop accepting, answer in-flight requests, stop the forwarder (in-flight
    /// batches were never committed, so they stay queued), fsync and close the queue.
    public func shutdown(graceMs: Int64 = 5_000) {
        logger.info("shutting down")
        deadLetterReplay.stop()  // no follow-up run after this one
        queue.cancelReplays()  // a SIGUSR1 replay stops after its batch, keeping the rest dead-lettered
        server.shutdown(graceMs: graceMs)
        forwarder.stop()
        queue.waitForReplays()  // a cancelled replay rewrites its file (the committer still runs) first
        queue.close()  // before the client: nothing to lose even if a transfer is slow to let go
        client.shutdown()
        logger.info("stopped")
    }

    /// Moves dead letters still inside Meta's window back into the queue (`queue replay` while
    /// serving: SIGUSR1) on a new thread, and logs what happened. Delivery goes on meanwhile; a stop
    /// during a replay leaves the rest dead-lettered (re-queued ones may be queued twice: Meta dedups).
    public func replayDeadLettersInBackground() {
        switch deadLetterReplay.request() {
        case .started: break
        case .queued: logger.notice("SIGUSR1: a dead-letter replay is running; one more run follows it")
        case .ignored: break  // one more run is already due (or the gateway is stopping): nothing to say
        }
    }

    static func replayJob(queue: DurableQueue, logger: Logger) -> CoalescedJob {
        CoalescedJob(name: "dead-replay") {
            do {
                let result = try queue.replayDeadLetters(
                    pixelID: nil, nowMs: Clock.nowMs(), maxAgeSeconds: EventProcessor.maxAgeSeconds)
                var metadata: Logger.Metadata = ["replayed": "\(result.replayed)", "kept": "\(result.kept)"]
                if let stopped = result.stopped { metadata["stopped"] = "\(stopped)" }
                logger.notice("SIGUSR1: dead letters replayed", metadata: metadata)
            } catch {
                logger.error(
                    "SIGUSR1: dead-letter replay failed; they stay dead-lettered", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Applies reloaded pixel settings (tokens, test event codes) and resumes paused pixels (F4).
    public func reloadPixels(from fresh: RelayConfig) {
        forwarder.updateTargets(Self.targets(fresh))
    }

    static func targets(_ config: RelayConfig) -> [ForwardTarget] {
        var out: [ForwardTarget] = []
        for site in config.sites {
            for p in site.pixels where !out.contains(where: { $0.pixelID == p.pixelID }) {
                out.append(
                    ForwardTarget(pixelID: p.pixelID, accessToken: p.accessToken, testEventCode: p.testEventCode))
            }
        }
        return out
    }

    static func describe(_ m: Metrics) {
        m.describe("pixelrelay_http_requests_total", type: "counter", "HTTP requests by route and status")
        m.describe("pixelrelay_events_accepted_total", type: "counter", "Events durably queued")
        m.describe("pixelrelay_events_rejected_total", type: "counter", "Events refused, by reason")
        m.describe("pixelrelay_events_dropped_total", type: "counter", "Valid events not forwarded, by reason")
        m.describe("pixelrelay_user_data_dropped_total", type: "counter", "Identifier values dropped by normalisation")
        m.describe(
            "pixelrelay_upstream_requests_total", type: "counter", "Graph API requests by outcome and error code")
        m.describe("pixelrelay_upstream_events_total", type: "counter", "Events by forwarding outcome")
        m.describe("pixelrelay_upstream_latency_seconds", type: "histogram", "Graph API request latency")
        m.describe("pixelrelay_batch_size_events", type: "histogram", "Events per Graph API request")
        m.describe(
            "pixelrelay_ack_latency_seconds", type: "histogram", "Beacon receive to acknowledgement (includes fsync)")
        m.describe("pixelrelay_queue_events", type: "gauge", "Events waiting in the durable queue")
        m.describe("pixelrelay_queue_bytes", type: "gauge", "Bytes of undelivered events on disk")
        m.describe("pixelrelay_queue_oldest_age_seconds", type: "gauge", "Age of the oldest queued event per pixel")
        m.describe("pixelrelay_pixel_paused", type: "gauge", "1 while a pixel is paused (token or permission error)")
        m.describe(
            "pixelrelay_queue_group_commits_total", type: "counter",
            "Group commits (one write + fdatasync per dirty file, shared by every append waiting)")
        m.describe("pixelrelay_queue_fsyncs_total", type: "counter", "fdatasync calls on queue segments")
        m.describe(
            "pixelrelay_queue_commit_backlog_bytes", type: "gauge",
            "Bytes of accepted beacons waiting for the next fsync")
        m.describe(
            "pixelrelay_queue_commit_backlog_refused_total", type: "counter",
            "Beacons refused (503) because the bytes waiting for fsync were at their in-memory bound")
    }
}

/// Turns forwarding reports into metrics, status entries and log lines.
struct ForwardMetrics: ForwardObserver {
    let metrics: Metrics
    let status: StatusStore
    let logger: Logger

    func forwarder(didReport r: ForwardReport) {
        let outcome: String
        switch r.outcome {
        case .delivered: outcome = "delivered"
        case .retrying: outcome = "retry"
        case .deadLettered: outcome = "dead_lettered"
        case .paused: outcome = "paused"
        case .expired: outcome = "expired"
        }
        if r.outcome != .expired {
            metrics.increment(
                "pixelrelay_upstream_requests_total",
                [
                    ("outcome", outcome),
                    ("code", r.graphCode.map(String.init) ?? (r.httpStatus.map(String.init) ?? "none")),
                ])
            metrics.observe(
                "pixelrelay_upstream_latency_seconds", [], Double(r.latencyMs) / 1000,
                buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
            metrics.observe(
                "pixelrelay_batch_size_events", [], Double(r.eventIDs.count), buckets: [1, 10, 50, 100, 250, 500, 1000])
        }
        metrics.increment(
            "pixelrelay_upstream_events_total", [("outcome", outcome), ("pixel", r.pixelID)],
            by: Double(r.eventIDs.count))
        status.apply(r, nowMs: Clock.nowMs())
        switch r.outcome {
        case .delivered:
            logger.debug(
                "batch delivered",
                metadata: [
                    "pixel": "\(r.pixelID)", "events": "\(r.eventIDs.count)", "fbtrace_id": "\(r.fbtraceID ?? "")",
                ])
            for m in r.messages {
                logger.warning("Meta warning", metadata: ["pixel": "\(r.pixelID)", "message": "\(m)"])
            }
        case .retrying(let why):
            logger.warning(
                "batch will be retried",
                metadata: ["pixel": "\(r.pixelID)", "events": "\(r.eventIDs.count)", "error": "\(why)"])
        case .deadLettered(let why):
            logger.error(
                "event dead-lettered",
                metadata: [
                    "pixel": "\(r.pixelID)", "event_ids": "\(r.eventIDs.joined(separator: ","))", "error": "\(why)",
                    "fbtrace_id": "\(r.fbtraceID ?? "")",
                ])
        case .paused(let why):
            logger.error("pixel paused; events are kept", metadata: ["pixel": "\(r.pixelID)", "reason": "\(why)"])
        case .expired:
            logger.error(
                "events expired before delivery", metadata: ["pixel": "\(r.pixelID)", "events": "\(r.eventIDs.count)"])
        }
    }
}
