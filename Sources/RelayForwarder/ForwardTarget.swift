// SPDX-License-Identifier: Apache-2.0
public import RelayCore

/// Where and how one pixel's events are sent.
public struct ForwardTarget: Sendable, Equatable {
    /// The pixel (dataset) id: the `{PIXEL_ID}` of the Graph URL.
    public var pixelID: String
    /// The CAPI access token (never logged; redacted in dry-run output).
    public var accessToken: Secret?
    /// Sent as `test_event_code` when set (events still count at Meta: testing only).
    public var testEventCode: String?

    /// Memberwise initialiser.
    public init(pixelID: String, accessToken: Secret?, testEventCode: String?) {
        self.pixelID = pixelID
        self.accessToken = accessToken
        self.testEventCode = testEventCode
    }
}

/// What happened to a batch, reported to the app for metrics, `/status` and logs.
public struct ForwardReport: Sendable {
    /// What became of the events.
    public enum Outcome: Sendable, Equatable {
        /// Meta accepted them (`messages` carries its warnings, or an `events_received` mismatch).
        case delivered
        /// Not delivered this time; they stay queued and are sent again after a backoff (the reason).
        case retrying(String)
        /// Meta rejected them (alone, after bisection): written to the dead-letter store (Meta's error).
        case deadLettered(String)
        /// A token, permission or configuration error paused the pixel; the events stay queued.
        case paused(String)
        /// Older than Meta's 7-day window: dead-lettered without being sent (D7).
        case expired
    }

    /// The pixel the events belong to.
    public var pixelID: String
    /// The events' `event_id`s, in queue order.
    public var eventIDs: [String]
    /// The events' `event_name`s (same order).
    public var eventNames: [String]
    /// What happened.
    public var outcome: Outcome
    /// Meta's `fbtrace_id`, when a response carried one.
    public var fbtraceID: String?
    /// The HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// The Graph error `code`, when there was one.
    public var graphCode: Int?
    /// How long the request took (0 for events that were never sent).
    public var latencyMs: Int64
    /// Meta's warnings (`messages`) on success.
    public var messages: [String]
}

/// Receives forwarding reports. Called on the forwarder's thread: must not block.
public protocol ForwardObserver: Sendable {
    func forwarder(didReport report: ForwardReport)
}
