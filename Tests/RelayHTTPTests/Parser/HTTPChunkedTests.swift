// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayHTTP

@Suite struct HTTPChunkedTests {
    static func chunked(_ body: String, te: String = "chunked") -> [UInt8] {
        httpBytes("POST /events HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \(te)\r\n\r\n\(body)")
    }

    static let valid: [(name: String, wire: String, body: String)] = [
        ("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello"),
        ("several chunks", "3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n", "abcd"),
        ("empty body", "0\r\n\r\n", ""),
        ("hex sizes in both cases", "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n", "01234567890123456789"),
        ("leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello"),
        ("chunk extensions", "5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello"),
        ("chunk extension with quoted string and spaces", "5; a=\"b c\" ;d\r\nhello\r\n0\r\n\r\n", "hello"),
        ("trailer fields", "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other: d\r\n\r\n", "hello"),
        ("CRLF inside data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n"),
    ]

    @Test("valid chunked bodies are decoded with framing, extensions and trailers removed")
    func validBodies() {
        for c in Self.valid {
            let input = Self.chunked(c.wire)
            let out = parseOnce(input)
            #expect(out.request?.body == httpBytes(c.body), "\(c.name): \(out)")
            if case .request(let req, let consumed) = out {
                #expect(consumed == input.count, "\(c.name)")
                #expect(req.headers["x-checksum"] == nil, "trailers are not merged into the headers")
            }
            #expect(parseGrowing(input, cuts: Array(0..<input.count)) == out, "\(c.name) fed byte by byte")
        }
    }

    @Test("the transfer-coding name is case-insensitive and may carry surrounding list commas")
    func codingSpelling() {
        #expect(parseOnce(Self.chunked("0\r\n\r\n", te: "Chunked")).request != nil)
        #expect(parseOnce(Self.chunked("0\r\n\r\n", te: " , chunked")).request != nil)
    }

    static let invalid: [(name: String, wire: String, status: Int)] = [
        ("negative size", "-5\r\nhello\r\n0\r\n\r\n", 400),
        ("plus sign", "+5\r\nhello\r\n0\r\n\r\n", 400),
        ("leading space", " 5\r\nhello\r\n0\r\n\r\n", 400),
        ("space before CRLF", "5 \r\nhello\r\n0\r\n\r\n", 400),
        ("space before extension", "5 ;a\r\nhello\r\n0\r\n\r\n", 400),
        ("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", 400),
        ("non-hex digit", "g\r\nhello\r\n0\r\n\r\n", 400),
        ("empty size", "\r\nhello\r\n0\r\n\r\n", 400),
        ("size overflow", "10000000000000000\r\nx\r\n", 400),
        ("16 hex digits", "0000000000000005\r\nhello\r\n0\r\n\r\n", 400),
        ("data longer than size", "3\r\nhello\r\n0\r\n\r\n", 400),
        ("missing CRLF after data", "5\r\nhello0\r\n\r\n", 400),
        ("LF only after data", "5\r\nhello\n0\r\n\r\n", 400),
        ("bare LF after size", "5\nhello\r\n0\r\n\r\n", 400),
        ("bare LF after last chunk", "5\r\nhello\r\n0\n\r\n", 400),
        ("bare LF ending trailers", "0\r\n\n", 400),
        ("control character in extension", "5;a\u{1}\r\nhello\r\n0\r\n\r\n", 400),
        ("bare CR in extension", "5;a\rb\r\nhello\r\n0\r\n\r\n", 400),
        ("obs-fold in trailers", "0\r\nX: a\r\n b\r\n\r\n", 400),
        ("space before colon in trailer", "0\r\nX : a\r\n\r\n", 400),
        ("control character in trailer", "0\r\nX: \u{0}\r\n\r\n", 400),
        ("chunk-size line over 1 KiB", "5;" + String(repeating: "e", count: 1100) + "\r\nhello\r\n0\r\n\r\n", 400),
        ("single chunk above 64 KiB", "10001\r\n", 413),
        ("chunks adding up above 64 KiB", "8000\r\n" + String(repeating: "a", count: 0x8000) + "\r\n8001\r\n", 413),
        ("trailer section above 16 KiB", "0\r\nX: " + String(repeating: "t", count: 16400), 431),
        (
            "trailer section of many short lines above 16 KiB",
            "0\r\n" + String(repeating: "X: \(String(repeating: "t", count: 200))\r\n", count: 90) + "\r\n", 431
        ),
        ("101 trailer fields", "0\r\n" + String(repeating: "X: t\r\n", count: 101) + "\r\n", 431),
    ]

    @Test("malformed chunked framing is 400 and oversize bodies 413 as soon as the size is known")
    func invalidBodies() {
        for c in Self.invalid {
            let input = Self.chunked(c.wire)
            let out = parseOnce(input)
            #expect(out.status == c.status, "\(c.name): \(out)")
            #expect(parseGrowing(input, cuts: Array(0..<input.count)) == out, "\(c.name) fed byte by byte")
        }
    }

    @Test("many tiny chunks with long extensions are cut off by the framing budget")
    func framingBudget() {
        let limits = HTTPParserLimits(maxBodyBytes: 1024)
        let chunk = "1;" + String(repeating: "e", count: 500) + "\r\nx\r\n"
        let input = Self.chunked(String(repeating: chunk, count: 10) + "0\r\n\r\n")
        #expect(parseOnce(input, limits: limits).status == 413)
        let modest = Self.chunked(String(repeating: "1;e\r\nx\r\n", count: 100) + "0\r\n\r\n")
        #expect(parseOnce(modest, limits: limits).request?.body.count == 100)
    }

    @Test("the parser reads the body of a chunked request while waiting for its chunks")
    func readingBody() {
        var parser = HTTPRequestParser()
        let input = Self.chunked("5\r\nhello\r\n0\r\n\r\n")
        #expect(parser.outcome(input[..<(input.count - 3)]) == .needMore)
        #expect(parser.isReadingBody)
        #expect(parser.outcome(input).request?.body == httpBytes("hello"))
        #expect(!parser.isReadingBody)
    }
}
