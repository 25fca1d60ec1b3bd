// SPDX-License-Identifier: Apache-2.0

/// The JSON keys of each section, in the order `config/README.md` documents them.
enum ConfigKeys {
    static let root = ["server", "storage", "graph_api", "admin", "logging", "sites", "dry_run", "demo", "bots"]
    static let server = [
        "host", "port", "trusted_proxies", "max_body_bytes", "events_path", "max_connections", "header_timeout_ms",
        "idle_timeout_ms", "min_body_bytes_per_second", "rate_limit", "client_ip_header",
    ]
    static let rateLimit = ["per_second", "burst"]
    static let storage = ["data_dir", "max_queue_bytes"]
    static let graphAPI = ["base_url", "version", "timeout_ms", "max_batch_events", "linger_ms"]
    static let admin = ["token"]
    static let logging = ["level", "format"]
    static let bots = ["drop", "extra_patterns"]
    static let site = [
        "name", "domains", "allowed_origins", "cookie_domain", "default_country", "pixels", "events", "rules",
        "ingest_keys",
    ]
    static let pixel = ["pixel_id", "access_token", "test_event_code"]
    static let events = ["allow", "deny"]
    static let rule = ["selector", "url_contains", "event", "custom_data"]
}

/// Limits on numeric settings, shared by the file and environment readers.
enum ConfigLimits {
    static let port = 0...65_535
    static let maxBodyBytes = 1_024...67_108_864
    static let maxConnections = 1...1_000_000
    static let headerTimeoutMs = 100...600_000
    static let idleTimeoutMs = 100...3_600_000
    static let minBodyBytesPerSecond = 0...1_073_741_824
    static let ratePerSecond = 0...1_000_000
    static let rateBurst = 0...10_000_000
    static let maxQueueBytes = 4_096...(1 << 50)
    static let timeoutMs = 100...600_000
    static let maxBatchEvents = 1...1_000
    static let lingerMs = 0...60_000
}

extension ConfigDecoder {
    /// Decodes the whole document onto the defaults.
    mutating func decode(_ root: JSONValue) -> RelayConfig {
        var config = RelayConfig()
        guard let object = object(root, at: ConfigPath.root, keys: ConfigKeys.root) else { return config }
        for m in object.members where m.value != .null {
            let path = ConfigPath.member(ConfigPath.root, m.key)
            switch m.key {
            case "server": decodeServer(m.value, at: path, into: &config.server)
            case "storage": decodeStorage(m.value, at: path, into: &config.storage)
            case "graph_api": decodeGraphAPI(m.value, at: path, into: &config.graphAPI)
            case "admin":
                guard let o = self.object(m.value, at: path, keys: ConfigKeys.admin) else { break }
                // An empty token (e.g. an empty variable) means "no token": status stays loopback-only.
                if let v = o["token"], v != .null, v != .string("") {
                    config.admin.token = checked(v, at: path + ".token", secret: true, ConfigRules.secret)
                }
            case "logging": decodeLogging(m.value, at: path, into: &config.logging)
            case "sites": config.sites = decodeSites(m.value, at: path)
            case "dry_run": config.dryRun = bool(m.value, at: path) ?? config.dryRun
            case "demo": config.demo = bool(m.value, at: path) ?? config.demo
            case "bots": decodeBots(m.value, at: path, into: &config.bots)
            default: break
            }
        }
        return config
    }

