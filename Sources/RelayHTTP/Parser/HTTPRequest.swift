// SPDX-License-Identifier: Apache-2.0

/// A request method. Methods are case-sensitive tokens, so `get` is `.other("get")`.
public enum HTTPMethod: Sendable, Hashable, CustomStringConvertible {
    /// The methods the gateway routes on (and two more), recognised without allocating.
    case get, head, post, put, delete, options, patch
    /// Any other syntactically valid method token; routing decides whether it is allowed.
    case other(String)

    /// The method token as sent, e.g. `"POST"`.
    public var name: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .other(let name): name
        }
    }

    /// The method token.
    public var description: String { name }
}

/// The protocol version of a request line; other versions are rejected with `505`.
public enum HTTPVersion: Sendable, Hashable {
    /// `HTTP/1.0` and `HTTP/1.1`.
    case http1_0, http1_1
}

/// One parsed HTTP/1.x request.
public struct HTTPRequest: Sendable, Equatable {
    /// The method.
    public var method: HTTPMethod
    /// The request-target as sent, e.g. `"/tr?id=1&ev=Lead"` (only printable ASCII).
    public var target: String
    /// The path of the target, up to `?` (for absolute-form, the path after the authority;
    /// for `*`, `"*"`). Not percent-decoded.
    public var path: String
    /// The query after `?`, `""` if none; a slice of `target`, not percent-decoded.
    public var query: Substring
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields (trailers of a chunked body are validated and dropped).
    public var headers: HTTPHeaders
    /// The body with any chunked framing removed.
    public var body: [UInt8]
    /// Whether the connection may serve another request after this one (RFC 9112 §9.3):
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool

    /// Creates a request; `path`, `query` and (unless given) `keepAlive` are derived.
    /// - Parameters:
    ///   - method: the method.
    ///   - target: the request-target, e.g. `"/events?x=1"`.
    ///   - version: the protocol version (default HTTP/1.1).
    ///   - headers: the header fields.
    ///   - body: the body bytes.
    ///   - keepAlive: overrides the value derived from `version` and the `connection` field.
    public init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        keepAlive: Bool? = nil
    ) {
        self.method = method
        self.target = target
        (self.path, self.query) = Self.split(target)
        self.version = version
        self.headers = headers
        self.body = body
        if let keepAlive {
            self.keepAlive = keepAlive
        } else {
            var options = HTTPSyntax.ConnectionOptions()
            for value in headers.values("connection") { options.scan(value.utf8) }
            self.keepAlive = options.keepAlive(version)
        }
    }

    /// Splits a target into its path and query without allocating for the query.
    static func split(_ target: String) -> (path: String, query: Substring) {
        let utf8 = target.utf8
        let queryMark = utf8.firstIndex(of: UInt8(ascii: "?")) ?? utf8.endIndex
        let query = queryMark == utf8.endIndex ? target[queryMark...] : target[utf8.index(after: queryMark)...]
        var pathStart = utf8.startIndex
        if let first = utf8.first, first != UInt8(ascii: "/"), first != UInt8(ascii: "*") {
            // absolute-form "scheme://authority/path": the path starts at the first "/" after "://".
            pathStart = queryMark
            if let colon = utf8[..<queryMark].firstIndex(of: UInt8(ascii: ":")) {
                let authority = utf8.index(colon, offsetBy: 3, limitedBy: queryMark) ?? queryMark
                pathStart = utf8[authority..<queryMark].firstIndex(of: UInt8(ascii: "/")) ?? queryMark
            }
            if pathStart == queryMark { return ("/", query) }
        }
        return (String(target[pathStart..<queryMark]), query)
    }
}

/// The outcome of one `HTTPRequestParser.parse` call that did not throw.
public enum HTTPParseResult: Sendable, Equatable {
    /// The buffer holds only part of a request; call again when more bytes have arrived.
    case needMore
    /// A whole request; its bytes are the first `consumed` bytes of the buffer passed in.
    case request(HTTPRequest, consumed: Int)
}
