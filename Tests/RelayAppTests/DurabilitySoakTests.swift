// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// The long kill loop, run by `make soak` (`PIXELRELAY_SOAK=1 swift test --filter Soak`).
@Suite("D2 soak: a hundred kill -9s under heavier load", .serialized)
struct DurabilitySoakTests {
    static let enabled = ProcessInfo.processInfo.environment["PIXELRELAY_SOAK"] == "1"

    @Test(
        "a hundred kill -9s under load lose no acknowledged event and every re-send keeps its event_id",
        .enabled(if: enabled, "long-running; `make soak` sets PIXELRELAY_SOAK=1"))
    func soakKillLoopLosesNothing() async throws {
        let loop = KillLoop(
            kills: 100, threads: 8, eventsPerRequest: 1...20, gapMs: 100...1500, upstreamDelayMs: 40,
            drainTimeoutMs: 300_000)
        let result = try await loop.run()
        print("D2 soak: \(result)")
        #expect(result.starts == 101)
        #expect(result.audit.acked > 10_000, "the load generator got too few acknowledgements to mean anything")
        #expect(result.audit.lost.isEmpty, "acknowledged but never delivered: \(result.audit.lost.prefix(20))")
        #expect(result.audit.renamed.isEmpty, "re-sent under another event_id: \(result.audit.renamed.prefix(20))")
        #expect(result.audit.unknown.isEmpty, "delivered ids nobody sent: \(result.audit.unknown.prefix(20))")
        #expect(result.quarantined == 0)
        #expect(result.exitStatus == 0)
    }
}
