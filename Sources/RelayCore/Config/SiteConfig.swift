// SPDX-License-Identifier: Apache-2.0

/// One website served by the gateway (an entry of `"sites"`).
///
/// Origins: with `allowAnyOrigin` every origin may post; otherwise, when `allowedOrigins` is
/// non-empty, exactly those origins; otherwise `https://` and `http://` on each of `domains`
/// (default ports only). See `allowsOrigin(_:)`.
public struct SiteConfig: Sendable, Equatable {
    /// Which event names are forwarded (`"events"`): allowed when `allow` is empty or lists the
    /// name, and `deny` does not list it. Names compare exactly (case-sensitive, as Meta does).
    public struct EventFilter: Sendable, Equatable {
        /// Forward only these event names; empty = all.
        public var allow: [String]
        /// Never forward these event names.
        public var deny: [String]

        /// A filter; default forwards everything.
        public init(allow: [String] = [], deny: [String] = []) {
            self.allow = allow
            self.deny = deny
        }

        /// Whether an event with this name is forwarded.
        ///
        /// - Parameter eventName: the event's `event_name`.
        public func allows(_ eventName: String) -> Bool {
            // `allow` matches bytes, the name Meta receives (String == would also take a canonically
            // equivalent spelling); `deny` keeps == and so refuses every spelling of a name.
            (allow.isEmpty || allow.contains { $0.utf8.elementsEqual(eventName.utf8) }) && !deny.contains(eventName)
        }
    }

    /// A no-code rule served with `/sdk.js`: a click on `selector`, or a page whose URL contains
    /// `url_contains`, tracks `event` (with `custom_data`, if given).
    public struct Rule: Sendable, Equatable {
        /// What fires the rule.
        public enum Trigger: Sendable, Equatable {
            /// A click on an element matching this CSS selector.
            case selector(String)
            /// A page view whose URL contains this substring.
            case urlContains(String)
        }

        /// What fires the rule.
        public var trigger: Trigger
        /// The event name to track.
        public var event: String
        /// Optional `custom_data` object passed through unchanged; always `.object` when present.
        public var customData: JSONValue?

        /// A rule.
        public init(trigger: Trigger, event: String, customData: JSONValue? = nil) {
            self.trigger = trigger
            self.event = event
            self.customData = customData
        }
    }

    /// Unique site name (letters, digits, `.`, `_`, `-`), used in logs, metrics and status pages.
    public var name: String
    /// Host names of the site's pages, lowercase; used to find the site from `event_source_url` and,
    /// when `allowedOrigins` is empty, to derive the allowed origins. Default none.
    public var domains: [String]
    /// Allowed `Origin`s, normalised (`scheme://host[:port]`, lowercase, default port dropped).
    /// Default none (derive from `domains`).
    public var allowedOrigins: [String]
    /// Every origin may post beacons (`"allowed_origins": ["*"]`, or the environment `default` site
    /// without `PIXELRELAY_ALLOWED_ORIGINS`). Default false.
    public var allowAnyOrigin: Bool
    /// Domain for the `_fbp`/`_fbc` cookies, lowercase without a leading dot; nil = host-only cookies.
    public var cookieDomain: String?
    /// ISO 3166-1 alpha-2 country, lowercase, used when an event has none; default nil.
    public var defaultCountry: String?
    /// Pixels (datasets) events are forwarded to; an event without a matching `pixel_id` fans out to all.
    public var pixels: [PixelConfig]
    /// Event-name filter; default forwards all.
    public var events: EventFilter
    /// No-code tracking rules for the snippet; default none.
    public var rules: [Rule]
    /// Bearer keys that mark a request as server-to-server (`"ingest_keys"`); default none.
    public var ingestKeys: [Secret]

    /// A site; every argument but the name has a default.
    public init(
        name: String, domains: [String] = [], allowedOrigins: [String] = [], allowAnyOrigin: Bool = false,
        cookieDomain: String? = nil, defaultCountry: String? = nil, pixels: [PixelConfig] = [],
        events: EventFilter = .init(), rules: [Rule] = [], ingestKeys: [Secret] = []
    ) {
        self.name = name
        self.domains = domains
        self.allowedOrigins = allowedOrigins
        self.allowAnyOrigin = allowAnyOrigin
        self.cookieDomain = cookieDomain
        self.defaultCountry = defaultCountry
        self.pixels = pixels
        self.events = events
        self.rules = rules
        self.ingestKeys = ingestKeys
    }

    /// The pixel with this id, if the site has it.
    ///
    /// - Parameter id: a `pixel_id` from an event.
    public func pixel(id: String) -> PixelConfig? {
        pixels.first { $0.pixelID == id }
    }

    /// Whether `host` (from `event_source_url` or `Referer`) is one of the site's domains.
    ///
    /// - Parameter host: a host name; compared case-insensitively.
    public func servesHost(_ host: String) -> Bool {
        let lower = host.lowercased()
        return domains.contains(lower)
    }

    /// Whether `key` is one of the site's ingest keys (constant-time per key).
    ///
    /// - Parameter key: the bearer token from `Authorization`.
    public func isIngestKey(_ key: some Collection<UInt8>) -> Bool {
        var found = false
        for k in ingestKeys where k.matches(key) { found = true }
        return found
    }
}

/// One pixel (dataset) of a site (an entry of `"pixels"`).
public struct PixelConfig: Sendable, Equatable {
    /// The pixel (dataset) id: digits only.
    public var pixelID: String
    /// The Conversions API access token; nil = this pixel is not forwarded (dry-run).
    public var accessToken: Secret?
    /// Sent as `test_event_code` with every request for this pixel; default nil.
    public var testEventCode: String?

    /// A pixel.
    public init(pixelID: String, accessToken: Secret? = nil, testEventCode: String? = nil) {
        self.pixelID = pixelID
        self.accessToken = accessToken
        self.testEventCode = testEventCode
    }
}
