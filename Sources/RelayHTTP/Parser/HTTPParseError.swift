// SPDX-License-Identifier: Apache-2.0

/// Why a request could not be parsed, as the status the server should answer with.
///
/// Every parse error is fatal for the connection: the server answers `status` with
/// `Connection: close` and closes, so nothing pipelined after the bad request is answered.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The response status: 400, 413, 414, 431, 501 or 505.
    public var status: Int
    /// A short human explanation, safe to log and to send (it never quotes request bytes).
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - status: the HTTP status to answer with.
    ///   - reason: a short explanation.
    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    /// `"400 bare LF in request head"`.
    public var description: String { "\(status) \(reason)" }

    static func badRequest(_ reason: String) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }
    static func contentTooLarge(_ reason: String) -> HTTPParseError { HTTPParseError(status: 413, reason: reason) }
    static let uriTooLong = HTTPParseError(status: 414, reason: "request-line too long")
    static func headersTooLarge(_ reason: String) -> HTTPParseError { HTTPParseError(status: 431, reason: reason) }
    static func notImplemented(_ reason: String) -> HTTPParseError { HTTPParseError(status: 501, reason: reason) }
    static let versionNotSupported = HTTPParseError(status: 505, reason: "HTTP version not supported")
}
