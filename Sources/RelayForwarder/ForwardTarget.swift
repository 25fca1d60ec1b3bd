// SPDX-License-Identifier: Apache-2.0
public import RelayCore

/// Where and how one pixel's events are sent.
public struct ForwardTarget: Sendable, Equatable {
    public var pixelID: String
    /// The CAPI access token (never logged; redacted in dry-run output).
    public var accessToken: Secret?
    public var testEventCode: String?

    public init(pixelID: String, accessToken: Secret?, testEventCode: String?) {
        self.pixelID = pixelID
        self.accessToken = accessToken
        self.testEventCode = testEventCode
    }
}

/// What happened to a batch, reported to the app for metrics, `/status` and logs.
public struct ForwardReport: Sendable {
    public enum Outcome: Sendable, Equatable {
        case delivered
        case retrying(String)
        case deadLettered(String)
        case paused(String)
        case expired
    }

    public var pixelID: String
    public var eventIDs: [String]
    public var eventNames: [String]
    public var outcome: Outcome
    public var fbtraceID: String?
    public var httpStatus: Int?
    public var graphCode: Int?
    public var latencyMs: Int64
    /// Meta's warnings (`messages`) on success.
    public var messages: [String]
}

/// Receives forwarding reports. Called on the forwarder's thread: must not block.
public protocol ForwardObserver: Sendable {
    func forwarder(didReport report: ForwardReport)
}
