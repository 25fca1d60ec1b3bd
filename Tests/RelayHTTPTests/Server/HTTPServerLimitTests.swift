// SPDX-License-Identifier: Apache-2.0
import RelayTestSupport
import Testing

@testable import RelayHTTP

/// reliability.md H3 over a real socket: oversized request parts are refused as soon as the limit is
/// crossed, with the right status, and the connection is closed.
@Suite struct HTTPServerLimitTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var request: String
        var status: Int
        var description: String { name }
    }

    static let fields101 = (0..<101).map { "X-\($0): v\r\n" }.joined()

    static let cases: [Case] = [
        Case(
            name: "request-line over 8 KiB",
            request: "GET /\(String(repeating: "a", count: 8200)) HTTP/1.1\r\nHost: a\r\n\r\n", status: 414),
        Case(
            name: "header section over 16 KiB",
            request: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "b", count: 16_500))\r\n\r\n", status: 431
        ),
        Case(
            name: "header section over 16 KiB in many fields",
            request: "GET / HTTP/1.1\r\nHost: a\r\n"
                + String(repeating: "X-F: \(String(repeating: "c", count: 90))\r\n", count: 190) + "\r\n", status: 431),
        Case(name: "101 header fields", request: "GET / HTTP/1.1\r\nHost: a\r\n\(fields101)\r\n", status: 431),
        Case(
            name: "Content-Length over the body limit",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n", status: 413),
        Case(
            name: "chunk over the body limit",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n", status: 413),
    ]

    @Test("an oversized request is refused with its status and the connection closed", arguments: cases)
    func oversizedRequestIsRefused(_ c: Case) throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send(c.request)
            let (responses, end) = client.responsesUntilClose()
            #expect(end != .timedOut)
            #expect(responses.map(\.status) == [c.status])
            #expect(responses.first?.header("Connection")?.lowercased() == "close")
        }
    }

    @Test("requests exactly at the limits are served")
    func requestsAtTheLimitsAreServed() throws {
        try TestServer.with { server in
            let client = try server.connect()
            let target = "/" + String(repeating: "a", count: 8 * 1024 - "GET / HTTP/1.1".count)
            #expect(client.get(target)?.status == 200)
            let hundred = (0..<99).map { "X-\($0): v\r\n" }.joined()  // plus Host = 100
            #expect(client.get("/", headers: hundred)?.status == 200)
            let body = String(repeating: "z", count: 64 * 1024)
            client.send("POST /max HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(client.readResponses(1).first?.body == "POST /max 65536")
        }
    }

    @Test("Content-Length over the limit is answered right after the head, without the body being sent")
    func contentTooLargeAnsweredBeforeTheBody() throws {
        try TestServer.with({
            $0.headerTimeoutMs = 5_000; $0.bodyGraceMs = 5_000
        }) { server in
            let client = try server.connect(timeoutMs: 1_000)
            let start = nowMs()
            client.send("POST /events HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n")
            let response = try #require(client.readResponses(1).first)
            #expect(response.status == 413)
            #expect(nowMs() - start < 500, "answered at once, not after a body or timeout")
            #expect(client.isClosedByPeer())
        }
    }

    @Test("a client that keeps sending its too-large body still receives the 413", arguments: [256 * 1024, 4 << 20])
    func contentTooLargeSurvivesABodyInFlight(bodyBytes: Int) throws {
        try TestServer.with { server in
            let client = try server.connect(timeoutMs: 2_000)
            client.send("POST /events HTTP/1.1\r\nHost: a\r\nContent-Length: \(bodyBytes)\r\n\r\n")
            // Like curl without Expect: the body is written whatever the server says meanwhile.
            let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
            for _ in 0..<(bodyBytes / chunk.count) {
                client.send(chunk)
            }
            let (responses, end) = client.responsesUntilClose()
            #expect(responses.map(\.status) == [413])
            #expect(end != .timedOut)
        }
    }

    @Test("the body limit comes from the configuration")
    func configuredBodyLimit() throws {
        try TestServer.with({ $0.limits.maxBodyBytes = 10 }) { server in
            let client = try server.connect()
            client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789")
            #expect(client.readResponses(1).first?.status == 200)
            client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n")
            #expect(client.readResponses(1).first?.status == 413)
        }
    }
}
