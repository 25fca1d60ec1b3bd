// SPDX-License-Identifier: Apache-2.0

/// One HTTP POST to the upstream (the Graph API).
public struct UpstreamRequest: Sendable {
    /// Absolute `https://` URL (plain `http://` only when the client allows it, for tests).
    /// Keep secrets out of it: the access token travels in the body.
    public var url: String
    /// The POST body, sent as is.
    public var body: [UInt8]
    /// Extra request headers, e.g. `("Content-Type", "application/json")`.
    public var headers: [(String, String)]
    /// Whole-transfer deadline in milliseconds (connect, send, wait, receive).
    public var timeoutMs: Int

    /// - Parameters:
    ///   - url: absolute URL to POST to.
    ///   - body: request body bytes.
    ///   - headers: extra headers in order; a `User-Agent` here overrides the client's.
    ///   - timeoutMs: whole-transfer deadline (capi.md §1: Meta suggests 1,500 ms; our default is 5 s).
    public init(url: String, body: [UInt8], headers: [(String, String)] = [], timeoutMs: Int = 5000) {
        self.url = url
        self.body = body
        self.headers = headers
        self.timeoutMs = timeoutMs
    }
}

/// A complete HTTP response (any status; redirects are never followed).
public struct UpstreamResponse: Sendable, Equatable {
    /// The HTTP status code of the final response.
    public var status: Int
    /// The response body (bounded by the client's response limit).
    public var body: [UInt8]
    /// Response headers in arrival order, names lowercased, values trimmed.
    public var headers: [(String, String)]

    /// - Parameters:
    ///   - status: HTTP status code.
    ///   - body: body bytes.
    ///   - headers: `(name, value)` pairs; pass names lowercased.
    public init(status: Int, body: [UInt8] = [], headers: [(String, String)] = []) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    /// Field-wise equality; headers must match in order.
    public static func == (lhs: UpstreamResponse, rhs: UpstreamResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers) { $0 == $1 }
    }

    /// The first value of header `name` (give it lowercased), or nil.
    public func header(_ name: String) -> String? {
        for (n, v) in headers where n == name { return v }
        return nil
    }
}

/// Why a transfer produced no HTTP response. Messages never contain the URL's query or the body.
public enum UpstreamError: Error, Sendable, Equatable {
    /// The request's `timeoutMs` (or the connect timeout) elapsed.
    case timeout
    /// No connection could be made (refused, unreachable, DNS failure); the text says which.
    case connect(String)
    /// Any other transfer failure (reset, TLS, protocol, response too large); `code` is libcurl's `CURLcode`.
    case transport(code: Int, message: String)
    /// The client was shut down before the transfer finished (or the request came after shutdown).
    /// The request may or may not have reached the server: treat it as not delivered.
    case cancelled
}

/// An HTTP client the forwarder uses; `CurlClient` is the real one (tests can provide fakes).
public protocol UpstreamClient: Sendable {
    /// Starts a POST and calls `completion` exactly once with the response or the failure.
    ///
    /// - Parameters:
    ///   - request: what to send.
    ///   - completion: called once, possibly on the client's own I/O thread; it must return quickly
    ///     and must not block (hand work off instead), or every other transfer stalls.
    func send(
        _ request: UpstreamRequest, completion: @escaping @Sendable (Result<UpstreamResponse, UpstreamError>) -> Void)

    /// Aborts in-flight transfers (their completions get `.cancelled`), releases resources and
    /// returns once nothing will run any more. Idempotent. Later `send`s complete with `.cancelled`.
    func shutdown()
}
