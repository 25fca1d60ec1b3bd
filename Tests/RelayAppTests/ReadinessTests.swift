// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayApp
@testable import RelayStore

/// What `/readyz` says, from the queue's state: each condition that makes beacons fail gives its reason;
/// a passing one (the disk falling behind for a moment) is a warning that leaves the gateway ready.
@Suite("Readiness reasons")
struct ReadinessTests {
    static func stats(
        totalBytes: Int64 = 0, diskFull: Bool = false, queueFull: Bool = false, fatal: String? = nil,
        backlog: CommitBacklog = CommitBacklog(bytes: 0, limitBytes: 64 << 20)
    ) -> QueueStats {
        var stats = QueueStats(
            pixels: [], totalDepth: 0, totalBytes: totalBytes, maxBytes: 1 << 30, totalDeadLetters: 0, quarantined: 0,
            truncatedTails: 0, diskFull: diskFull, queueFull: queueFull, fatalError: fatal, syncs: 0, groupCommits: 0,
            appendsAcknowledged: 0, eventsAcknowledged: 0, diskAvailableBytes: nil)
        stats.commitBacklog = backlog
        return stats
    }

    @Test("a healthy queue is ready, with nothing to say")
    func healthy() {
        #expect(Pages.readiness(Self.stats(), maxQueueBytes: 1 << 30) == Pages.Readiness())
    }

    @Test("a refusal at the commit backlog's bound is a warning for a minute, and the gateway stays ready")
    func backlogRefusal() throws {
        let recent = CommitBacklog(bytes: 60 << 20, limitBytes: 64 << 20, refused: 3, sinceLastRefusal: .seconds(12))
        let readiness = Pages.readiness(Self.stats(backlog: recent), maxQueueBytes: 1 << 30)
        #expect(readiness.reasons.isEmpty)
        let warning = try #require(readiness.warnings.first)
        #expect(readiness.warnings.count == 1)
        #expect(
            warning.contains("disk is not keeping up") && warning.contains("(64 MiB)") && warning.contains("12 s ago")
                && warning.contains("3 beacons"), "\(warning)")
        let old = CommitBacklog(bytes: 0, limitBytes: 64 << 20, refused: 3, sinceLastRefusal: .seconds(61))
        #expect(Pages.readiness(Self.stats(backlog: old), maxQueueBytes: 1 << 30) == Pages.Readiness())
        let small = CommitBacklog(bytes: 0, limitBytes: 4_096, refused: 1, sinceLastRefusal: .zero)
        #expect(
            Pages.readiness(Self.stats(backlog: small), maxQueueBytes: 1 << 30).warnings.first?.contains("(4 KiB)")
                == true)
    }

    @Test(
        "disk full, a fatal I/O error, the byte cap and the benchmark switch each make it not ready, with their reason")
    func reasons() {
        func reason(_ stats: QueueStats, max: Int64 = 1 << 30, bench: GatewayContext.BenchStage? = nil) -> String? {
            let r = Pages.readiness(stats, maxQueueBytes: max, benchAnswerAt: bench)
            return r.reasons.count == 1 ? r.reasons[0] : nil
        }
        #expect(reason(Self.stats(diskFull: true))?.contains("disk full") == true)
        #expect(reason(Self.stats(fatal: "EIO"))?.contains("restart") == true)
        #expect(reason(Self.stats(queueFull: true))?.contains("byte cap") == true)
        #expect(reason(Self.stats(totalBytes: 100), max: 100)?.contains("byte cap") == true)
        #expect(reason(Self.stats(), bench: .processing)?.contains("PIXELRELAY_BENCH_ANSWER_AT=processing") == true)
    }
}
