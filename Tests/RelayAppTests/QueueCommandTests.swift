// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayStore
import RelayTestSupport
import Testing

@Suite("pixelrelay queue stats | dead-letters | replay")
struct QueueCommandTests {
    static func event(_ id: String, ageSeconds: Int64) -> QueuedEvent {
        let now = Int64(Date().timeIntervalSince1970)
        return QueuedEvent(
            pixelID: "123456789012345", eventID: id, eventName: "Lead", eventTime: now - ageSeconds,
            enqueuedAtMs: (now - ageSeconds) * 1000,
            payload: Array(#"{"event_name":"Lead","event_id":"\#(id)","user_data":{"em":["ab"]}}"#.utf8))
    }

    /// A data dir with 3 queued events and 2 dead letters (one fresh, one outside Meta's window).
    static func makeDataDir() async throws -> String {
        let dir = GatewayProcess.temporaryDirectory("queue-cli")
        let queue = try DurableQueue(directory: dir)
        defer { queue.close() }
        let result = await queue.append([
            event("q1", ageSeconds: 60), event("q2", ageSeconds: 30), event("q3", ageSeconds: 10),
        ])
        #expect(result == .durable)
        try queue.deadLetter([
            DeadLetter(
                event: event("fresh", ageSeconds: 3600), reason: "rejected by Meta", metaMessage: "code 100",
                fbtraceID: "TRACE1", deadAtMs: 1),
            DeadLetter(event: event("stale", ageSeconds: 8 * 24 * 3600), reason: "expired", deadAtMs: 2),
        ])
        return dir
    }

    /// Takes the data dir's lock, retrying briefly: a process another test is spawning at this moment holds
    /// a copy of the queue's lock descriptor (and so the lock) until its exec closes it (O_CLOEXEC).
    static func lock(_ dir: String) throws -> DataDirLock {
        for _ in 0..<100 {
            if let lock = try? DurableQueue.acquireLock(directory: dir) { return lock }
            usleep(10_000)
        }
        return try DurableQueue.acquireLock(directory: dir)
    }

    @Test("stats reports depth, bytes and dead letters per pixel")
    func stats() async throws {
        let dir = try await Self.makeDataDir()
        let (status, out) = try CommandRunner.run(["queue", "stats", "--data-dir", dir])
        #expect(status == 0)
        #expect(out.contains("3 event(s)"), "\(out)")
        #expect(out.contains("pixel 123456789012345: 3 queued"), "\(out)")
        #expect(out.contains("2 dead letter(s)"), "\(out)")
    }

    @Test("dead-letters lists reason, pixel, event name, id and Meta's trace id")
    func deadLetters() async throws {
        let dir = try await Self.makeDataDir()
        let (status, out) = try CommandRunner.run(["queue", "dead-letters", "--data-dir", dir])
        #expect(status == 0)
        #expect(out.contains("123456789012345\tLead\tfresh"), "\(out)")
        #expect(out.contains("rejected by Meta — code 100 (fbtrace_id TRACE1)"), "\(out)")
        #expect(out.contains("2 dead letter(s)"))
    }

    @Test("replay re-queues only dead letters inside Meta's 7-day window")
    func replay() async throws {
        let dir = try await Self.makeDataDir()
        let (status, out) = try CommandRunner.run(["queue", "replay", "--data-dir", dir])
        #expect(status == 0, "\(out)")
        #expect(out.contains("replayed 1 event(s); 1 kept"), "\(out)")
        let after = try CommandRunner.run(["queue", "stats", "--data-dir", dir]).output
        #expect(after.contains("4 event(s)"), "\(after)")
        #expect(after.contains("1 dead letter(s)"), "\(after)")
    }

    @Test("replay refuses while a server holds the data dir's lock")
    func replayRefusesWhileLocked() async throws {
        let dir = try await Self.makeDataDir()
        let lock = try Self.lock(dir)
        defer { lock.release() }
        let (status, out) = try CommandRunner.run(["queue", "replay", "--data-dir", dir])
        #expect(status != 0)
        #expect(out.contains("stop it"), "\(out)")
    }
}
