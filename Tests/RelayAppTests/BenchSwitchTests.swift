// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

/// `make bench` measures where the time goes by answering beacons early (`PIXELRELAY_BENCH_ANSWER_AT`,
/// benchmark-only and undocumented): each switch must stop where it says, queue nothing, and say so in the log.
@Suite("Benchmark answer-early switch (real binary)")
struct BenchSwitchTests {
    static func metric(_ gw: E2EGateway, _ name: String) async throws -> Double? {
        let r = try await E2EClient.send(port: gw.port, "GET", "/metrics")
        return OperationalEndpointTests.sample(r.text.split(separator: "\n").map(String.init), name)
    }

    @Test("parse: every beacon is answered 202 straight after routing, even a bad one, and nothing is queued")
    func parse() async throws {
        let gw = try await E2EGateway.start(config: "{}", environment: ["PIXELRELAY_BENCH_ANSWER_AT": "parse"])
        #expect(try await E2E.post(E2E.event(), on: gw).status == 202)
        #expect(try await E2E.post("not json", on: gw).status == 202)
        #expect(try await Self.metric(gw, "pixelrelay_queue_events") == 0)
        #expect(try await Self.metric(gw, "pixelrelay_queue_group_commits_total") == 0)
        #expect(gw.log.contains("PIXELRELAY_BENCH_ANSWER_AT=parse") && gw.log.contains("nothing is queued"))
        // Never ready while it is set: a balancer must not send real traffic to it.
        #expect(try await E2EClient.send(port: gw.port, "GET", "/readyz").status == 503)
        _ = try await gw.stop()
    }

    @Test("processing: events are validated and answered as usual, but nothing is queued")
    func processing() async throws {
        let gw = try await E2EGateway.start(config: "{}", environment: ["PIXELRELAY_BENCH_ANSWER_AT": "processing"])
        let accepted = try await E2E.post(E2E.event(id: "bench-1"), on: gw)
        #expect(accepted.status == 202, "\(accepted.text)")
        #expect(accepted.json?["event_ids"] == .array([.string("bench-1")]))
        #expect(try await E2E.post("not json", on: gw).status == 400)
        #expect(try await Self.metric(gw, "pixelrelay_queue_events") == 0)
        #expect(try await Self.metric(gw, "pixelrelay_queue_group_commits_total") == 0)
        #expect(gw.log.contains("PIXELRELAY_BENCH_ANSWER_AT=processing"))
        _ = try await gw.stop()
    }
}
