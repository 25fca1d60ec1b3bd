// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayTestSupport
import Testing

@testable import RelayHTTP

/// Clients that vanish, read slowly or never read, and a graceful shutdown with work in flight.
@Suite(.serialized) struct HTTPServerRobustnessTests {
    /// Starts a graceful shutdown on another thread (it blocks until the drain ends); the flag is set then.
    static func startShutdown(_ server: TestServer, graceMs: Int64) -> Flag {
        let done = Flag()
        Thread { [server] in
            server.server.shutdown(graceMs: graceMs)
            done.set()
        }.start()
        return done
    }

    @Test("a client gone before its deferred response is ready costs nothing, and later requests are fine")
    func clientGoneBeforeDeferredResponse() throws {
        try TestServer.with { server in
            for reset in [false, true] {
                do {
                    let client = try server.connect()
                    client.send("GET /delay/100/gone HTTP/1.1\r\nHost: a\r\n\r\n")
                    if reset { client.setResetOnClose() }
                }
                // A large deferred answer to a reset socket: the send fails with EPIPE/ECONNRESET, which
                // would kill this process with SIGPIPE unless the server sends with MSG_NOSIGNAL.
                do {
                    let client = try server.connect()
                    client.send(
                        "GET /delay/50/x HTTP/1.1\r\nHost: a\r\n\r\nGET /big/4000000 HTTP/1.1\r\nHost: a\r\n\r\n")
                    if reset { client.setResetOnClose() }
                }
            }
            usleep(300_000)
            #expect(eventually { server.statistics.openConnections == 0 })
            let client = try server.connect()
            #expect(client.get("/still/alive")?.body == "GET /still/alive 0")
        }
    }

    @Test("a client that resets mid-response does not disturb the server")
    func resetWhileReceiving() throws {
        try TestServer.with { server in
            do {
                let client = try server.connect(receiveBufferBytes: 4096)
                client.send("GET /big/8000000 HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(client.waitReadable(timeoutMs: 2_000))
                client.setResetOnClose()
            }
            #expect(eventually { server.statistics.openConnections == 0 })
            let client = try server.connect()
            #expect(client.get("/after")?.status == 200)
        }
    }

    @Test("a 1 MiB response reaches a slow reader completely and in order with the next one")
    func largeResponseToSlowReader() throws {
        // A 64 KiB socket send buffer: the response needs many EPOLLOUT rounds.
        try TestServer.with({ $0.socketSendBufferBytes = 64 * 1024 }) { server in
            let size = 1 << 20
            let client = try server.connect()
            client.send("GET /big/\(size) HTTP/1.1\r\nHost: a\r\n\r\nGET /small HTTP/1.1\r\nHost: a\r\n\r\n")
            var data: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 8192)
            var reads = 0
            var bigEnd = Int.max  // where the first response ends, once its head is in
            while data.count < bigEnd || RawResponse.parse(Array(data[bigEnd...])) == nil {
                let n = buf.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                data.append(contentsOf: buf[0..<n])
                reads += 1
                if reads % 8 == 0 { usleep(1_000) }  // a slow reader
                if bigEnd == .max, let (head, headLength) = RawResponse.parse(data, headOnly: true) {
                    bigEnd = headLength + (Int(head.header("Content-Length") ?? "") ?? 0)
                }
            }
            let (_, headLength) = try #require(RawResponse.parse(data, headOnly: true))
            try #require(bigEnd == headLength + size && data.count >= bigEnd)
            #expect(Array(data[(bigEnd - size)..<bigEnd]) == ScriptedResponder.pattern(size))
            #expect(RawResponse.parse(Array(data[bigEnd...]))?.0.body == "GET /small 0")
        }
    }

    @Test("responses owed before an error reach a client that keeps sending, and only then the connection closes")
    func responsesBeforeAnErrorSurviveAClientStillSending() throws {
        try TestServer.with { server in
            let size = 2_000_000
            let client = try server.connect(timeoutMs: 3_000, receiveBufferBytes: 4096)
            let head =
                "GET /big/\(size) HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n"
            // The body is written (blocking) before anything is read, like a client that streams its
            // upload; the server must keep reading it, or both sides stall and its close becomes an RST.
            let start = nowMs()
            client.send(Array(head.utf8) + [UInt8](repeating: 0x62, count: 4 << 20))
            #expect(nowMs() - start < 2_500, "the server kept reading the rejected body")
            let (responses, end) = client.responsesUntilClose()
            #expect(responses.map(\.status) == [200, 413])
            #expect(responses.first.map { Array($0.body.utf8) } == ScriptedResponder.pattern(size))
            #expect(end == .closed)
        }
    }

