// SPDX-License-Identifier: Apache-2.0

/// A response to one request. `Content-Length`, `Date` and `Connection` are added by the server
/// (`Content-Length` and the body are left out for 204 and 304).
public struct HTTPResponse: Sendable {
    /// Status code, e.g. 202.
    public var status: Int
    /// The `Content-Type`, written first when set. Kept out of `headers` so that a handler's own header
    /// list is used as it is, not copied into a new array behind it once per response.
    public var contentType: String?
    /// Header fields in order (names as they should be written).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]
    /// Close the connection after this response (errors that leave the stream in an unknown state).
    public var close: Bool
    /// Reset the connection (RST) instead of answering: for fault-injection in tests.
    public var abort: Bool

    public init(
        status: Int, contentType: String? = nil, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        close: Bool = false, abort: Bool = false
    ) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.close = close
        self.abort = abort
    }

    /// A response with a UTF-8 body and a content type.
    public init(status: Int, contentType: String, body: String, headers: [(name: String, value: String)] = []) {
        self.init(status: status, contentType: contentType, headers: headers, body: Array(body.utf8))
    }

    /// Whether a `name: value` line has no control character but horizontal tab (RFC 9110 §5.5).
    static func isSafeHeaderLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        // One pass over every header byte of every response: a plain loop on raw bytes, no slice checks.
        var bad = false
        for byte in line { bad = bad || (byte < 0x20 && byte != 0x09) || byte == 0x7F }
        return !bad
    }

    /// Serialises the head and body into `out`. A header whose name or value holds a control character
    /// other than tab is omitted (see ``isSafeHeaderLine(_:)``).
    /// - Parameters:
    ///   - keepAlive: whether the connection stays open (`Connection: close` is written otherwise).
    ///   - announceKeepAlive: write `Connection: keep-alive` (an HTTP/1.0 client assumes close otherwise).
    ///   - headOnly: a HEAD request: the body is omitted but its length is announced.
    ///   - date: the preformatted `Date` header value.
    func write(into out: inout [UInt8], keepAlive: Bool, announceKeepAlive: Bool, headOnly: Bool, date: [UInt8]) {
        out.append(contentsOf: HTTPResponse.statusLine(status))
        if let contentType {
            out.append(contentsOf: HTTPResponse.contentTypePrefix)
            out.append(contentsOf: contentType.utf8)
            out.append(contentsOf: HTTPResponse.crlf)
        }
        for h in headers {
            let start = out.count
            out.append(contentsOf: h.name.utf8)
            out.append(0x3A)
            out.append(0x20)
            out.append(contentsOf: h.value.utf8)
            // The last line of defence against response splitting: a line with a control character (a
            // CR or LF from input that slipped past its own check) is left out rather than written.
            if !out.withUnsafeBufferPointer({ Self.isSafeHeaderLine(UnsafeBufferPointer(rebasing: $0[start...])) }) {
                out.removeSubrange(start...)
                continue
            }
            out.append(0x0D)
            out.append(0x0A)
        }
        // RFC 9110 §8.6: no Content-Length (and no body) in 1xx and 204; in 304 it would have to be
        // the length of the 200, which this response does not know.
        let bodiless = status < 200 || status == 204 || status == 304
        if !bodiless {
            out.append(contentsOf: HTTPResponse.contentLengthPrefix)
            appendDecimal(body.count, to: &out)
            out.append(contentsOf: HTTPResponse.crlf)
        }
        out.append(contentsOf: date)
        if !keepAlive {
            out.append(contentsOf: HTTPResponse.connectionClose)
        } else if announceKeepAlive {
            out.append(contentsOf: HTTPResponse.connectionKeepAlive)
        }
        out.append(contentsOf: HTTPResponse.crlf)
        if !headOnly && !bodiless { out.append(contentsOf: body) }
    }

    static let crlf: [UInt8] = [0x0D, 0x0A]
    static let contentLengthPrefix = Array("Content-Length: ".utf8)
    static let contentTypePrefix = Array("Content-Type: ".utf8)
    static let connectionClose = Array("Connection: close\r\n".utf8)
    static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
    /// The interim answer to `Expect: 100-continue`.
    static let continueInterim = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static let commonStatusLines: [Int: [UInt8]] = {
        var table: [Int: [UInt8]] = [:]
        for code in [
            200, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 413, 414, 415, 429, 431, 500, 501, 503, 505,
        ] {
            table[code] = Array("HTTP/1.1 \(code) \(reasonPhrase(code))\r\n".utf8)
        }
        return table
    }()

    static func statusLine(_ status: Int) -> [UInt8] {
        if let line = commonStatusLines[status] { return line }
        return Array("HTTP/1.1 \(status) \(reasonPhrase(status))\r\n".utf8)
    }

    /// The standard reason phrase for a status code.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }
}

@inline(__always)
func appendDecimal(_ value: Int, to out: inout [UInt8]) {
    if value < 10 {
        out.append(UInt8(0x30 + value))
        return
    }
    var digits:
        (
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8
        ) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var v = value
    var n = 0
    withUnsafeMutableBytes(of: &digits) { buf in
        while v > 0 {
            buf[n] = UInt8(0x30 + v % 10)
            v /= 10
            n += 1
        }
        for i in stride(from: n - 1, through: 0, by: -1) { out.append(buf[i]) }
    }
}
