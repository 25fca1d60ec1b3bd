// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayHTTP

/// reliability.md H1 and H3 as a table: bytes in, status out.
@Suite struct HTTPParserRejectionTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var input: [UInt8]
        var status: Int
        var description: String { name }

        init(_ name: String, _ input: String, _ status: Int) {
            self.init(name, httpBytes(input), status)
        }

        init(_ name: String, _ input: [UInt8], _ status: Int) {
            self.name = name
            self.input = input
            self.status = status
        }

        /// A request whose head is `GET / HTTP/1.1`, `Host: a` and `fields`.
        static func fields(_ name: String, _ fields: String, _ status: Int, body: String = "") -> Case {
            Case(name, "POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\(body)", status)
        }
    }

    static let framing: [Case] = [
        .fields("Content-Length with Transfer-Encoding", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400),
        .fields("Transfer-Encoding with Content-Length", "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n", 400),
        .fields("duplicate equal Content-Length", "Content-Length: 5\r\nContent-Length: 5\r\n", 400, body: "hello"),
        .fields("duplicate different Content-Length", "Content-Length: 5\r\nContent-Length: 6\r\n", 400),
        .fields("Content-Length list", "Content-Length: 5, 5\r\n", 400),
        .fields("Content-Length with plus sign", "Content-Length: +5\r\n", 400),
        .fields("Content-Length negative", "Content-Length: -1\r\n", 400),
        .fields("Content-Length with inner space", "Content-Length: 1 0\r\n", 400),
        .fields("Content-Length hex", "Content-Length: 0x5\r\n", 400),
        .fields("Content-Length exponent", "Content-Length: 1e3\r\n", 400),
        .fields("Content-Length empty", "Content-Length:\r\n", 400),
        .fields("Content-Length overflow", "Content-Length: 99999999999999999999999\r\n", 400),
        .fields("Content-Length 19 digits", "Content-Length: 1000000000000000000\r\n", 400),
        .fields("Content-Length unicode digit", "Content-Length: ٣\r\n", 400),
        .fields("Transfer-Encoding gzip only", "Transfer-Encoding: gzip\r\n", 400),
        .fields("Transfer-Encoding chunked then gzip", "Transfer-Encoding: chunked, gzip\r\n", 400),
        .fields("Transfer-Encoding chunked twice", "Transfer-Encoding: chunked, chunked\r\n", 400),
        .fields(
            "Transfer-Encoding chunked in two fields", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            400),
        .fields("Transfer-Encoding with parameter", "Transfer-Encoding: chunked;q=1\r\n", 400),
        .fields("Transfer-Encoding empty", "Transfer-Encoding:\r\n", 400),
        .fields("Transfer-Encoding commas only", "Transfer-Encoding: , ,\r\n", 400),
        .fields("Transfer-Encoding lookalike", "Transfer-Encoding: xchunked\r\n", 400),
        .fields("Transfer-Encoding garbage", "Transfer-Encoding: \"chunked\"\r\n", 400),
        .fields("Transfer-Encoding gzip then chunked", "Transfer-Encoding: gzip, chunked\r\n", 501),
        .fields(
            "Transfer-Encoding identity then chunked", "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n",
            501),
        Case("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ]

    static let fieldSyntax: [Case] = [
        .fields("obs-fold", "X-A: a\r\n b\r\n", 400),
        .fields("obs-fold with tab", "X-A: a\r\n\tb\r\n", 400),
        Case("whitespace before the first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
        .fields("space before colon", "X-A : a\r\n", 400),
        .fields("tab before colon", "X-A\t: a\r\n", 400),
        Case("space before colon in Host", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        .fields("field without colon", "X-A a\r\n", 400),
        .fields("empty field name", ": a\r\n", 400),
        .fields("parenthesis in name", "X(A): a\r\n", 400),
        .fields("slash in name", "X/A: a\r\n", 400),
        .fields("non-ASCII in name", "Xé: a\r\n", 400),
        .fields("NUL in value", "X-A: a\u{0}b\r\n", 400),
        .fields("control character in value", "X-A: a\u{1}b\r\n", 400),
        .fields("DEL in value", "X-A: a\u{7F}\r\n", 400),
        .fields("escape in value", "X-A: \u{1B}[31m\r\n", 400),
        .fields("bare CR in value", "X-A: a\rb\r\n", 400),
        .fields("bare CR ending value", "X-A: a\r\r\n", 400),
        .fields("bare CR in name", "X\r-A: a\r\n", 400),
        .fields("bare LF ending a field", "X-A: a\n", 400),
        Case("bare LF ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400),
        Case("bare LF ending the request-line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
        Case("bare LF before the request-line", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("bare CR in request-line", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400),
        Case("CR CR LF", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 400),
        Case("missing Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400),
        .fields("second Host", "Host: a\r\n", 400),
        .fields("second Host differing in case", "HOST: b\r\n", 400),
        Case("Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        Case("Host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        Case("Host with at sign", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
    ]

    static let requestLine: [Case] = [
        Case("double space after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("double space before version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("tab as separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
        Case("missing version", "GET /\r\nHost: a\r\n\r\n", 400),
        Case("missing target", "GET HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("space inside target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("method with invalid token character", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("method with non-ASCII", "GÉT / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("NUL in target", "GET /\u{0} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("non-ASCII in target", "GET /é HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("DEL in target", "GET /\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("relative target", "GET events HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("authority-form target", "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("unknown absolute scheme", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("absolute-form without authority", "GET http:// HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("lowercase protocol name", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        Case("version with three digits", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
        Case("version without minor", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
        Case("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        Case("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        Case("HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505),
        Case("HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
        Case("binary garbage", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03, 0x0D, 0x0A], 400),
    ]

    static let limits: [Case] = [
        Case(
            "request-line of 8 KiB + 1", "GET /\(String(repeating: "a", count: 8192 - 13)) HTTP/1.1\r\nHost: a\r\n\r\n",
            414),
        Case(
            "8 KiB + 2 bytes without CRLF, decided before the line ends", "GET /" + String(repeating: "a", count: 8192),
            414),
        Case(
            "header section of 16 KiB + 1",
            "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "v", count: 16384 - 15))\r\n\r\n", 431),
        Case(
            "16 KiB of a field without CRLF, decided before it ends",
            "GET / HTTP/1.1\r\nX: " + String(repeating: "v", count: 16384), 431),
        Case(
            "header section of many short lines above 16 KiB",
            "GET / HTTP/1.1\r\nHost: a\r\n"
                + String(repeating: "X: \(String(repeating: "v", count: 200))\r\n", count: 90) + "\r\n", 431),
        Case("101 fields", "GET / HTTP/1.1\r\nHost: a\r\n" + (1...100).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431),
        .fields("Content-Length above 64 KiB, decided before any body byte", "Content-Length: 65537\r\n", 413),
        .fields("Content-Length of 1 GB", "Content-Length: 1000000000\r\n", 413),
    ]

    @Test("malformed framing is rejected (H1)", arguments: framing)
    func framingCases(_ c: Case) { check(c) }

    @Test("malformed field lines, bare CR/LF and Host problems are rejected (H1)", arguments: fieldSyntax)
    func fieldCases(_ c: Case) { check(c) }

    @Test("malformed request-lines are rejected and unknown versions get 505 (H1)", arguments: requestLine)
    func requestLineCases(_ c: Case) { check(c) }

    @Test("request-line, header and body limits answer 414, 431 and 413 as soon as exceeded (H3)", arguments: limits)
    func limitCases(_ c: Case) { check(c) }

    func check(_ c: Case) {
        let whole = parseOnce(c.input)
        #expect(whole.status == c.status, "\(c.name): \(whole)")
        // Fed byte by byte the parser reaches the same verdict (and never a request first).
        let growing = parseGrowing(c.input, cuts: Array(0..<c.input.count))
        #expect(growing == whole, "\(c.name)")
    }

    @Test("the largest allowed request-line, header section, field count and body are accepted")
    func exactLimits() {
        let line = "GET /\(String(repeating: "a", count: 8192 - 14)) HTTP/1.1"
        #expect(line.utf8.count == 8192)
        #expect(parseOnce("\(line)\r\nHost: a\r\n\r\n").request != nil)
        let longField = "Host: a\r\nX: \(String(repeating: "v", count: 16384 - 16))\r\n\r\n"
        #expect(longField.utf8.count == 16384)
        #expect(parseOnce("GET / HTTP/1.1\r\n\(longField)").request != nil)
        let hundred = "Host: a\r\n" + (1...99).map { "X-\($0): v\r\n" }.joined()
        #expect(parseOnce("GET / HTTP/1.1\r\n\(hundred)\r\n").request?.headers.count == 100)
        let body = String(repeating: "b", count: 65536)
        #expect(
            parseOnce("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 65536\r\n\r\n\(body)").request?.body.count == 65536
        )
    }

    @Test("custom limits are honoured at their exact boundaries")
    func customLimits() {
        let limits = HTTPParserLimits(maxRequestLine: 20, maxHeaderBytes: 21, maxHeaderCount: 2, maxBodyBytes: 3)
        #expect(parseOnce("GET /234567 HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits).request != nil)
        #expect(parseOnce("GET /2345678 HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits).status == 414)
        // "Host: a\r\n" (9) + "X: 12345\r\n" (10) + the final CRLF (2) is exactly 21.
        #expect(parseOnce("GET / HTTP/1.1\r\nHost: a\r\nX: 12345\r\n\r\n", limits: limits).request != nil)
        #expect(parseOnce("GET / HTTP/1.1\r\nHost: a\r\nX: 123456\r\n\r\n", limits: limits).status == 431)
        #expect(parseOnce("GET / HTTP/1.1\r\nHost: a\r\nX:\r\nY:\r\n\r\n", limits: limits).status == 431)
        let small = HTTPParserLimits(maxBodyBytes: 3)
        #expect(parseOnce("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", limits: small).request != nil)
        #expect(parseOnce("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n", limits: small).status == 413)
    }

    @Test("errors carry a short reason naming the problem")
    func reasons() {
        let conflict = parseOnce(
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(
            conflict == .error(HTTPParseError(status: 400, reason: "conflicting Content-Length and Transfer-Encoding")))
        #expect(
            parseOnce("GET / HTTP/1.1\r\nHost: a\r\nX : b\r\n\r\n")
                == .error(HTTPParseError(status: 400, reason: "whitespace before colon in field line")))
        #expect(
            parseOnce("GET / HTTP/2.0\r\n") == .error(HTTPParseError(status: 505, reason: "HTTP version not supported"))
        )
    }
}
