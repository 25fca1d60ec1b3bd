// SPDX-License-Identifier: Apache-2.0

/// The durable queue (`"storage"`).
public struct StorageConfig: Sendable, Equatable {
    /// Directory for the queue, dead letters and dry-run output; default `"./data"`.
    public var dataDir: String
    /// Queue size above which ingestion answers `503`; default 1 GiB.
    public var maxQueueBytes: Int

    /// A storage configuration; defaults `./data` and 1 GiB.
    public init(dataDir: String = "./data", maxQueueBytes: Int = 1 << 30) {
        self.dataDir = dataDir
        self.maxQueueBytes = maxQueueBytes
    }
}

/// The upstream Conversions API endpoint (`"graph_api"`).
public struct GraphAPIConfig: Sendable, Equatable {
    /// Scheme, host, optional port and path prefix, without a trailing slash;
    /// default `"https://graph.facebook.com"`.
    public var baseURL: String
    /// Graph API version such as `"v26.0"`; default `"v26.0"`.
    public var version: String
    /// Per-request timeout; default 5,000 ms.
    public var timeoutMs: Int
    /// Events per upstream request, 1…1,000 (Meta's limit); default 1,000.
    public var maxBatchEvents: Int
    /// How long a batch waits for more events before it is sent; default 20 ms.
    public var lingerMs: Int

    /// A Graph API configuration; every argument defaults to the built-in value.
    public init(
        baseURL: String = "https://graph.facebook.com", version: String = "v26.0", timeoutMs: Int = 5_000,
        maxBatchEvents: Int = 1_000, lingerMs: Int = 20
    ) {
        self.baseURL = baseURL
        self.version = version
        self.timeoutMs = timeoutMs
        self.maxBatchEvents = maxBatchEvents
        self.lingerMs = lingerMs
    }

    /// `{baseURL}/{version}/{pixelID}/events`.
    ///
    /// - Parameter pixelID: the pixel (dataset) id.
    public func eventsURL(pixelID: String) -> String {
        baseURL + "/" + version + "/" + pixelID + "/events"
    }
}

/// Access to `/status*` (`"admin"`).
public struct AdminConfig: Sendable, Equatable {
    /// Bearer token for `/status*`; default none, which opens the status pages on loopback only.
    public var token: Secret?

    /// An admin configuration; default no token.
    public init(token: Secret? = nil) {
        self.token = token
    }
}

/// Logging (`"logging"`).
public struct LoggingConfig: Sendable, Equatable {
    /// Severity threshold, the swift-log level names.
    public enum Level: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    /// Output format.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line.
        case json
        /// Human-readable lines.
        case text
    }

    /// Threshold; default `info`.
    public var level: Level
    /// Format; default `json`.
    public var format: Format

    /// A logging configuration; defaults `info` and `json`.
    public init(level: Level = .info, format: Format = .json) {
        self.level = level
        self.format = format
    }
}

/// Bot and crawler handling (`"bots"`).
public struct BotConfig: Sendable, Equatable {
    /// Count known bots (including Meta's own crawlers) but do not forward their events; default true.
    public var drop: Bool
    /// Extra User-Agent substrings (matched case-insensitively) that mark a bot; default none.
    public var extraPatterns: [String]

    /// A bot configuration; defaults drop = true, no extra patterns.
    public init(drop: Bool = true, extraPatterns: [String] = []) {
        self.drop = drop
        self.extraPatterns = extraPatterns
    }
}
