// SPDX-License-Identifier: Apache-2.0

/// Loads and validates the configuration: flag > environment > config file > built-in default.
///
/// Steps: find the file (`--config`, else `PIXELRELAY_CONFIG`, else the first of `defaultPaths`
/// that exists, else none); parse it; substitute `${NAME}` in its strings; decode it onto the
/// defaults; apply the environment; apply the flags; add the implicit `default` site when no site
/// is configured; run the cross-checks. Every problem of every step is collected, so the result
/// is either a config or the complete list of issues.
public enum ConfigLoader {
    /// Searched in order when neither `--config` nor `PIXELRELAY_CONFIG` names a file.
    public static let defaultPaths = ["./config/pixelrelay.json", "/etc/pixelrelay/pixelrelay.json"]

    /// Loads the configuration.
    ///
    /// - Parameters:
    ///   - overrides: values from command-line flags.
    ///   - environment: the process environment (tests pass a dictionary; production passes
    ///     `ProcessInfo.processInfo.environment`).
    ///   - readFile: returns a file's bytes, or nil when it does not exist or cannot be read; used for
    ///     the config file and for `*_FILE` secrets.
    /// - Returns: the validated config, or every issue found.
    public static func load(
        overrides: ConfigOverrides, environment: [String: String], readFile: (String) -> [UInt8]?
    ) -> Result<RelayConfig, ConfigLoadError> {
        withoutActuallyEscaping(readFile) { readFile in
            let lookup = EnvironmentLookup(environment: environment, readFile: readFile)
            var issues: [ConfigIssue] = []
            var config = RelayConfig()
            var sitePaths: [String] = []

            if let (path, bytes) = locateFile(overrides: overrides, lookup: lookup, issues: &issues) {
                if let document = parse(bytes, path: path, issues: &issues) {
                    var substitution = ConfigSubstitution(lookup: lookup)
                    let resolved = substitution.apply(document, at: ConfigPath.root)
                    issues += substitution.issues
                    var decoder = ConfigDecoder(
                        substitutedPaths: substitution.substitutedPaths, failedPaths: substitution.failedPaths)
                    config = decoder.decode(resolved)
                    config.sourcePath = path
                    issues += decoder.issues
                    sitePaths = decoder.sitePaths
                }
            }

            var env = ConfigEnvironment(lookup: lookup)
            env.apply(to: &config, sitePaths: &sitePaths)
            issues += env.issues

            applyFlags(overrides, to: &config, issues: &issues)

            if config.sites.isEmpty {
                // Nothing configured: a catch-all site so dry-run and /demo work out of the box. The demo
                // page's "Asistir presencial" button is bound by this rule, not by code on the page.
                config.sites.append(
                    SiteConfig(
                        name: "default", allowAnyOrigin: true,
                        rules: [SiteConfig.Rule(trigger: .selector("#attend"), event: "Lead")]))
                sitePaths.append("(built-in default site)")
            }

            var validator = ConfigValidator(sitePaths: sitePaths)
            validator.validate(config)
            issues += validator.issues
            return issues.isEmpty ? .success(config) : .failure(ConfigLoadError(issues: issues))
        }
    }

    /// The config file's path and bytes, or nil when none is named and no default exists.
    private static func locateFile(
        overrides: ConfigOverrides, lookup: EnvironmentLookup, issues: inout [ConfigIssue]
    ) -> (String, [UInt8])? {
        let named: (path: String, source: String)? =
            if let flag = overrides.configPath {
                (flag, "flag --config")
            } else if let env = lookup.plain("PIXELRELAY_CONFIG") {
                (env, "env PIXELRELAY_CONFIG")
            } else {
                nil
            }
        if let named {
            if let bytes = lookup.readFile(named.path) { return (named.path, bytes) }
            issues.append(
                ConfigIssue(
                    path: named.source,
                    message: "the config file \"\(named.path)\" does not exist or cannot be read; fix the path,"
                        + " or leave it out to use \(defaultPaths.joined(separator: " or ")) or the built-in defaults"))
            return nil
        }
        for path in defaultPaths {
            if let bytes = lookup.readFile(path) { return (path, bytes) }
        }
        return nil
    }

    /// The parsed document, or nil after an issue that says where the syntax error is.
    private static func parse(_ bytes: [UInt8], path: String, issues: inout [ConfigIssue]) -> JSONValue? {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            let offset = min(max(error.offset, 0), bytes.count)
            var line = 1
            var column = 1
            for b in bytes[..<offset] {
                if b == 0x0A {
                    line += 1
                    column = 1
                } else if b & 0xC0 != 0x80 {
                    column += 1
                }
            }
            issues.append(
                ConfigIssue(
                    path: "file " + path,
                    message: "invalid JSON at line \(line), column \(column): \(error.message)"
                        + " (JSON allows no comments or trailing commas)"))
            return nil
        }
    }

    private static func applyFlags(_ o: ConfigOverrides, to config: inout RelayConfig, issues: inout [ConfigIssue]) {
        if let host = o.host {
            switch ConfigRules.host(host) {
            case .success(let h): config.server.host = h
            case .failure(let m):
                issues.append(ConfigIssue(path: "flag --host", message: m.text + " (got \"\(host)\")"))
            }
        }
        if let port = o.port {
            if ConfigLimits.port.contains(port) {
                config.server.port = port
            } else {
                issues.append(ConfigIssue(path: "flag --port", message: "must be from 0 to 65535 (got \(port))"))
            }
        }
        if let dir = o.dataDir {
            switch ConfigRules.directory(dir) {
            case .success(let d): config.storage.dataDir = d
            case .failure(let m): issues.append(ConfigIssue(path: "flag --data-dir", message: m.text))
            }
        }
        if let dryRun = o.dryRun { config.dryRun = dryRun }
    }
}
