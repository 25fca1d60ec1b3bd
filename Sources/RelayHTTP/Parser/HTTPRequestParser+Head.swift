// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The request-line and header fields (RFC 9112 §3, §5). Each function sees one complete line
/// without its CRLF, so every decision is the same however the bytes were split.
extension HTTPRequestParser {
    /// `method SP request-target SP HTTP-version`, single spaces, nothing else.
    mutating func parseRequestLine(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) throws(HTTPParseError) {
        var i = start
        while i < end, HTTPSyntax.isTokenByte(p[i]) { i += 1 }
        guard i > start else { throw .badRequest("invalid method") }
        guard i < end, p[i] == HTTPSyntax.sp else { throw .badRequest("malformed request-line") }
        let methodEnd = i
        i += 1
        let targetStart = i
        while i < end, p[i] != HTTPSyntax.sp {
            guard HTTPSyntax.isTargetByte(p[i]) else { throw .badRequest("invalid character in request-target") }
            i += 1
        }
        guard i > targetStart, i < end else { throw .badRequest("malformed request-line") }
        let targetEnd = i
        head.version = try Self.version(p, from: i + 1, to: end)
        head.method = Self.method(p, from: start, to: methodEnd)
        try checkTargetForm(p, from: targetStart, to: targetEnd)
        head.target = String(decoding: UnsafeRawBufferPointer(rebasing: p[targetStart..<targetEnd]), as: UTF8.self)
    }

    /// origin-form (`/…`), `*` for OPTIONS, or absolute-form (`http://…`, `https://…`).
    func checkTargetForm(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) throws(HTTPParseError) {
        let first = p[start]
        if first == UInt8(ascii: "/") { return }
        if first == UInt8(ascii: "*"), end - start == 1, head.method == .options { return }
        let schemeEnd = p[start..<end].firstIndex(of: HTTPSyntax.colon) ?? end
        let scheme = p[start..<schemeEnd]
        if end - schemeEnd > 3, p[schemeEnd + 1] == UInt8(ascii: "/"), p[schemeEnd + 2] == UInt8(ascii: "/"),
            HTTPSyntax.equalsIgnoringCase(scheme, "http") || HTTPSyntax.equalsIgnoringCase(scheme, "https")
        {
            return
        }
        throw .badRequest("unsupported request-target form")
    }

    /// `HTTP/1.0` or `HTTP/1.1`; any other `HTTP/d.d` is 505, anything else 400.
    static func version(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) throws(HTTPParseError) -> HTTPVersion
    {
        guard end - start == 8, let base = p.baseAddress,
            memcmp(base + start, ("HTTP/" as StaticString).utf8Start, 5) == 0,
            p[start + 6] == UInt8(ascii: "."), HTTPSyntax.isDigit(p[start + 5]), HTTPSyntax.isDigit(p[start + 7])
        else { throw .badRequest("malformed HTTP version") }
        guard p[start + 5] == UInt8(ascii: "1") else { throw .versionNotSupported }
        switch p[start + 7] {
        case UInt8(ascii: "1"): return .http1_1
        case UInt8(ascii: "0"): return .http1_0
        default: throw .versionNotSupported
        }
    }

    /// The method token, without allocating for the common ones.
    static func method(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) -> HTTPMethod {
        let token = UnsafeRawBufferPointer(rebasing: p[start..<end])
        func equals(_ literal: StaticString) -> Bool {
            token.count == literal.utf8CodeUnitCount && memcmp(token.baseAddress!, literal.utf8Start, token.count) == 0
        }
        switch token.count {
        case 3 where equals("GET"): return .get
        case 3 where equals("PUT"): return .put
        case 4 where equals("POST"): return .post
        case 4 where equals("HEAD"): return .head
        case 5 where equals("PATCH"): return .patch
        case 6 where equals("DELETE"): return .delete
        case 7 where equals("OPTIONS"): return .options
        default: return .other(String(decoding: token, as: UTF8.self))
        }
    }

