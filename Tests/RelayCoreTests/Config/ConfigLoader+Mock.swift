// SPDX-License-Identifier: Apache-2.0

@testable import RelayCore

/// Test fixtures for `ConfigLoader`: an in-memory file system and environment.
extension ConfigLoader {
    /// The path the fixtures put the config file at (named with `--config`).
    static let testConfigPath = "/test/pixelrelay.json"

    /// Loads with `json` (if any) as the `--config` file, plus extra files and environment.
    static func make(
        json: String? = nil, env: [String: String] = [:], files: [String: String] = [:],
        overrides: ConfigOverrides = .init()
    ) -> Result<RelayConfig, ConfigLoadError> {
        var all = files
        var o = overrides
        if let json {
            all[testConfigPath] = json
            if o.configPath == nil { o.configPath = testConfigPath }
        }
        return load(overrides: o, environment: env, readFile: { all[$0].map { Array($0.utf8) } })
    }

    /// The issues of a load that is expected to fail (empty when it succeeded).
    static func issues(
        json: String? = nil, env: [String: String] = [:], files: [String: String] = [:],
        overrides: ConfigOverrides = .init()
    ) -> [ConfigIssue] {
        switch make(json: json, env: env, files: files, overrides: overrides) {
        case .success: return []
        case .failure(let e): return e.issues
        }
    }
}

extension Result where Failure == ConfigLoadError {
    /// The value, or nil; keeps test expressions short.
    var config: Success? {
        if case .success(let c) = self { return c }
        return nil
    }
}
