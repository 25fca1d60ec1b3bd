// SPDX-License-Identifier: Apache-2.0
import RelayTestSupport
import Testing

@testable import RelayHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// reliability.md H5: a cap on open connections, an idle keep-alive timeout, and counters that show both.
@Suite(.serialized) struct HTTPServerConnectionLimitTests {
    @Test("beyond maxConnections a new connection is refused at once while the first ones keep working")
    func connectionCap() throws {
        try TestServer.with({ $0.maxConnections = 4 }) { server in
            var open: [RawHTTPClient] = []
            for i in 0..<4 {
                let c = try server.connect()
                #expect(c.get("/first/\(i)")?.status == 200)
                open.append(c)
            }
            let start = nowMs()
            let refused = try server.connect(timeoutMs: 2_000)
            let (bytes, end) = refused.readToEnd()
            #expect(bytes.isEmpty)
            #expect(end == .reset, "refused with an RST, not kept waiting")
            #expect(nowMs() - start < 500)
            #expect(server.statistics.refusedConnections == 1)
            for (i, c) in open.enumerated() {
                #expect(c.get("/again/\(i)")?.body == "GET /again/\(i) 0")
            }
            // Freeing a slot lets the next connection in.
            open.removeLast()
            #expect(eventually { server.statistics.openConnections == 3 })
            let next = try server.connect()
            #expect(next.get("/next")?.status == 200)
        }
    }

    @Test("an idle keep-alive connection is closed after the idle timeout")
    func idleTimeout() throws {
        try TestServer.with({ $0.idleTimeoutMs = 300 }) { server in
            let client = try server.connect()
            #expect(client.get("/")?.status == 200)
            let start = nowMs()
            let (bytes, end) = client.readToEnd()
            let elapsed = nowMs() - start
            #expect(bytes.isEmpty, "an idle close sends no response")
            #expect(end == .closed)
            #expect(elapsed >= 290 && elapsed < 1_000, "closed after \(elapsed) ms")
            #expect(eventually { server.statistics.openConnections == 0 })
        }
    }

    @Test("a connection closed after an error is released within the linger bound even if the client never closes")
    func lingeringIsBounded() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n")
            let (responses, end) = client.responsesUntilClose()
            #expect(responses.map(\.status) == [400])
            #expect(end == .closed, "the client sees EOF right after the answer")
            #expect(server.statistics.openConnections == 1, "the server waits a moment for the client's FIN")
            let start = nowMs()
            #expect(eventually(timeoutMs: 4_000) { server.statistics.openConnections == 0 })
            #expect(nowMs() - start < 3_000)
            withExtendedLifetime(client) {}
        }
    }

    @Test("statistics count accepted, open and refused connections, requests, errors and timeouts")
    func statisticsMove() throws {
        try TestServer.with({
            $0.maxConnections = 3; $0.headerTimeoutMs = 300
        }) { server in
            let before = server.statistics
            #expect(before.acceptedConnections == 0 && before.openConnections == 0 && before.requests == 0)
            let a = try server.connect()
            let b = try server.connect()
            #expect(a.get("/1")?.status == 200)
            #expect(a.get("/2")?.status == 200)
            #expect(b.get("/3")?.status == 200)
            #expect(server.statistics.openConnections == 2)
            #expect(server.statistics.requests == 3)

            do {
                let bad = try server.connect()
                bad.send("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n")
                #expect(bad.responsesUntilClose().responses.map(\.status) == [400])
            }
            #expect(eventually { server.statistics.openConnections == 2 })
            do {
                let slow = try server.connect()
                slow.send("GET / HTTP/1.1\r\n")
                #expect(slow.responsesUntilClose().responses.map(\.status) == [408])
            }
            #expect(eventually { server.statistics.openConnections == 2 })
            do {
                let silent = try server.connect()  // the third open connection: accepted, then timed out
                let refused = try server.connect()  // the fourth: refused
                #expect(refused.readToEnd().end == .reset)
                #expect(silent.readToEnd() == ([], .closed))
            }
            #expect(eventually { server.statistics.openConnections == 2 })
            let after = server.statistics
            #expect(after.protocolErrors == 1)
            #expect(after.timeouts == 2)
            #expect(after.acceptedConnections == 5)
            #expect(after.refusedConnections == 1)
            #expect(after.requests == 3, "malformed and timed-out requests are not counted as requests")
            withExtendedLifetime((a, b)) {}
        }
    }
}
