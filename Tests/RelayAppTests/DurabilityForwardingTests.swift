// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension DurabilityEndToEndTests {
    /// F1 and F5: an upstream outage or hang never stops ingestion, and the backlog drains in order.
    @Suite("F1, F5: upstream outages and hangs")
    struct ForwardingTests {
        /// Latency percentile `p` (0…1) of sorted samples.
        static func percentile(_ sorted: [Double], _ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }

        @Test(
            "while the upstream answers 5xx or resets, beacons are still accepted; when it returns the backlog drains in FIFO order"
        )
        func outageThenOrderedDrain() async throws {
            let rig = try DurabilityRig()
            defer { rig.cleanup() }
            rig.fake.script([.reset, .status(503, body: "{}"), .reset])
            rig.fake.setAlways(.graphError(http: 500, code: 2, transient: true))
            try rig.start()

            // One connection, so the order of acceptance is the order of sending.
            let client = try RawHTTPClient(port: rig.port)
            let total = 20_000
            let perRequest = 100
            var sent: [String] = []
            var statuses: [Int: Int] = [:]
            for r in 0..<(total / perRequest) {
                let ids = (0..<perRequest).map { "f1-\(r * perRequest + $0)" }
                client.send(Beacon.request(ids.map { Beacon.event(id: $0) }))
                statuses[client.readResponses(1).first?.status ?? 0, default: 0] += 1
                sent += ids
                await Task.yield()  // a blocking loop: let other suites' tasks run on this thread too
            }
            #expect(statuses == [202: total / perRequest], "answers during the outage: \(statuses)")
            #expect(
                await DurabilityRig.waitUntil(timeoutMs: 5_000) { rig.fake.requestCount >= 4 },
                "the forwarder should have kept retrying the failing upstream")
            #expect(rig.fake.received.isEmpty)

            rig.fake.setAlways(nil)
            let recovered = GatewayProcess.nowMs()
            #expect(
                await DurabilityRig.waitUntil(timeoutMs: 40_000) { !rig.fake.received.isEmpty },
                "no delivery after recovery")
            let firstDelivery = GatewayProcess.nowMs()
            let firstBatch = rig.fake.received.count
            #expect(await rig.waitForDelivery(of: Set(sent), timeoutMs: 30_000))
            let drained = GatewayProcess.nowMs()

            let received = rig.fake.received
            var seen = Set<String>()
            let order = received.map(\.eventID).filter { seen.insert($0).inserted }
            #expect(order == sent, "delivery order differs from acceptance order")
            let audit = DeliveryAudit(acked: sent, sent: Set(sent), received: received)
            #expect(audit.lost.isEmpty && audit.renamed.isEmpty && audit.unknown.isEmpty)
            let rate = Double(total - firstBatch) / max(Double(drained - firstDelivery), 1) * 1000
            print(
                "F1 drain: \(total) queued events; first delivery \(firstDelivery - recovered) ms after recovery (backoff); "
                    + "all delivered \(drained - firstDelivery) ms later ≈ \(Int(rate)) events/s (debug); \(audit)")
            // Full speed: once one batch gets through, the other 19 follow without a backoff between
            // them (a 1 s jittered backoff each would average 9.5 s; here it takes about half a second).
            #expect(drained - firstDelivery < 5_000, "the backlog drained in \(drained - firstDelivery) ms")
            #expect(rig.stop().status == 0)
        }

        @Test("a hanging upstream never slows ingestion: p99 of 500 beacons stays under 100 ms")
        func hangingUpstreamKeepsIngestionFast() async throws {
            let rig = try DurabilityRig(config: DurabilityRig.config(timeoutMs: 300))
            defer { rig.cleanup() }
            rig.fake.setAlways(.hang(ms: 2_000))
            try rig.start()
            #expect(rig.post([Beacon.event(id: "f5-first")])?.status == 202)
            #expect(
                await DurabilityRig.waitUntil(timeoutMs: 3_000) { rig.fake.requestCount > 0 },
                "the forwarder never reached the upstream")

            let client = try RawHTTPClient(port: rig.port)
            var latencies: [Double] = []
            var statuses: [Int: Int] = [:]
            for i in 0..<500 {
                let started = DispatchTime.now().uptimeNanoseconds
                client.send(Beacon.request([Beacon.event(id: "f5-\(i)")]))
                let status = client.readResponses(1).first?.status ?? 0
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
                statuses[status, default: 0] += 1
                await Task.yield()
            }
            #expect(statuses == [202: 500])
            // The 300 ms timeout fired and the batch was retried meanwhile: the upstream really hung.
            #expect(await DurabilityRig.waitUntil(timeoutMs: 3_000) { rig.log.contains("batch will be retried") })
            #expect(rig.fake.received.isEmpty)
            let sorted = latencies.sorted()
            let p50 = Self.percentile(sorted, 0.5)
            let p99 = Self.percentile(sorted, 0.99)
            print(
                "F5 ingestion while the upstream hangs: p50 \(p50) ms, p99 \(p99) ms, max \(sorted.last ?? 0) ms (debug)"
            )
            #expect(p99 < 100)
            #expect(rig.stop().status == 0)
        }
    }
}
