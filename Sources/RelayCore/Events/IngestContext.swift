// SPDX-License-Identifier: Apache-2.0

/// What the gateway knows about the request an event arrived in.
public struct IngestContext: Sendable {
    /// Receive time, Unix milliseconds.
    public var nowMs: Int64
    /// The client's address (trusted proxies already resolved).
    public var clientIP: String?
    /// The `User-Agent` header.
    public var userAgent: String?
    /// The `Referer` header.
    public var referer: String?
    /// `_fbp` / `_fbc` from the `Cookie` header, byte-for-byte.
    public var cookieFbp: String?
    public var cookieFbc: String?
    /// A server-to-server source (valid ingest key): may set `client_ip_address` / `client_user_agent`.
    public var trustedSource: Bool = false
    /// The site's default country (lowercase alpha-2), for phone, state and zip rules.
    public var defaultCountry: String?
    /// Subdomain index used when minting cookies.
    public var cookieIndex: Int = 1

    /// Cookie decisions made by the first event of the request, reused by the rest.
    public var fbpDecision: String?
    public var fbcDecision: String??
    /// Values the response must set as cookies (nil = leave the browser's cookie alone).
    public var setFbp: String?
    public var setFbc: String?

    public init(nowMs: Int64) {
        self.nowMs = nowMs
    }
}

/// One event after validation, enrichment and hashing: ready to be queued.
public struct ProcessedEvent: Sendable {
    public var eventID: String
    public var eventName: String
    /// Unix seconds.
    public var eventTime: Int64
    /// `pixel_id` from the body, if any (routing decides whether it belongs to the site).
    public var requestedPixelID: String?
    /// The CAPI server event as a JSON object (hashed identifiers only).
    public var payload: [UInt8]
    public var matchKeys: MatchKeys
    /// `consent.ad_storage == "denied"`: valid, but never forwarded.
    public var consentDenied: Bool
    /// Fields dropped by normalisation (counted by field and reason).
    public var droppedFields: [NormalizationFailure]
    /// Non-fatal remarks for the response (e.g. an unknown `user_data` key).
    public var warnings: [String]
    /// Whether `event_id` was minted by the gateway.
    public var mintedEventID: Bool
}

/// Why an event was not accepted; the message names the field and what to do.
public struct EventRejection: Error, Sendable, Equatable {
    public var message: String
    /// A short machine reason for metrics ("invalid", "too_old").
    public var reason: String

    public init(_ message: String, reason: String = "invalid") {
        self.message = message
        self.reason = reason
    }
}