    @Test("a client that never reads its responses is disconnected after the write timeout")
    func nonReadingClientIsDisconnected() throws {
        try TestServer.with({ $0.writeTimeoutMs = 300 }) { server in
            let client = try server.connect(receiveBufferBytes: 4096)
            client.send("GET /big/8000000 HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(client.waitReadable(timeoutMs: 2_000), "the response has started")
            let start = nowMs()
            #expect(eventually(timeoutMs: 3_000) { server.statistics.openConnections == 0 })
            let elapsed = nowMs() - start
            #expect(elapsed >= 250 && elapsed < 1_500, "disconnected after \(elapsed) ms")
            #expect(server.statistics.timeouts == 1)
            #expect(client.readToEnd().end == .reset)
            withExtendedLifetime(client) {}
        }
    }

    @Test("an aborting response resets the connection")
    func abortResets() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send("GET /abort HTTP/1.1\r\nHost: a\r\n\r\n")
            let (bytes, end) = client.readToEnd()
            #expect(bytes.isEmpty)
            #expect(end == .reset)
        }
    }

    @Test("graceful shutdown answers a deferred in-flight request, then closes and refuses new connections")
    func gracefulShutdown() throws {
        let server = try TestServer()
        let client = try server.connect()
        let idle = try server.connect()
        #expect(idle.get("/idle")?.status == 200)
        client.send("GET /hold/1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(eventually { server.responder.heldCount == 1 })

        let done = Self.startShutdown(server, graceMs: 5_000)
        // New connections are refused as soon as the drain begins; the idle one is closed.
        #expect(eventually { (try? server.connect()) == nil })
        #expect(idle.readToEnd().end == .closed)
        usleep(100_000)
        #expect(!done.isSet, "shutdown waits for the request in flight")

        server.responder.releaseHeld()
        let (responses, end) = client.responsesUntilClose()
        #expect(responses.map(\.body) == ["held"])
        #expect(responses.first?.header("Connection")?.lowercased() == "close")
        #expect(end == .closed)
        #expect(eventually { done.isSet })
    }

    @Test("graceful shutdown answers every pipelined request already read, in order, and closes after the last")
    func shutdownAnswersPipelinedRequests() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send("GET /hold/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /hold/2 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(eventually { server.responder.heldCount == 2 })

        let done = Self.startShutdown(server, graceMs: 5_000)
        #expect(eventually { (try? server.connect()) == nil })
        server.responder.releaseHeld()
        let (responses, end) = client.responsesUntilClose()
        #expect(responses.map(\.body) == ["held", "held"])
        #expect(responses.first?.header("Connection") == nil, "the first answer keeps the connection for the second")
        #expect(responses.last?.header("Connection")?.lowercased() == "close")
        #expect(end == .closed)
        #expect(eventually { done.isSet })
    }

    @Test("a request still arriving when shutdown begins is read and answered with Connection: close")
    func shutdownFinishesARequestInProgress() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send("POST /late HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab")
        #expect(eventually { server.statistics.openConnections == 1 })
        usleep(50_000)  // the partial request is in the server's buffer
        let done = Self.startShutdown(server, graceMs: 3_000)
        #expect(eventually { (try? server.connect()) == nil })
        client.send("cd")
        let (responses, end) = client.responsesUntilClose()
        #expect(responses.map(\.body) == ["POST /late 4"])
        #expect(responses.first?.header("Connection")?.lowercased() == "close")
        #expect(end == .closed)
        #expect(eventually { done.isSet })
    }

    @Test("graceful shutdown does not wait for connections that only wait for the client's FIN")
    func shutdownSkipsLingeringConnections() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n")
        #expect(client.responsesUntilClose().responses.map(\.status) == [400])
        #expect(server.statistics.openConnections == 1)
        let start = nowMs()
        server.server.shutdown(graceMs: 5_000)
        #expect(nowMs() - start < 1_000)
        withExtendedLifetime(client) {}
    }

    @Test("graceful shutdown gives up on unfinished work after the grace period")
    func shutdownGraceExpires() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send("GET /hold/forever HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(eventually { server.responder.heldCount == 1 })
        let start = nowMs()
        server.server.shutdown(graceMs: 300)
        let elapsed = nowMs() - start
        #expect(elapsed >= 250 && elapsed < 1_500, "shutdown took \(elapsed) ms")
        #expect(client.readToEnd().end != .timedOut)
        server.responder.releaseHeld()  // a late answer after shutdown must be harmless
    }
}
