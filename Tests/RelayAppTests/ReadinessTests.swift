// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayApp
@testable import RelayStore

/// What `/readyz` says, from the queue's state: each condition that makes beacons fail gives its reason.
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

    @Test("a healthy queue is ready")
    func healthy() {
        #expect(Pages.unreadiness(Self.stats(), maxQueueBytes: 1 << 30).isEmpty)
    }

    @Test("a refusal at the commit backlog's bound makes it not ready for two seconds, with the reason")
    func backlogRefusal() throws {
        let recent = CommitBacklog(
            bytes: 60 << 20, limitBytes: 64 << 20, refused: 3, sinceLastRefusal: .milliseconds(250))
        let reasons = Pages.unreadiness(Self.stats(backlog: recent), maxQueueBytes: 1 << 30)
        let reason = try #require(reasons.first)
        #expect(reasons.count == 1)
        #expect(reason.contains("disk is not keeping up") && reason.contains("64 MiB") && reason.contains("250 ms ago"))
        let old = CommitBacklog(bytes: 0, limitBytes: 64 << 20, refused: 3, sinceLastRefusal: .seconds(3))
        #expect(Pages.unreadiness(Self.stats(backlog: old), maxQueueBytes: 1 << 30).isEmpty)
    }

    @Test("disk full, a fatal I/O error and the byte cap each give their reason")
    func otherReasons() {
        #expect(
            Pages.unreadiness(Self.stats(diskFull: true), maxQueueBytes: 1 << 30).first?.contains("disk full") == true)
        #expect(Pages.unreadiness(Self.stats(fatal: "EIO"), maxQueueBytes: 1 << 30).first?.contains("restart") == true)
        #expect(
            Pages.unreadiness(Self.stats(queueFull: true), maxQueueBytes: 1 << 30).first?.contains("byte cap") == true)
        #expect(Pages.unreadiness(Self.stats(totalBytes: 100), maxQueueBytes: 100).first?.contains("byte cap") == true)
    }
}
