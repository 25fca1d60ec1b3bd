// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayStore
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The end-to-end durability proofs run the real binary and load the machine: one at a time.
@Suite("Durability and forwarding, end to end", .serialized)
struct DurabilityEndToEndTests {}

/// One kill loop's settings and what it measured.
struct KillLoop {
    var kills: Int
    var threads: Int
    var eventsPerRequest: ClosedRange<Int>
    /// Time between a (re)start and the next `kill -9`.
    var gapMs: ClosedRange<Int>
    /// The fake answers after this long (events are recorded before the answer, so a kill in
    /// between makes a duplicate after the restart).
    var upstreamDelayMs: Int
    /// Every this many kill cycles the upstream fails (HTTP 500) for one cycle, so a backlog builds and
    /// later kills land in the middle of draining full 1,000-event batches.
    var outageEvery: Int = 4
    var drainTimeoutMs: Int

    struct Result: CustomStringConvertible {
        var audit: DeliveryAudit
        var totals: BeaconLoad.Totals
        var starts: Int
        var drainMs: Int
        var exitStatus: Int32
        /// Records set aside as corrupt: a crash may only tear the tail, never damage a record.
        var quarantined: Int
        var description: String {
            "\(starts - 1) kill -9s, \(totals.requests) requests (\(totals.unanswered) cut off), \(audit), "
                + "\(quarantined) quarantined, drain after load \(drainMs) ms"
        }
    }

    /// Posts beacons from `threads` connections while the binary is killed and restarted `kills`
    /// times on the same data dir, then lets it drain to the fake and audits the deliveries.
    func run() async throws -> Result {
        let rig = try DurabilityRig()
        defer { rig.cleanup() }
        rig.fake.setAlways(.slow(ms: upstreamDelayMs))
        try rig.start()
        let load = BeaconLoad(port: { rig.port }, threads: threads, eventsPerRequest: eventsPerRequest, prefix: "d2")
        load.start()
        for cycle in 0..<kills {
            rig.fake.setAlways(cycle % outageEvery == 1 ? .status(500, body: "{}") : .slow(ms: upstreamDelayMs))
            await DurabilityRig.pause(ms: Int.random(in: gapMs))
            rig.kill9()
            try rig.start()
        }
        rig.fake.setAlways(.slow(ms: upstreamDelayMs))
        await DurabilityRig.pause(ms: 300)
        load.stop()
        let acked = load.acked
        let drainStart = GatewayProcess.nowMs()
        await rig.waitForDelivery(of: Set(acked), timeoutMs: drainTimeoutMs)
        let drainMs = GatewayProcess.nowMs() - drainStart
        // Let re-sends of batches that were in flight settle before counting duplicates.
        await DurabilityRig.pause(ms: upstreamDelayMs + 200)
        let exit = rig.stop(signal: SIGTERM)
        let stats = try DurableQueue.stats(directory: rig.dataDir)
        return Result(
            audit: DeliveryAudit(acked: acked, sent: load.sent, received: rig.fake.received), totals: load.totals,
            starts: rig.starts, drainMs: drainMs, exitStatus: exit.status, quarantined: stats.quarantined)
    }
}

extension DurabilityEndToEndTests {
    @Suite("D2: kill -9 under load")
    struct KillTests {
        @Test("kill -9 at random moments under load loses no acknowledged event and every re-send keeps its event_id")
        func killLoopLosesNothing() async throws {
            let loop = KillLoop(
                kills: 10, threads: 4, eventsPerRequest: 1...3, gapMs: 250...1100, upstreamDelayMs: 30,
                drainTimeoutMs: 20_000)
            let result = try await loop.run()
            print("D2 kill loop: \(result)")
            #expect(result.starts == 11)
            #expect(result.audit.acked > 100, "the load generator got too few acknowledgements to mean anything")
            #expect(result.audit.lost.isEmpty, "acknowledged but never delivered: \(result.audit.lost.prefix(20))")
            #expect(result.audit.renamed.isEmpty, "re-sent under another event_id: \(result.audit.renamed.prefix(20))")
            #expect(result.audit.unknown.isEmpty, "delivered ids nobody sent: \(result.audit.unknown.prefix(20))")
            #expect(result.quarantined == 0)
            #expect(result.exitStatus == 0)
        }
    }
}
