// SPDX-License-Identifier: Apache-2.0

/// Applies the `PIXELRELAY_*` environment variables (interface §2) on top of the file's values.
///
/// Empty variables count as unset (Compose passes `VAR=` for an unset host variable). The
/// single-site shortcut (`PIXELRELAY_PIXEL_ID`, `_ACCESS_TOKEN[_FILE]`, `_TEST_EVENT_CODE`,
/// `_ALLOWED_ORIGINS`) defines a site named `default`, or overrides the file's site of that name.
struct ConfigEnvironment {
    let lookup: EnvironmentLookup
    private(set) var issues: [ConfigIssue] = []

    init(lookup: EnvironmentLookup) {
        self.lookup = lookup
    }

    private mutating func report(_ name: String, _ message: String) {
        issues.append(ConfigIssue(path: "env " + name, message: message))
    }

    /// The checked value of a plain variable; the value is quoted in the message unless `secret`.
    private mutating func value<T>(_ name: String, _ rule: (String) -> ConfigRules.Check<T>) -> T? {
        guard let raw = lookup.plain(name) else { return nil }
        switch rule(raw) {
        case .success(let v): return v
        case .failure(let m):
            report(name, m.text + " (got \"" + (raw.count > 80 ? String(raw.prefix(77)) + "..." : raw) + "\")")
            return nil
        }
    }

    /// A secret from `NAME` or `NAME_FILE`; never quoted.
    private mutating func secret(_ name: String) -> Secret? {
        switch lookup.resolve(name) {
        case .missing, .empty: return nil
        case .problem(let path, let message):
            issues.append(ConfigIssue(path: path, message: message))
            return nil
        case .value(let raw, let fromFile):
            switch ConfigRules.secret(raw) {
            case .success(let s): return s
            case .failure(let m):
                report(fromFile ? name + "_FILE" : name, (fromFile ? "the file's content " : "") + m.text)
                return nil
            }
        }
    }

    /// Applies every set variable to `config`; `sitePaths` gains an entry when the `default` site is created.
    mutating func apply(to config: inout RelayConfig, sitePaths: inout [String]) {
        let s = "PIXELRELAY_"
        if let v = value(s + "HOST", ConfigRules.host) { config.server.host = v }
        if let v = value(s + "PORT", { ConfigRules.integer($0, in: ConfigLimits.port) }) { config.server.port = v }
        if let v = value(s + "DATA_DIR", ConfigRules.directory) { config.storage.dataDir = v }
        if let v = value(s + "GRAPH_API_URL", ConfigRules.baseURL) { config.graphAPI.baseURL = v }
        if let v = value(s + "GRAPH_API_VERSION", ConfigRules.graphVersion) { config.graphAPI.version = v }
        if let raw = lookup.plain(s + "TRUSTED_PROXIES") {
            var blocks: [CIDR] = []
            for item in raw.split(separator: ",") where !ConfigRules.trim(item).isEmpty {
                switch ConfigRules.cidr(ConfigRules.trim(item)) {
                case .success(let block): blocks.append(block)
                case .failure(let m): report(s + "TRUSTED_PROXIES", "entry \"\(ConfigRules.trim(item))\" " + m.text)
                }
            }
            config.server.trustedProxies = blocks
        }
        if let token = secret(s + "ADMIN_TOKEN") { config.admin.token = token }
        if let v = value(s + "LOG_LEVEL", { ConfigRules.oneOf($0, LoggingConfig.Level.self) }) {
            config.logging.level = v
        }
        if let v = value(s + "LOG_FORMAT", { ConfigRules.oneOf($0, LoggingConfig.Format.self) }) {
            config.logging.format = v
        }
        applyShortcut(to: &config, sitePaths: &sitePaths)
    }

    private mutating func applyShortcut(to config: inout RelayConfig, sitePaths: inout [String]) {
        let s = "PIXELRELAY_"
        let pixelID = value(s + "PIXEL_ID", ConfigRules.pixelID)
        let token = secret(s + "ACCESS_TOKEN")
        let testCode = value(s + "TEST_EVENT_CODE", ConfigRules.testEventCode)
        var origins: [String]? = nil
        var anyOrigin = false
        if let raw = lookup.plain(s + "ALLOWED_ORIGINS") {
            origins = []
            for item in raw.split(separator: ",").map(ConfigRules.trim) where !item.isEmpty {
                if item == "*" {
                    anyOrigin = true
                    continue
                }
                switch ConfigRules.origin(item) {
                case .success(let o): origins?.append(o)
                case .failure(let m): report(s + "ALLOWED_ORIGINS", "entry \"\(item)\" " + m.text)
                }
            }
        }
        let names = ["PIXEL_ID", "ACCESS_TOKEN", "ACCESS_TOKEN_FILE", "TEST_EVENT_CODE", "ALLOWED_ORIGINS"]
        guard let firstSet = names.first(where: { lookup.plain(s + $0) != nil }) else { return }

        let index: Int
        if let existing = config.sites.firstIndex(where: { $0.name == "default" }) {
            index = existing
        } else {
            // No origins given: any origin may post (the quick-start promise of interface §2).
            config.sites.append(SiteConfig(name: "default", allowAnyOrigin: origins == nil))
            sitePaths.append("env " + s + firstSet)
            index = config.sites.count - 1
        }
        var site = config.sites[index]
        if let origins {
            site.allowedOrigins = origins
            site.allowAnyOrigin = anyOrigin
            for o in origins {
                if let host = WebOrigin(o)?.host, !site.domains.contains(host) { site.domains.append(host) }
            }
        }
        if let pixelID {
            var pixel = site.pixel(id: pixelID) ?? PixelConfig(pixelID: pixelID)
            if let token { pixel.accessToken = token }
            if let testCode { pixel.testEventCode = testCode }
            site.pixels = [pixel]
        } else if token != nil || testCode != nil {
            if site.pixels.count == 1 {
                if let token { site.pixels[0].accessToken = token }
                if let testCode { site.pixels[0].testEventCode = testCode }
            } else {
                let which = token != nil ? "ACCESS_TOKEN" : "TEST_EVENT_CODE"
                report(
                    s + which,
                    "needs PIXELRELAY_PIXEL_ID to say which pixel it belongs to (the site \"default\" has"
                        + " \(site.pixels.count) pixels); set PIXELRELAY_PIXEL_ID")
            }
        }
        config.sites[index] = site
    }
}