    private mutating func decodeServer(_ value: JSONValue, at base: String, into s: inout ServerConfig) {
        guard let object = object(value, at: base, keys: ConfigKeys.server) else { return }
        for m in object.members where m.value != .null {
            let p = ConfigPath.member(base, m.key)
            let v = m.value
            switch m.key {
            case "host": s.host = checked(v, at: p, ConfigRules.host) ?? s.host
            case "port": s.port = int(v, at: p, in: ConfigLimits.port, unit: " (0 = any free port)") ?? s.port
            case "trusted_proxies": s.trustedProxies = list(v, at: p, ConfigRules.cidr) ?? s.trustedProxies
            case "client_ip_header":
                s.clientIPHeader =
                    checked(v, at: p) { ConfigRules.oneOf($0, ServerConfig.ClientIPHeader.self) } ?? s.clientIPHeader
            case "max_body_bytes":
                s.maxBodyBytes = int(v, at: p, in: ConfigLimits.maxBodyBytes, unit: " bytes") ?? s.maxBodyBytes
            case "events_path": s.eventsPath = checked(v, at: p, ConfigRules.eventsPath) ?? s.eventsPath
            case "max_connections":
                s.maxConnections = int(v, at: p, in: ConfigLimits.maxConnections) ?? s.maxConnections
            case "header_timeout_ms":
                s.headerTimeoutMs = int(v, at: p, in: ConfigLimits.headerTimeoutMs, unit: " ms") ?? s.headerTimeoutMs
            case "idle_timeout_ms":
                s.idleTimeoutMs = int(v, at: p, in: ConfigLimits.idleTimeoutMs, unit: " ms") ?? s.idleTimeoutMs
            case "min_body_bytes_per_second":
                s.minBodyBytesPerSecond =
                    int(v, at: p, in: ConfigLimits.minBodyBytesPerSecond, unit: " (0 = off)") ?? s.minBodyBytesPerSecond
            case "rate_limit":
                guard let o = self.object(v, at: p, keys: ConfigKeys.rateLimit) else { break }
                if let x = o["per_second"], x != .null {
                    s.rateLimit.perSecond =
                        int(x, at: p + ".per_second", in: ConfigLimits.ratePerSecond, unit: " (0 = off)")
                        ?? s.rateLimit.perSecond
                }
                if let x = o["burst"], x != .null {
                    s.rateLimit.burst = int(x, at: p + ".burst", in: ConfigLimits.rateBurst) ?? s.rateLimit.burst
                }
                if s.rateLimit.perSecond > 0, s.rateLimit.burst < 1 {
                    report(
                        p + ".burst",
                        "must be at least 1 while per_second is above 0 (or set per_second to 0 to turn the limit off)")
                }
            default: break
            }
        }
    }

    private mutating func decodeStorage(_ value: JSONValue, at base: String, into s: inout StorageConfig) {
        guard let object = object(value, at: base, keys: ConfigKeys.storage) else { return }
        for m in object.members where m.value != .null {
            let p = ConfigPath.member(base, m.key)
            switch m.key {
            case "data_dir": s.dataDir = checked(m.value, at: p, ConfigRules.directory) ?? s.dataDir
            case "max_queue_bytes":
                s.maxQueueBytes = int(m.value, at: p, in: ConfigLimits.maxQueueBytes, unit: " bytes") ?? s.maxQueueBytes
            default: break
            }
        }
    }

    private mutating func decodeGraphAPI(_ value: JSONValue, at base: String, into g: inout GraphAPIConfig) {
        guard let object = object(value, at: base, keys: ConfigKeys.graphAPI) else { return }
        for m in object.members where m.value != .null {
            let p = ConfigPath.member(base, m.key)
            let v = m.value
            switch m.key {
            case "base_url": g.baseURL = checked(v, at: p, ConfigRules.baseURL) ?? g.baseURL
            case "version": g.version = checked(v, at: p, ConfigRules.graphVersion) ?? g.version
            case "timeout_ms": g.timeoutMs = int(v, at: p, in: ConfigLimits.timeoutMs, unit: " ms") ?? g.timeoutMs
            case "max_batch_events":
                g.maxBatchEvents =
                    int(v, at: p, in: ConfigLimits.maxBatchEvents, unit: " (Meta accepts at most 1000 per request)")
                    ?? g.maxBatchEvents
            case "linger_ms": g.lingerMs = int(v, at: p, in: ConfigLimits.lingerMs, unit: " ms") ?? g.lingerMs
            default: break
            }
        }
    }

    private mutating func decodeLogging(_ value: JSONValue, at base: String, into l: inout LoggingConfig) {
        guard let object = object(value, at: base, keys: ConfigKeys.logging) else { return }
        for m in object.members where m.value != .null {
            let p = ConfigPath.member(base, m.key)
            switch m.key {
            case "level":
                l.level = checked(m.value, at: p) { ConfigRules.oneOf($0, LoggingConfig.Level.self) } ?? l.level
            case "format":
                l.format = checked(m.value, at: p) { ConfigRules.oneOf($0, LoggingConfig.Format.self) } ?? l.format
            default: break
            }
        }
    }

    private mutating func decodeBots(_ value: JSONValue, at base: String, into b: inout BotConfig) {
        guard let object = object(value, at: base, keys: ConfigKeys.bots) else { return }
        for m in object.members where m.value != .null {
            let p = ConfigPath.member(base, m.key)
            switch m.key {
            case "drop": b.drop = bool(m.value, at: p) ?? b.drop
            case "extra_patterns":
                b.extraPatterns =
                    list(m.value, at: p) { s in
                        s.isEmpty ? .failure(.init("must be a non-empty User-Agent substring")) : .success(s)
                    } ?? b.extraPatterns
            default: break
            }
        }
    }
}
