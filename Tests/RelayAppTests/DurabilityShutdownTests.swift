// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayStore
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension DurabilityEndToEndTests {
    /// F6: a graceful stop under load with a slow upstream.
    @Suite("F6: SIGTERM")
    struct ShutdownTests {
        /// A request sent all but its last bytes, finished on demand.
        struct HalfSent {
            let id: String
            let client: RawHTTPClient
            let rest: [UInt8]

            init(id: String, port: Int) throws {
                self.id = id
                let bytes = Array(Beacon.request([Beacon.event(id: id)]).utf8)
                client = try RawHTTPClient(port: port)
                client.send(Array(bytes.dropLast(16)))
                rest = Array(bytes.suffix(16))
            }

            func finish() -> Int {
                client.send(rest)
                return client.readResponses(1).first?.status ?? 0
            }
        }

        @Test(
            "SIGTERM under load with a hanging upstream answers in-flight requests, exits 0 within 10 s and keeps undelivered events for the next start"
        )
        func sigtermKeepsInFlightWork() async throws {
            let rig = try DurabilityRig(config: DurabilityRig.config(timeoutMs: 8_000))
            defer { rig.cleanup() }
            try rig.start()
            let early = (0..<20).map { "f6-early-\($0)" }
            #expect(rig.post(early.map { Beacon.event(id: $0) })?.status == 202)
            #expect(await rig.waitForDelivery(of: Set(early), timeoutMs: 5_000))

            // The upstream now holds every request longer than the shutdown may take.
            rig.fake.setAlways(.hang(ms: 12_000))
            let load = BeaconLoad(port: { rig.port }, threads: 3, prefix: "f6")
            load.start()
            #expect(
                await DurabilityRig.waitUntil(timeoutMs: 3_000) { rig.fake.requestCount > 1 },
                "no batch reached the hanging upstream")
            let halves = try (0..<3).map { try HalfSent(id: "f6-half-\($0)", port: rig.port) }
            await DurabilityRig.pause(ms: 100)

            let pid = try #require(rig.process).pid
            let signalled = GatewayProcess.nowMs()
            kill(pid, SIGTERM)
            await DurabilityRig.pause(ms: 200)
            let halfStatuses = halves.map { $0.finish() }
            let exit = rig.stop(signal: SIGTERM)  // the stop is already under way; this waits for it
            let elapsed = GatewayProcess.nowMs() - signalled
            load.stop()

            #expect(exit.status == 0)
            #expect(elapsed < 10_000, "exit took \(elapsed) ms")
            #expect(halfStatuses == [202, 202, 202], "requests half-received at SIGTERM must be finished and answered")
            #expect(load.statuses.keys.allSatisfy { $0 == 202 }, "answers: \(load.statuses)")
            #expect(load.totals.accepted > 0)
            // Only a request racing the close of its idle keep-alive connection may go unanswered (the
            // client sees the close and may retry): at most one per connection.
            #expect(load.totals.unanswered <= 3)

            // Nothing acknowledged was lost: what the fake did not get is still on disk.
            let acked = load.acked + early + halves.map(\.id)
            let pending = Set(acked).subtracting(rig.deliveredIDs)
            #expect(!pending.isEmpty, "the hanging upstream should have kept some events undelivered")
            let stats = try DurableQueue.stats(directory: rig.dataDir)
            #expect(stats.totalDepth == pending.count)

            rig.fake.setAlways(nil)
            try rig.start()
            #expect(await rig.waitForDelivery(of: Set(acked), timeoutMs: 20_000))
            let audit = DeliveryAudit(
                acked: acked, sent: load.sent.union(early).union(halves.map(\.id)), received: rig.fake.received)
            #expect(audit.lost.isEmpty && audit.renamed.isEmpty && audit.unknown.isEmpty, "\(audit)")
            print(
                "F6: exit \(exit.status) after \(elapsed) ms; \(load.totals.unanswered) requests cut off by the close; \(pending.count) events kept over the restart; \(audit)"
            )
            #expect(rig.stop().status == 0)
        }
    }
}
