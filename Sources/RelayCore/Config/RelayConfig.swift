// SPDX-License-Identifier: Apache-2.0

/// The whole gateway configuration, after merging flags, environment, config file and defaults.
///
/// Built by `ConfigLoader.load`, which also validates it; a value built by hand in tests is not
/// validated. Every field has the documented default, so `RelayConfig()` is the built-in config
/// minus the implicit `default` site that the loader adds when no site is configured.
/// `config/README.md` documents the JSON keys (snake_case versions of these names).
public struct RelayConfig: Sendable, Equatable {
    /// Listener, limits, proxies (`"server"`).
    public var server: ServerConfig
    /// The on-disk queue (`"storage"`).
    public var storage: StorageConfig
    /// The upstream Graph API (`"graph_api"`).
    public var graphAPI: GraphAPIConfig
    /// The `/status*` pages (`"admin"`).
    public var admin: AdminConfig
    /// Log level and format (`"logging"`).
    public var logging: LoggingConfig
    /// The sites this gateway serves (`"sites"`); default: none in the file. The loader adds a `default`
    /// site when the environment shortcut is used or when no site is configured at all.
    public var sites: [SiteConfig]
    /// Dry-run requested explicitly (`--dry-run` or `"dry_run": true`); default false. See `isDryRun`.
    public var dryRun: Bool
    /// Serve the `/demo` page even when not in dry-run (`"demo"`); default false.
    public var demo: Bool
    /// Bot and crawler handling (`"bots"`).
    public var bots: BotConfig
    /// The config file that was loaded; nil when none was found (defaults and environment only).
    public var sourcePath: String?

    /// A configuration; every argument defaults to the built-in value.
    public init(
        server: ServerConfig = .init(), storage: StorageConfig = .init(), graphAPI: GraphAPIConfig = .init(),
        admin: AdminConfig = .init(), logging: LoggingConfig = .init(), sites: [SiteConfig] = [],
        dryRun: Bool = false, demo: Bool = false, bots: BotConfig = .init(), sourcePath: String? = nil
    ) {
        self.server = server
        self.storage = storage
        self.graphAPI = graphAPI
        self.admin = admin
        self.logging = logging
        self.sites = sites
        self.dryRun = dryRun
        self.demo = demo
        self.bots = bots
        self.sourcePath = sourcePath
    }

    /// True when nothing is sent to Meta: requested explicitly, or no pixel has an access token.
    ///
    /// In dry-run the whole pipeline runs but the final POST goes to the dry-run sink (interface §6).
    /// The loader rejects a config where some pixels have tokens and others do not (unless dry-run is
    /// explicit), so outside dry-run every pixel has a token.
    public var isDryRun: Bool {
        dryRun || !sites.contains { site in site.pixels.contains { $0.accessToken != nil } }
    }

    /// Whether the `/demo` page is served: in dry-run, or when `demo` is set.
    public var servesDemo: Bool { demo || isDryRun }

    /// The site with this name, if any.
    ///
    /// - Parameter name: a site's `name`.
    public func site(named name: String) -> SiteConfig? {
        sites.first { $0.name == name }
    }
}
