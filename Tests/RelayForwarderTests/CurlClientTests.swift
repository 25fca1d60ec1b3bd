// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayForwarder

/// Sends one request and waits for its completion.
private func send(_ client: CurlClient, _ request: UpstreamRequest) async -> Result<UpstreamResponse, UpstreamError> {
    await withCheckedContinuation { continuation in
        client.send(request) { continuation.resume(returning: $0) }
    }
}

private func post(
    _ server: MiniHTTPServer, path: String = "/v26.0/1/events", body: String = "{}", timeoutMs: Int = 5000
)
    -> UpstreamRequest
{
    UpstreamRequest(
        url: "http://127.0.0.1:\(server.port)\(path)", body: Array(body.utf8),
        headers: [("Content-Type", "application/json")], timeoutMs: timeoutMs)
}

private func makeClient(maxConnections: Int = 8, responseBodyLimit: Int = 1 << 20) throws -> CurlClient {
    try CurlClient(
        maxConnections: maxConnections, allowPlainHTTP: true, userAgent: "pixelrelay/test",
        responseBodyLimit: responseBodyLimit)
}

private func elapsedMs(since start: ContinuousClock.Instant) -> Int {
    let d = ContinuousClock.now - start
    return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
}

@Suite("CurlClient against a local HTTP server")
struct CurlClientTests {
    @Test("a 200 response returns its status, body and lowercased headers, and the request arrives intact")
    func okResponse() async throws {
        let server = try MiniHTTPServer { _ in
            .respond(
                status: 200, headers: [("X-FB-Trace-ID", "abc"), ("Content-Type", "application/json")],
                body: Array(#"{"events_received":1}"#.utf8))
        }
        defer { server.stop() }
        let client = try makeClient()
        defer { client.shutdown() }

        let result = await send(client, post(server, path: "/v26.0/1/events?x=1", body: #"{"data":[1]}"#))
        let response = try result.get()
        #expect(response.status == 200)
        #expect(response.body == Array(#"{"events_received":1}"#.utf8))
        #expect(response.header("x-fb-trace-id") == "abc")
        #expect(response.header("content-type") == "application/json")

        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/v26.0/1/events?x=1")
        #expect(request.body == Array(#"{"data":[1]}"#.utf8))
        #expect(request.header("user-agent") == "pixelrelay/test")
        #expect(request.header("content-type") == "application/json")
        #expect(request.header("expect") == nil)
    }

    @Test(
        "non-2xx statuses are responses, not errors, and redirects are not followed", arguments: [500, 400, 429, 302])
    func errorStatus(status: Int) async throws {
        let server = try MiniHTTPServer { _ in
            .respond(status: status, headers: [("Location", "/elsewhere")], body: Array("x".utf8))
        }
        defer { server.stop() }
        let client = try makeClient()
        defer { client.shutdown() }

        let response = try await send(client, post(server)).get()
        #expect(response.status == status)
        #expect(server.requests.count == 1)
    }

    @Test("a server that never answers yields .timeout shortly after timeoutMs")
    func timeout() async throws {
        let server = try MiniHTTPServer { _ in .hang(ms: 10_000) }
        defer { server.stop() }
        let client = try makeClient()
        defer { client.shutdown() }

        // Timed in the completion (on the client's thread): a busy test pool may resume this task late.
        let start = ContinuousClock.now
        let (result, elapsed) = await withCheckedContinuation { continuation in
            client.send(post(server, timeoutMs: 300)) { continuation.resume(returning: ($0, elapsedMs(since: start))) }
        }
        #expect(result == .failure(.timeout))
        // Generous upper bound: CI machines are shared and loaded; the point is "bounded", not "fast".
        #expect(elapsed >= 290 && elapsed < 15_000, "took \(elapsed) ms")
    }

    @Test("a closed port yields .connect and the message does not leak the URL's query")
    func connectionRefused() async throws {
        let reserved = try ReservedPort()
        defer { reserved.release() }
        let port = reserved.port
        let client = try makeClient()
        defer { client.shutdown() }

        let request = UpstreamRequest(
            url: "http://127.0.0.1:\(port)/e?access_token=SECRET123", body: [], timeoutMs: 2000)
        let result = await send(client, request)
        guard case .failure(.connect(let message)) = result else {
            Issue.record("expected .connect, got \(result)")
            return
        }
        #expect(!message.isEmpty)
        #expect(!message.contains("SECRET123"))
    }

    @Test("a TCP reset after the request yields .transport")
    func reset() async throws {
        let server = try MiniHTTPServer { _ in .reset }
        defer { server.stop() }
        let client = try makeClient()
        defer { client.shutdown() }

        let result = await send(client, post(server))
        guard case .failure(.transport(let code, let message)) = result else {
            Issue.record("expected .transport, got \(result)")
            return
        }
        #expect(code != 0)
        #expect(!message.isEmpty)
    }

    @Test("a body sent slowly but within the deadline arrives whole; past the deadline it is a timeout")
    func slowBody() async throws {
        let body = [UInt8](repeating: 65, count: 400)
        let server = try MiniHTTPServer { request in
            .slowBody(status: 200, body: body, chunk: 100, delayMs: request.target == "/slow" ? 400 : 20)
        }
        defer { server.stop() }
        let client = try makeClient()
        defer { client.shutdown() }

        let response = try await send(client, post(server, path: "/fast", timeoutMs: 3000)).get()
        #expect(response.body == body)
        let result = await send(client, post(server, path: "/slow", timeoutMs: 500))
        #expect(result == .failure(.timeout))
    }

    @Test("a response body over the limit fails with .transport instead of growing without bound")
    func bodyLimit() async throws {
        let server = try MiniHTTPServer { _ in .respond(status: 200, body: [UInt8](repeating: 1, count: 5000)) }
        defer { server.stop() }
        let client = try makeClient(responseBodyLimit: 1000)
        defer { client.shutdown() }

        let result = await send(client, post(server))
        guard case .failure(.transport(_, let message)) = result else {
            Issue.record("expected .transport, got \(result)")
            return
        }
        #expect(message.contains("1000"))
    }

    @Test("plain http is refused unless allowed, and header values with CR/LF are rejected")
    func rejectedRequests() async throws {
        let server = try MiniHTTPServer { _ in .respond(status: 200) }
        defer { server.stop() }
        let strict = try CurlClient(userAgent: "pixelrelay/test")
        defer { strict.shutdown() }
        let lenient = try makeClient()
        defer { lenient.shutdown() }

        let plain = await send(strict, post(server))
        guard case .failure(.transport(code: 1, _)) = plain else {  // CURLE_UNSUPPORTED_PROTOCOL
            Issue.record("expected .transport, got \(plain)")
            return
        }
        var injected = post(server)
        injected.headers = [("X-A", "1\r\nX-B: 2")]
        guard case .failure(.transport) = await send(lenient, injected) else {
            Issue.record("expected the injected header to be rejected")
            return
        }
        #expect(server.requests.isEmpty)
    }

    @Test("50 concurrent requests all complete with their own responses")
    func concurrent() async throws {
        let server = try MiniHTTPServer { request in .respond(status: 200, body: request.body) }
        defer { server.stop() }
        let client = try makeClient()
        defer { client.shutdown() }

        let bodies = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for i in 0..<50 {
                group.addTask { (i, try await send(client, post(server, body: "\(i)")).get().body) }
            }
            return try await group.reduce(into: [Int: [UInt8]]()) { $0[$1.0] = $1.1 }
        }
        #expect(bodies.count == 50)
        #expect(bodies.allSatisfy { String(decoding: $0.value, as: UTF8.self) == "\($0.key)" })
        #expect(server.requests.count == 50)
        #expect(server.connectionCount <= 8)
    }

    @Test("sequential requests reuse one keep-alive connection")
    func connectionReuse() async throws {
        let server = try MiniHTTPServer { _ in .respond(status: 200, body: Array("ok".utf8)) }
        defer { server.stop() }
        let client = try makeClient()
        defer { client.shutdown() }

        for _ in 0..<5 {
            #expect(try await send(client, post(server)).get().status == 200)
        }
        #expect(server.requests.count == 5)
        #expect(server.connectionCount == 1)
    }

    @Test("shutdown completes in-flight requests with .cancelled, returns promptly, and later sends are cancelled")
    func shutdownInFlight() async throws {
        let server = try MiniHTTPServer { _ in .hang(ms: 60_000) }
        defer { server.stop() }
        let client = try makeClient()
        let results = Mutex<[Result<UpstreamResponse, UpstreamError>]>([])
        for _ in 0..<3 {
            client.send(post(server, timeoutMs: 20_000)) { result in results.withLock { $0.append(result) } }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while server.requests.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.requests.count == 3)

        let start = ContinuousClock.now
        client.shutdown()
        #expect(elapsedMs(since: start) < 5000)
        #expect(results.withLock { $0 } == Array(repeating: .failure(.cancelled), count: 3))
        #expect(await send(client, post(server)) == .failure(.cancelled))
        client.shutdown()
    }

    @Test("a completion may send again, and may call shutdown while another thread is shutting down")
    func reentrantCompletions() async throws {
        let server = try MiniHTTPServer { request in
            request.target == "/hang" ? .hang(ms: 10_000) : .respond(status: 200)
        }
        defer { server.stop() }
        let client = try makeClient()

        let chained = await withCheckedContinuation { continuation in
            client.send(post(server, path: "/first")) { _ in
                client.send(post(server, path: "/second")) { continuation.resume(returning: $0) }
            }
        }
        #expect(try chained.get().status == 200)

        let cancelled = Mutex(0)
        for _ in 0..<2 {
            client.send(post(server, path: "/hang", timeoutMs: 20_000)) { result in
                if result == .failure(.cancelled) { cancelled.withLock { $0 += 1 } }
                client.shutdown()  // on the loop thread, while the test thread is joining it
            }
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while server.requests.count < 4, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let start = ContinuousClock.now
        client.shutdown()
        #expect(elapsedMs(since: start) < 1000)
        #expect(cancelled.withLock { $0 } == 2)
    }

    @Test("dropping the last reference inside a completion stops the client and closes its connections")
    func releasedInsideCompletion() async throws {
        let server = try MiniHTTPServer { _ in .respond(status: 200) }
        defer { server.stop() }
        var client: CurlClient? = try makeClient()
        let status = await withCheckedContinuation { continuation in
            let captured = client!
            client = nil
            captured.send(post(server)) { result in
                _ = captured  // the completion holds the only reference; it is released on the loop thread
                continuation.resume(returning: (try? result.get().status) ?? 0)
            }
        }
        #expect(status == 200)
        let deadline = ContinuousClock.now + .seconds(5)
        while server.openConnections > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.openConnections == 0)
    }
}
