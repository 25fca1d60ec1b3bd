// SPDX-License-Identifier: Apache-2.0
import RelayTestSupport
import Testing

@testable import RelayHTTP

/// reliability.md H1 over a real socket: a malformed request is answered with its status and
/// `Connection: close`, the connection is closed, and nothing pipelined after it is answered.
@Suite struct HTTPServerFramingTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var status: Int
        var description: String { name }

        init(_ name: String, _ text: String, _ status: Int) {
            self.init(name, Array(text.utf8), status)
        }

        init(_ name: String, _ bytes: [UInt8], _ status: Int) {
            self.name = name
            self.bytes = bytes
            self.status = status
        }

        /// `POST / HTTP/1.1`, `Host: a`, then `fields` (each ending in CRLF) and the empty line.
        static func fields(_ name: String, _ fields: String, _ status: Int, body: String = "") -> Case {
            Case(name, "POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\(body)", status)
        }
    }

    static let cases: [Case] = [
        .fields("Content-Length with Transfer-Encoding", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400),
        .fields("duplicate Content-Length", "Content-Length: 5\r\nContent-Length: 5\r\n", 400, body: "hello"),
        .fields("non-numeric Content-Length", "Content-Length: abc\r\n", 400),
        .fields("negative Content-Length", "Content-Length: -1\r\n", 400),
        .fields("Content-Length list", "Content-Length: 1, 1\r\n", 400, body: "x"),
        .fields("bad chunk size", "Transfer-Encoding: chunked\r\n", 400, body: "zz\r\nhello\r\n0\r\n\r\n"),
        .fields("chunk size with a sign", "Transfer-Encoding: chunked\r\n", 400, body: "+5\r\nhello\r\n0\r\n\r\n"),
        .fields("chunk data without its CRLF", "Transfer-Encoding: chunked\r\n", 400, body: "5\r\nhelloX\r\n0\r\n\r\n"),
        .fields("final coding is not chunked", "Transfer-Encoding: gzip\r\n", 400),
        .fields("unsupported coding before chunked", "Transfer-Encoding: gzip, chunked\r\n", 501),
        .fields("obs-fold", "X-A: a\r\n b\r\n", 400),
        .fields("space before colon", "X-A : a\r\n", 400),
        .fields("invalid token in field name", "X(A): a\r\n", 400),
        .fields("bare CR in field value", "X-A: a\rb\r\n", 400),
        .fields("bare LF ending a field", "X-A: a\n", 400),
        .fields("NUL in field value", "X-A: a\u{0}b\r\n", 400),
        .fields("two Host fields", "Host: b\r\n", 400),
        Case("bare LF ending the request-line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
        Case("bare CR in the request-line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("invalid token in method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("two spaces after the method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("space inside the target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Case("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        Case("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400),
        Case("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        Case("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        Case(
            "TLS handshake on the plain port", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03], 400),
        Case("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ]

    static let valid = Array("GET /after HTTP/1.1\r\nHost: a\r\n\r\n".utf8)

    @Test(
        "a malformed request is answered with its status and Connection: close, then the connection closes",
        arguments: cases)
    func malformedRequestClosesTheConnection(_ c: Case) throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send(c.bytes + Self.valid)
            let (responses, end) = client.responsesUntilClose()
            #expect(end != .timedOut, "the server must close the connection")
            try #require(responses.count == 1, "exactly the error is answered, not the request pipelined after it")
            #expect(responses[0].status == c.status)
            #expect(responses[0].header("Connection")?.lowercased() == "close")
            #expect(!responses[0].body.contains("/after"))
        }
    }

    @Test("requests before a malformed one are answered in order, nothing after it")
    func requestsBeforeTheErrorAreAnswered() throws {
        try TestServer.with { server in
            let client = try server.connect()
            let first = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
            let delayed = "GET /delay/50/two HTTP/1.1\r\nHost: a\r\n\r\n"
            let bad = "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n"
            client.send(first + delayed + bad + "GET /three HTTP/1.1\r\nHost: a\r\n\r\n")
            let (responses, end) = client.responsesUntilClose()
            #expect(end != .timedOut)
            #expect(responses.map(\.status) == [200, 200, 400])
            #expect(responses.map(\.body).prefix(2) == ["GET /one 0", "GET /delay/50/two 0"])
            #expect(responses.last?.header("Connection")?.lowercased() == "close")
        }
    }

    @Test("a malformed request split into single bytes gets the same answer")
    func malformedRequestByteByByte() throws {
        try TestServer.with { server in
            let client = try server.connect()
            for byte in Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx".utf8) {
                client.send([byte])
            }
            let (responses, end) = client.responsesUntilClose()
            #expect(end != .timedOut)
            #expect(responses.map(\.status) == [400])
        }
    }

    @Test("protocol errors are counted")
    func protocolErrorsAreCounted() throws {
        try TestServer.with { server in
            for _ in 0..<3 {
                let client = try server.connect()
                client.send("GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n")
                _ = client.responsesUntilClose()
            }
            #expect(server.statistics.protocolErrors == 3)
        }
    }
}