    /// Validates `name ":" OWS value OWS` and returns the name end and the trimmed value bounds.
    static func splitFieldLine(
        _ p: UnsafeRawBufferPointer, from start: Int, to end: Int
    ) throws(HTTPParseError) -> (nameEnd: Int, valueStart: Int, valueEnd: Int) {
        if HTTPSyntax.isOWS(p[start]) { throw .badRequest("obs-fold or whitespace at start of field line") }
        var i = start
        while i < end, HTTPSyntax.isTokenByte(p[i]) { i += 1 }
        guard i < end, p[i] == HTTPSyntax.colon else {
            if i == end { throw .badRequest("field line without colon") }
            if HTTPSyntax.isOWS(p[i]) { throw .badRequest("whitespace before colon in field line") }
            throw .badRequest(p[i] == HTTPSyntax.cr ? "bare CR in field name" : "invalid character in field name")
        }
        guard i > start else { throw .badRequest("empty field name") }
        var valueStart = i + 1
        var valueEnd = end
        while valueStart < valueEnd, HTTPSyntax.isOWS(p[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart, HTTPSyntax.isOWS(p[valueEnd - 1]) { valueEnd -= 1 }
        if let bad = HTTPSyntax.firstInvalidValueByte(p, from: valueStart, to: valueEnd) {
            throw .badRequest(p[bad] == HTTPSyntax.cr ? "bare CR in field value" : "control character in field value")
        }
        return (i, valueStart, valueEnd)
    }

    /// Parses one header field and notes the fields that decide framing and persistence.
    mutating func parseFieldLine(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) throws(HTTPParseError) {
        let (nameEnd, valueStart, valueEnd) = try Self.splitFieldLine(p, from: start, to: end)
        let (name, kind) = HTTPFieldName.lookup(p, from: start, to: nameEnd)
        let valueBytes = UnsafeRawBufferPointer(rebasing: p[valueStart..<valueEnd])
        switch kind {
        case .host:
            head.hostCount += 1
            guard head.hostCount == 1 else { throw .badRequest("multiple Host headers") }
            guard valueBytes.allSatisfy(HTTPSyntax.isHostByte) else { throw .badRequest("invalid Host header") }
        case .contentLength:
            guard head.contentLength == nil else { throw .badRequest("duplicate Content-Length") }
            head.contentLength = try Self.contentLength(valueBytes)
        case .transferEncoding:
            head.hasTransferEncoding = true
        case .connection:
            head.connection.scan(valueBytes)
        case .expect:
            if HTTPSyntax.equalsIgnoringCase(valueBytes, "100-continue") { head.expectContinue = true }
        case .other:
            break
        }
        head.headers.fields.append((name: name, value: String(decoding: valueBytes, as: UTF8.self)))
    }

    /// `1*DIGIT` and nothing else: no sign, no inner whitespace, no list, at most 18 digits.
    static func contentLength(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        guard !bytes.isEmpty, bytes.count <= 18 else {
            throw .badRequest(bytes.isEmpty ? "empty Content-Length" : "Content-Length out of range")
        }
        var value = 0
        for c in bytes {
            guard HTTPSyntax.isDigit(c) else { throw .badRequest("malformed Content-Length") }
            value = value * 10 + Int(c &- 0x30)
        }
        return value
    }

    /// Decides how the body is framed once the empty line ending the head has arrived.
    mutating func finishHead() throws(HTTPParseError) {
        if head.version == .http1_1, head.hostCount == 0 { throw .badRequest("missing Host header") }
        if head.hasTransferEncoding {
            // RFC 9112 §6.1: a 1.0 message with Transfer-Encoding has faulty framing.
            if head.version == .http1_0 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            if head.contentLength != nil { throw .badRequest("conflicting Content-Length and Transfer-Encoding") }
            try checkTransferEncoding()
            phase = .chunkSize
            return
        }
        let length = head.contentLength ?? 0
        if length > limits.maxBodyBytes { throw .contentTooLarge("Content-Length exceeds the body limit") }
        remaining = length
        phase = .fixedBody
    }

    /// Accepts exactly one `chunked` as the final (and only understood) transfer coding.
    func checkTransferEncoding() throws(HTTPParseError) {
        var codings = 0
        var chunkedAt = -1
        for value in head.headers.values("transfer-encoding") {
            try HTTPSyntax.forEachListElement(value.utf8) { (coding) throws(HTTPParseError) in
                guard coding.allSatisfy(HTTPSyntax.isTokenByte) else {
                    throw .badRequest("malformed Transfer-Encoding")
                }
                if HTTPSyntax.equalsIgnoringCase(coding, "chunked") {
                    guard chunkedAt < 0 else { throw .badRequest("chunked applied more than once") }
                    chunkedAt = codings
                }
                codings += 1
            }
        }
        guard codings > 0 else { throw .badRequest("empty Transfer-Encoding") }
        // RFC 9112 §6.3: without chunked last the body length cannot be determined.
        guard chunkedAt == codings - 1 else { throw .badRequest("chunked is not the final transfer coding") }
        guard codings == 1 else { throw .notImplemented("unsupported transfer coding") }
    }
}
