// SPDX-License-Identifier: Apache-2.0
import RelayCore

extension ForwarderWorker {
    /// Tuning for a ``ForwarderWorker``; every field has a production default.
    public struct Options: Sendable {
        /// Graph API base URL (`graph_api.base_url`); tests point it at a local fake.
        public var graphBaseURL: String = "https://graph.facebook.com"
        /// Graph API version path segment, e.g. `v26.0`.
        public var graphVersion: String = "v26.0"
        /// Whole-request deadline (F5: a hanging upstream costs at most this per attempt).
        public var timeoutMs: Int = 5000
        /// Events per request; clamped to 1…1,000 (Meta's limit).
        public var maxBatchEvents: Int = 1000
        /// Payload bytes per request (Meta documents no limit; small batches also bisect faster).
        public var maxBatchBytes: Int = 2 * 1024 * 1024
        /// How long a batch that is not full waits for more events before it is sent.
        public var lingerMs: Int64 = 20
        /// Dead-letter events whose `event_time` is older than this (a margin under Meta's 7 days; ingest
        /// refuses events 55 minutes younger, so each accepted one has that long to get through).
        public var maxEventAgeSeconds: Int64 = EventProcessor.deliverableAgeSeconds
        /// How long a paused pixel waits before trying again on its own.
        public var pauseRetryMs: Int64 = 5 * 60_000
        /// Dry-run: the token in the body is replaced by `<redacted>`.
        public var dryRun: Bool = false
        /// The `partner_agent` sent with every request.
        public var partnerAgent: String = "pixelrelay"
        /// Backoff after upstream failures: 5xx, timeouts, refused connections, resets (F1).
        public var retryPolicy: RetryPolicy = .standard
        /// Backoff after a rate limit: HTTP 429, Graph codes 4, 17, 32, 341, 613, 80000–80014 (F2).
        public var throttlePolicy: RetryPolicy = .throttle
        /// True (production): each delay is drawn uniformly from the backoff window (full jitter).
        /// False waits the whole window, which makes delays predictable in tests.
        public var fullJitter: Bool = true
        /// Wait before retrying after the queue could not be read, or the dead-letter store or the
        /// cursor could not be written (the events stay queued meanwhile).
        public var storeRetryMs: Int64 = 5000

        /// Production defaults.
        public init() {}
    }
}
