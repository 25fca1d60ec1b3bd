// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

/// The error answers of interface.md §3 from the real binary: bad JSON, too large, unknown path, wrong
/// method, and the per-client rate limit.
@Suite("Error responses and rate limiting (real binary)")
struct ErrorResponseTests {
    @Test(
        "unparsable JSON is answered 400 with a JSON error naming the byte offset",
        arguments: [("{\"event_name\": }", 15), ("[1,2", 4), ("{\"event_name\":\"A\"} x", 19), ("\u{FEFF}{}", 0)])
    func malformedJSON(body: String, offset: Int) async throws {
        let gw = try await E2E.main.get()
        let r = try await E2E.post(body, on: gw)
        #expect(r.status == 400, "\(r.text)")
        #expect(r.header("Content-Type")?.hasPrefix("application/json") == true)
        let message = try #require(r.json?["error"]?.stringValue, "\(r.text)")
        #expect(message.contains("at byte \(offset)"), "\(message)")
    }

    @Test("a body one byte over max_body_bytes is answered 413; one at the limit is accepted", arguments: [0, 1])
    func bodyLimit(over: Int) async throws {
        let gw = try await E2E.main.get()
        let event = E2E.event()
        let body = event + String(repeating: " ", count: E2E.maxBodyBytes + over - event.utf8.count)
        let r = try await E2E.post(body, on: gw)
        #expect(r.status == (over > 0 ? 413 : 202), "\(r.text)")
    }

    @Test(
        "an unknown path is answered 404 with a JSON error",
        arguments: ["/nope", "/events/extra", "/status/x", "/tr.gif"])
    func unknownPath(path: String) async throws {
        let gw = try await E2E.main.get()
        let r = try await E2EClient.send(port: gw.port, "GET", path)
        #expect(r.status == 404)
        #expect(r.json?["error"]?.stringValue != nil, "\(r.text)")
    }

    @Test(
        "a known path with the wrong method is answered 405 with an Allow header",
        arguments: [
            ("GET", "/events", "POST"), ("PUT", "/events", "POST"), ("DELETE", "/healthz", "GET"),
            ("POST", "/metrics", "GET"), ("PATCH", "/tr", "GET"),
        ])
    func wrongMethod(method: String, path: String, allowed: String) async throws {
        let gw = try await E2E.main.get()
        let r = try await E2EClient.send(port: gw.port, method, path, body: method == "GET" ? nil : [])
        #expect(r.status == 405, "\(r.text)")
        #expect(r.json?["error"]?.stringValue?.contains(method) == true)
        #expect(r.header("Allow")?.contains(allowed) == true, "\(r.headers)")
    }

    @Test(
        "a client over its rate gets 429 with Retry-After while another client behind the trusted proxy is unaffected")
    func rateLimit() async throws {
        let gw = try await E2E.rateLimited.get()
        func post(from ip: String) async throws -> E2EResponse {
            try await E2E.post(
                E2E.event(), headers: E2E.browserHeaders(origin: nil) + [("X-Forwarded-For", ip)], on: gw)
        }
        // Burst 2, refill 1/s: two pass at once; the next few (sent well within a second) are refused.
        var responses: [E2EResponse] = []
        for _ in 0..<5 { responses.append(try await post(from: "203.0.113.50")) }
        let statuses = responses.map(\.status)
        #expect(Array(statuses.prefix(2)) == [202, 202], "\(statuses)")
        let firstRefused = responses.first { $0.status == 429 }
        let limited = try #require(firstRefused, "\(statuses)")
        #expect(limited.header("Retry-After") != nil)
        #expect(limited.json?["error"]?.stringValue != nil)
        #expect(try await post(from: "203.0.113.51").status == 202)
        #expect(try await post(from: "2001:db8::51").status == 202)
    }

    @Test(
        "a request may carry at most 1,000 events: 1,000 are accepted, 1,001 are refused with 400",
        arguments: [1000, 1001])
    func batchLimit(count: Int) async throws {
        let gw = try await E2E.rateLimited.get()
        let one = "{\"event_name\":\"ViewContent\",\"event_source_url\":\"https://shop.example.com/\"}"
        let body = "[" + Array(repeating: one, count: count).joined(separator: ",") + "]"
        let r = try await E2E.post(
            body, headers: E2E.browserHeaders(origin: nil) + [("X-Forwarded-For", "198.51.100.\(count % 256)")], on: gw)
        #expect(r.status == (count <= 1000 ? 202 : 400), "\(r.text.prefix(300))")
        if count <= 1000 {
            #expect(r.json?["accepted"]?.int64Value == Int64(count))
        } else {
            #expect(r.json?["error"]?.stringValue?.contains("1000") == true, "\(r.text.prefix(300))")
        }
    }

    static let malformedRequests = [
        "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n",
    ]

    @Test("malformed HTTP is answered 400 with Connection: close", arguments: malformedRequests)
    func malformedHTTP(request: String) async throws {
        let gw = try await E2E.main.get()
        let r = try await E2EClient.exchange(port: gw.port, bytes: Array(request.utf8))
        #expect(r.status == 400)
        #expect(r.header("Connection")?.lowercased() == "close")
    }
}
