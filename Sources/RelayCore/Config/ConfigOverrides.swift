// SPDX-License-Identifier: Apache-2.0

/// Values from command-line flags; they win over the environment and the config file.
public struct ConfigOverrides: Sendable, Equatable {
    /// `--config FILE`: the config file (an error if it does not exist).
    public var configPath: String?
    /// `--host H`.
    public var host: String?
    /// `--port P`.
    public var port: Int?
    /// `--data-dir DIR`.
    public var dataDir: String?
    /// `--dry-run` (true); nil = not given.
    public var dryRun: Bool?

    /// No overrides.
    public init() {}

    /// Overrides with the given flags.
    public init(
        configPath: String? = nil, host: String? = nil, port: Int? = nil, dataDir: String? = nil, dryRun: Bool? = nil
    ) {
        self.configPath = configPath
        self.host = host
        self.port = port
        self.dataDir = dataDir
        self.dryRun = dryRun
    }
}
