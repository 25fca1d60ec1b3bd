// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Health, readiness, metrics, the snippet and the demo page, from the real binary.
@Suite("Health, metrics, snippet and demo endpoints (real binary)")
struct OperationalEndpointTests {
    @Test("/healthz answers 200 {\"status\":\"ok\"} to GET and HEAD", arguments: ["GET", "HEAD"])
    func healthz(method: String) async throws {
        let gw = try await E2E.main.get()
        let r = try await E2EClient.send(port: gw.port, method, "/healthz")
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "application/json")
        #expect(r.text == (method == "GET" ? "{\"status\":\"ok\"}" : ""))
    }

    @Test("/readyz answers 200 with JSON saying ready, dry-run and the queue")
    func readyz() async throws {
        let gw = try await E2E.main.get()
        let r = try await E2EClient.send(port: gw.port, "GET", "/readyz")
        #expect(r.status == 200, "\(r.text)")
        let json = try #require(r.json)
        #expect(json["status"]?.stringValue == "ready")
        #expect(json["reasons"] == .array([]))
        #expect(json["dry_run"] == .bool(true))
        #expect(json["queue"]?["events"]?.int64Value != nil)
    }

    @Test("/metrics is Prometheus text with request and accepted-event counters that count real traffic")
    func metrics() async throws {
        // A gateway of its own: on the shared one, other tests' traffic would satisfy the counts.
        let gw = try await E2EGateway.start(config: #"{ "server": { "rate_limit": { "per_second": 0 } } }"#)
        defer { _ = gw.process.stop() }
        #expect(try await E2E.post(E2E.event(), on: gw).status == 202)
        let r = try await E2EClient.send(port: gw.port, "GET", "/metrics")
        #expect(r.status == 200)
        #expect(r.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let lines = r.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("# TYPE pixelrelay_http_requests_total counter"))
        #expect(lines.contains("# TYPE pixelrelay_events_accepted_total counter"))
        let requests = Self.sample(lines, "pixelrelay_http_requests_total{route=\"events\",status=\"202\"}")
        #expect(requests == 1, "\(r.text)")
        #expect(Self.sample(lines, "pixelrelay_events_accepted_total") == 1, "\(r.text)")
        // The accepted beacon was fsynced by a group commit.
        #expect(lines.contains("# TYPE pixelrelay_queue_group_commits_total counter"))
        #expect((Self.sample(lines, "pixelrelay_queue_group_commits_total") ?? 0) >= 1, "\(r.text)")
        #expect((Self.sample(lines, "pixelrelay_queue_fsyncs_total") ?? 0) >= 1, "\(r.text)")
        // Nothing waits for a sync once the beacon is answered, and nothing was refused for it.
        #expect(lines.contains("# TYPE pixelrelay_queue_commit_backlog_bytes gauge"))
        #expect(Self.sample(lines, "pixelrelay_queue_commit_backlog_refused_total") == 0, "\(r.text)")
        for line in lines where !line.hasPrefix("#") {
            #expect(line.split(separator: " ").count == 2, "not a Prometheus sample: \(line)")
        }
    }

    /// The value of the sample line that starts with `series` (exact name and labels).
    static func sample(_ lines: [String], _ series: String) -> Double? {
        lines.first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test("/sdk.js is JavaScript with an ETag and the site's _rules call; If-None-Match gets 304 with no body")
    func sdk() async throws {
        let gw = try await E2E.main.get()
        let r = try await E2EClient.send(port: gw.port, "GET", "/sdk.js", headers: [("Host", "track.example.com")])
        #expect(r.status == 200)
        #expect(r.header("Content-Type")?.hasPrefix("application/javascript") == true)
        let etag = try #require(r.header("ETag"))
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && etag.count > 2)
        #expect(
            r.text.contains("pixelrelay('_rules',[{\"selector\":\"#attend\",\"event\":\"Lead\"}]);"),
            "\(r.text.suffix(200))")
        let cached = try await E2EClient.send(
            port: gw.port, "GET", "/sdk.js", headers: [("Host", "track.example.com"), ("If-None-Match", etag)])
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
        #expect(cached.header("ETag") == etag)
        let stale = try await E2EClient.send(
            port: gw.port, "GET", "/sdk.js", headers: [("Host", "track.example.com"), ("If-None-Match", "\"stale\"")])
        #expect(stale.status == 200 && stale.body == r.body)
    }

    @Test(
        "/sdk.js picked by the Referer among several sites says Vary: Referer; by tracking host or ?site= it does not")
    func sdkVariesByReferer() async throws {
        let gw = try await E2E.main.get()
        let byHost = try await E2EClient.send(port: gw.port, "GET", "/sdk.js", headers: [("Host", "track.example.com")])
        #expect(byHost.status == 200 && !byHost.headers("Vary").contains("Referer"), "\(byHost.headers)")
        let byName = try await E2EClient.send(port: gw.port, "GET", "/sdk.js?site=local", headers: [("Host", "t.test")])
        #expect(byName.status == 200 && !byName.headers("Vary").contains("Referer"), "\(byName.headers)")
        let shop = try await E2EClient.send(
            port: gw.port, "GET", "/sdk.js", headers: [("Host", "t.test"), ("Referer", "https://shop.example.com/a")])
        let local = try await E2EClient.send(
            port: gw.port, "GET", "/sdk.js", headers: [("Host", "t.test"), ("Referer", "http://localhost:8000/")])
        #expect(shop.headers("Vary").contains("Referer") && local.headers("Vary").contains("Referer"))
        #expect(shop.text.contains("#attend") && !local.text.contains("#attend"), "each page got its site's rules")
    }

    @Test(
        "with the shipped config (no sites), /sdk.js carries the rule that wires the demo's Asistir presencial button")
    func demoRuleWithoutSites() async throws {
        let gw = try await E2EGateway.start(config: #"{ "sites": [] }"#)
        defer { _ = gw.process.stop() }
        let r = try await E2EClient.send(port: gw.port, "GET", "/sdk.js", headers: [("Host", "localhost")])
        #expect(r.status == 200)
        #expect(
            r.text.contains(##"pixelrelay('_rules',[{"selector":"#attend","event":"Lead"}]);"##),
            "\(r.text.suffix(200))")
        let demo = try await E2EClient.send(port: gw.port, "GET", "/demo")
        #expect(demo.status == 200 && demo.text.contains("id=\"attend\""))
    }

    @Test("/demo is served as HTML in dry-run")
    func demo() async throws {
        let gw = try await E2E.main.get()
        let r = try await E2EClient.send(port: gw.port, "GET", "/demo")
        #expect(r.status == 200)
        #expect(r.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(r.text.lowercased().contains("<html"))
        #expect(r.text.contains("sdk.js"))
    }
}
