// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Incremental, bounded HTTP/1.1 request parser (RFC 9112). Feed it the connection's buffered
/// bytes; it never touches a socket and never copies the buffer except for the body.
///
/// Buffer contract: every call gets the bytes of the connection that have not been consumed
/// yet, starting at the first unconsumed byte. While calls return `.needMore`, the caller may
/// append to the buffer and may move it (all progress is kept as offsets from its start), but
/// must not drop bytes from its front. After `.request(_, consumed: n)` the next call's buffer
/// starts `n` bytes later (pipelining). Lines are parsed once each as they complete, so a slow
/// client costs linear, not quadratic, work.
///
/// Choices the RFC leaves open: empty lines (CRLF) before a request-line are skipped, and they
/// count toward `maxRequestLine`; a bare LF is rejected everywhere in the head, the chunk lines
/// and the trailers; a request with `Transfer-Encoding` whose final coding is not `chunked` is
/// `400` (RFC 9112 §6.3), a known-but-unsupported coding before `chunked` is `501`; absolute-form
/// targets are accepted (the path is taken after the authority), authority-form is not.
///
/// After an error the parser keeps throwing it until `reset()`: the connection must be closed.
public struct HTTPRequestParser: Sendable {
    enum Phase: Sendable { case requestLine, headers, fixedBody, chunkSize, chunkData, chunkDataEnd, trailers }

    /// Longest chunk-size line, chunk extensions included.
    static let maxChunkLine = 1024

    /// The limits in force.
    public let limits: HTTPParserLimits
    var phase = Phase.requestLine
    /// Offset of the first byte not yet parsed (start of the current line or body part).
    var pos = 0
    /// Offset up to which the current line has been searched for its LF.
    var scan = 0
    /// Start of the header (or trailer) section, for its byte budget.
    var sectionStart = 0
    var trailerCount = 0
    /// How far the method of an incomplete request-line has been checked, and whether it ended.
    var methodScan = 0
    var methodDone = false
    /// Bytes left of a fixed-length body or of the current chunk.
    var remaining = 0
    /// Chunk-size lines and CRLFs seen so far, bounded so framing cannot outgrow the body limit.
    var framingBytes = 0
    var head = PartialHead()
    var body: [UInt8] = []
    var failure: HTTPParseError?

    /// Creates a parser.
    /// - Parameter limits: the size limits (defaults as reliability.md H3).
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// True while the head has been parsed but the body has not all arrived; the server then
    /// applies the minimum body rate instead of the header deadline.
    public var isReadingBody: Bool {
        switch phase {
        case .requestLine, .headers: false
        case .fixedBody, .chunkSize, .chunkData, .chunkDataEnd, .trailers: true
        }
    }

    /// True while reading the body of a request that sent `Expect: 100-continue`; the server may
    /// write `HTTP/1.1 100 Continue` once so that such clients (curl) do not wait.
    public var expectsContinue: Bool { isReadingBody && head.expectContinue }

    /// Forgets all progress and any error, for a fresh buffer.
    public mutating func reset() {
        self = HTTPRequestParser(limits: limits)
    }

