// SPDX-License-Identifier: Apache-2.0
import Logging
import RelayCore
import RelayForwarder
import RelayHTTP
import RelayStore
import Synchronization

/// The shared, thread-safe parts every handler uses.
final class GatewayContext: Sendable {
    let config: RelayConfig
    let metrics: Metrics
    let status: StatusStore
    let queue: DurableQueue
    let sites: SiteDirectory
    let version: String
    let logger: Logger
    let startedAtMs: Int64
    /// **Benchmarks only** (`make bench`'s "where the time goes"): answer `POST /events` early. Set from
    /// `PIXELRELAY_BENCH_ANSWER_AT`; undocumented on purpose, logged as critical when set.
    let benchAnswerAt: BenchStage?

    /// Where a benchmark run answers beacons instead of queueing them.
    enum BenchStage: String {
        /// Right after the request is parsed and routed: the HTTP server alone.
        case parse
        /// After the events are processed (validated, hashed, written as CAPI JSON), without queueing.
        case processing
    }
    /// Pixel ids that dry-run events without a configured pixel named (see ``pixelIDs(for:site:)``).
    let dryRunPixels = Mutex<Set<String>>([])
    /// How many distinct ``dryRunPixels`` get their own queue; events naming others go to `dry-run`.
    static let maxDryRunPixels = 8

    /// Set once at start-up, before the server accepts connections.
    nonisolated(unsafe) var forwarder: ForwarderWorker?
    nonisolated(unsafe) var httpStatistics: (@Sendable () -> HTTPServer.Statistics)?

    init(
        config: RelayConfig, metrics: Metrics, status: StatusStore, queue: DurableQueue, version: String,
        logger: Logger,
        benchAnswerAt: BenchStage? = nil
    ) {
        self.benchAnswerAt = benchAnswerAt
        self.config = config
        self.logger = logger
        self.metrics = metrics
        self.status = status
        self.queue = queue
        self.version = version
        self.startedAtMs = Clock.nowMs()
        self.sites = SiteDirectory(sites: config.sites)
    }

    /// The pixels an event goes to: its `pixel_id` when the site has it, else all of the site's pixels.
    /// In dry-run with no pixels at all, the event's own `pixel_id` when it looks like one (1–20 digits)
    /// and is among the first ``maxDryRunPixels`` named, else `dry-run`: each id is a queue directory and
    /// file, and whoever can reach an unconfigured gateway chooses them.
    func pixelIDs(for event: ProcessedEvent, site entry: SiteDirectory.Site) -> [String] {
        let site = entry.config
        if let requested = event.requestedPixelID, site.pixel(id: requested) != nil { return [requested] }
        if !entry.pixelIDs.isEmpty { return entry.pixelIDs }
        guard config.isDryRun else { return [] }
        if let requested = event.requestedPixelID, (1...20).contains(requested.utf8.count),
            requested.utf8.allSatisfy({ $0 &- 0x30 < 10 }),
            dryRunPixels.withLock({ known in
                if known.contains(requested) { return true }
                guard known.count < Self.maxDryRunPixels else { return false }
                known.insert(requested)
                return true
            })
        {
            return [requested]
        }
        return ["dry-run"]
    }
}