    /// Parses at most one request from the start of `buffer` (see the type's buffer contract).
    /// - Parameter buffer: the connection's unconsumed bytes.
    /// - Returns: `.request(req, consumed: n)` when a whole request (head and body) is there,
    ///   else `.needMore`.
    /// - Throws: `HTTPParseError` with the status to answer; then close the connection.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPParseResult {
        if let failure { throw failure }
        precondition(buffer.count >= pos, "HTTPRequestParser: buffer lost bytes the parser had already seen")
        guard buffer.count > pos else { return .needMore }
        do throws(HTTPParseError) {
            return try run(buffer)
        } catch {
            failure = error
            throw error
        }
    }

    /// Parses `bytes[start...]`, the unconsumed part of a connection's array buffer (same
    /// contract as `parse(_: UnsafeRawBufferPointer)`, with offsets counted from `start`).
    /// Unlike `bytes.withUnsafeBytes { … }`, whose `rethrows` loses the error type, this keeps
    /// the typed `HTTPParseError`.
    /// - Parameters:
    ///   - bytes: the connection's buffer.
    ///   - start: index of the first unconsumed byte.
    public mutating func parse(_ bytes: [UInt8], from start: Int = 0) throws(HTTPParseError) -> HTTPParseResult {
        precondition(start >= 0 && start <= bytes.count, "HTTPRequestParser: start outside the buffer")
        let result = bytes.withUnsafeBytes { raw -> Result<HTTPParseResult, HTTPParseError> in
            do throws(HTTPParseError) {
                return .success(try parse(UnsafeRawBufferPointer(rebasing: raw[start...])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    mutating func run(_ p: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPParseResult {
        while true {
            switch phase {
            case .requestLine:
                let windowEnd = limits.maxRequestLine + 2
                guard let lf = findLF(p, before: windowEnd) else {
                    try checkMethodPrefix(p, upTo: min(p.count, windowEnd))
                    if p.count >= windowEnd { throw .uriTooLong }
                    return .needMore
                }
                try checkMethodPrefix(p, upTo: lf)
                let end = try lineEnd(p, lf)
                if end > pos {
                    try parseRequestLine(p, from: pos, to: end)
                    sectionStart = lf + 1
                    head.headers.fields.reserveCapacity(16)
                    phase = .headers
                }
                advance(past: lf)
            case .headers:
                let windowEnd = sectionStart + limits.maxHeaderBytes
                guard let lf = findLF(p, before: windowEnd) else {
                    if p.count >= windowEnd { throw .headersTooLarge("header section too large") }
                    return .needMore
                }
                let end = try lineEnd(p, lf)
                if end == pos {
                    try finishHead()
                } else {
                    if head.headers.count >= limits.maxHeaderCount { throw .headersTooLarge("too many header fields") }
                    try parseFieldLine(p, from: pos, to: end)
                }
                advance(past: lf)
            case .fixedBody:
                guard p.count - pos >= remaining else { return .needMore }
                if remaining > 0 {
                    body = [UInt8](UnsafeRawBufferPointer(rebasing: p[pos..<pos + remaining]))
                    pos += remaining
                }
                return complete()
            case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
                switch try stepChunked(p) {
                case .needMore: return .needMore
                case .progressed: continue
                case .finished: return complete()
                }
            }
        }
    }

    /// Finds the next LF of the current line before `windowEnd`, resuming where the last call stopped.
    @inline(__always)
    mutating func findLF(_ p: UnsafeRawBufferPointer, before windowEnd: Int) -> Int? {
        let end = min(p.count, windowEnd)
        if scan < pos { scan = pos }
        guard scan < end, let base = p.baseAddress else { return nil }
        if let hit = memchr(base + scan, Int32(HTTPSyntax.lf), end - scan) {
            return base.distance(to: UnsafeRawPointer(hit))
        }
        scan = end
        return nil
    }

    /// Rejects a request-line whose method is already invalid before its line ends, so binary
    /// garbage (a TLS handshake on the plain port) is answered at once rather than after 8 KiB or
    /// the header deadline. It runs on every call (line complete or not) and throws what
    /// `parseRequestLine` would, so the verdict does not depend on how the bytes were split.
    mutating func checkMethodPrefix(_ p: UnsafeRawBufferPointer, upTo end: Int) throws(HTTPParseError) {
        guard !methodDone else { return }
        var i = max(pos, methodScan)
        while i < end {
            let c = p[i]
            if HTTPSyntax.isTokenByte(c) {
                i += 1
                continue
            }
            if c == HTTPSyntax.sp, i > pos {
                methodDone = true
                return
            }
            if c == HTTPSyntax.cr, i == end - 1 { break }  // maybe the line's CR: let lineEnd decide
            throw i == pos ? .badRequest("invalid method") : .badRequest("malformed request-line")
        }
        methodScan = i
    }

    /// The end of the line's content (its CR), rejecting a bare LF terminator.
    @inline(__always)
    func lineEnd(_ p: UnsafeRawBufferPointer, _ lf: Int) throws(HTTPParseError) -> Int {
        guard lf > pos, p[lf - 1] == HTTPSyntax.cr else { throw .badRequest("bare LF as line terminator") }
        return lf - 1
    }

    @inline(__always)
    mutating func advance(past lf: Int) {
        pos = lf + 1
        scan = pos
    }

    /// Hands out the finished request and starts over at the byte after it.
    mutating func complete() -> HTTPParseResult {
        let request = HTTPRequest(
            method: head.method, target: head.target, version: head.version, headers: head.headers,
            body: body, keepAlive: head.connection.keepAlive(head.version))
        let consumed = pos
        self = HTTPRequestParser(limits: limits)
        return .request(request, consumed: consumed)
    }
}

/// What the head has told so far about the request being parsed.
struct PartialHead: Sendable {
    var method = HTTPMethod.get
    var target = ""
    var version = HTTPVersion.http1_1
    var headers = HTTPHeaders()
    var contentLength: Int?
    var hostCount = 0
    var hasTransferEncoding = false
    var connection = HTTPSyntax.ConnectionOptions()
    var expectContinue = false
}
