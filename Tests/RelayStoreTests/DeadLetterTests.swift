// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import RelayStore

/// The dead-letter store: write, list, replay within the window, permissions.
@Suite struct DeadLetterTests {
    static let day: Int64 = 86_400
    static let now: Int64 = 1_764_412_800_000

    static func letter(_ n: Int, pixel: String = "px", ageDays: Int64, message: String? = "Invalid parameter")
        -> DeadLetter
    {
        DeadLetter(
            event: makeEvent(n, pixel: pixel, time: now / 1000 - ageDays * day), reason: "invalid_parameter",
            metaMessage: message, fbtraceID: "AbC123", deadAtMs: now - 1)
    }

    @Test("dead letters round-trip every field, including escapes and non-ASCII text")
    func roundTrip() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            var tricky = Self.letter(1, ageDays: 1, message: "bad \"value\"\n\tin field \\ é 😀 \u{01}")
            tricky.event.payload = Array("{\"custom_data\":{\"v\":[1,2.5e3,true,null,\"x\\\"y\"]}}".utf8)
            let plain = Self.letter(2, pixel: "other", ageDays: 2, message: nil)
            try queue.deadLetter([tricky, plain])
            let listed = try DurableQueue.listDeadLetters(directory: dir)
            #expect(listed.sorted { $0.event.eventID < $1.event.eventID } == [tricky, plain])
            #expect(queue.stats().totalDeadLetters == 2)
            queue.close()
        }
    }

    @Test("a torn last line is skipped and later dead letters still parse")
    func tornLine() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            try queue.deadLetter([Self.letter(1, ageDays: 1)])
            let path = "\(dir)/dead/px.jsonl"
            try writeFile(path, try fileBytes(path) + Array("{\"pixel_id\":\"px\",\"ev".utf8))
            try queue.deadLetter([Self.letter(2, ageDays: 1)])
            #expect(try DurableQueue.listDeadLetters(directory: dir).map(\.event.eventID) == ["e-1", "e-2"])
            queue.close()
            let reopened = try DurableQueue(directory: dir, options: testOptions())
            #expect(reopened.stats().totalDeadLetters == 2)
            reopened.close()
        }
    }

    @Test("replay moves dead letters inside the window back to the queue and keeps the rest")
    func replayWindow() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            try queue.deadLetter([Self.letter(1, ageDays: 1), Self.letter(2, ageDays: 8), Self.letter(3, ageDays: 3)])
            try queue.deadLetter([Self.letter(4, pixel: "other", ageDays: 2)])

            let result = try queue.replayDeadLetters(pixelID: "px", nowMs: Self.now, maxAgeSeconds: 7 * Self.day)
            #expect(result.replayed == 2)
            #expect(result.kept == 1)
            let replayed = try #require(try queue.readBatch(pixelID: "px", maxEvents: 10, maxBytes: 1 << 20))
            #expect(replayed.events.map(\.eventID) == ["e-1", "e-3"])
            #expect(replayed.events.allSatisfy { $0.enqueuedAtMs == Self.now })
            #expect(try DurableQueue.listDeadLetters(directory: dir).map(\.event.eventID).sorted() == ["e-2", "e-4"])
            #expect(queue.stats().pixels.first { $0.pixelID == "px" }?.deadLetters == 1)

            let all = try queue.replayDeadLetters(pixelID: nil, nowMs: Self.now, maxAgeSeconds: 7 * Self.day)
            #expect(all.replayed == 1)
            #expect(all.kept == 1)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/dead/other.jsonl"), "an emptied file is removed")
            #expect(try queue.drain("other") == ["e-4"])
            queue.close()
        }
    }

    @Test("replay streams a store larger than its chunks: events re-queued in batches, kept lines rewritten in pieces")
    func replayLargeStore() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            let message = String(repeating: "m", count: 900)  // 1,300 kept lines pass the 1 MiB chunk
            var letters: [DeadLetter] = []
            for n in 0..<2_500 { letters.append(Self.letter(n, ageDays: n % 2 == 0 ? 1 : 8, message: message)) }
            for start in stride(from: 0, to: letters.count, by: 500) {
                try queue.deadLetter(Array(letters[start..<(start + 500)]))
            }
            let before = try fileBytes("\(dir)/dead/px.jsonl").count
            #expect(before > 2 << 20)

            let result = try queue.replayDeadLetters(pixelID: "px", nowMs: Self.now, maxAgeSeconds: 7 * Self.day)
            #expect(result.replayed == 1_250 && result.kept == 1_250)
            #expect(try queue.drain("px") == stride(from: 0, to: 2_500, by: 2).map { "e-\($0)" })
            var kept: [String] = []
            let count = try DurableQueue.forEachDeadLetter(directory: dir) { kept.append($0.event.eventID) }
            #expect(count == 1_250 && kept == stride(from: 1, to: 2_500, by: 2).map { "e-\($0)" })
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/dead/px.jsonl.tmp"))
            #expect(queue.stats().totalDeadLetters == 1_250)
            queue.close()
        }
    }

    @Test(
        "a replay the queue cannot take whole stops at the refused batch; running it again later replays only the rest")
    func replayStopsWhenFull() throws {
        try withTemporaryDirectory { dir in
            let letters = (0..<1_500).map { Self.letter($0, ageDays: 1) }
            var firstThousand: [UInt8] = []
            for letter in letters.prefix(1_000) {
                var event = letter.event
                event.enqueuedAtMs = Self.now
                try RecordFormat.encode(event, maxRecordBytes: 1 << 20, into: &firstThousand)
            }
            // Room for the first batch of 1,000 and not for the next 500.
            let queue = try DurableQueue(
                directory: dir, options: testOptions(maxBytes: Int64(firstThousand.count + 200)))
            for start in stride(from: 0, to: 1_500, by: 500) {
                try queue.deadLetter(Array(letters[start..<(start + 500)]))
            }

            let first = try queue.replayDeadLetters(pixelID: "px", nowMs: Self.now, maxAgeSeconds: 7 * Self.day)
            #expect(first.replayed == 1_000 && first.kept == 500 && first.stopped == .queueFull)
            #expect(
                try DurableQueue.listDeadLetters(directory: dir).map(\.event.eventID)
                    == (1_000..<1_500).map { "e-\($0)" })
            #expect(queue.stats().totalDeadLetters == 500)
            let delivered = try queue.drain("px")

            let second = try queue.replayDeadLetters(pixelID: "px", nowMs: Self.now, maxAgeSeconds: 7 * Self.day)
            #expect(second.replayed == 500 && second.kept == 0 && second.stopped == nil)
            #expect(delivered + (try queue.drain("px")) == (0..<1_500).map { "e-\($0)" }, "each event re-queued once")
            queue.close()
        }
    }

    @Test(
        "after cancelReplays (a stopping gateway) a replay re-queues nothing, keeps every dead letter and writes nothing"
    )
    func cancelledReplay() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let queue = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
            // More than one copy chunk (1 MiB): a replay that copied the file would write.
            try queue.deadLetter((0..<5_000).map { Self.letter($0, ageDays: 1) })
            let writesBefore = fs.trace.count
            queue.cancelReplays()
            #expect(throws: StoreError.appendRejected(.ioError("the gateway is stopping"))) {
                try queue.replayDeadLetters(pixelID: nil, nowMs: Self.now, maxAgeSeconds: 7 * Self.day)
            }
            #expect(try DurableQueue.listDeadLetters(directory: dir).count == 5_000)
            #expect(queue.stats().totalDepth == 0)
            // It did not copy the file it was not going to rewrite (a stop waits for that copy).
            #expect(fs.trace.count == writesBefore)
            queue.close()
        }
    }

    @Test("replay of a full queue fails and keeps the dead letters")
    func replayIntoFullQueue() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions(maxBytes: 10))
            try queue.deadLetter([Self.letter(1, ageDays: 1)])
            #expect(throws: StoreError.appendRejected(.queueFull)) {
                try queue.replayDeadLetters(pixelID: "px", nowMs: Self.now, maxAgeSeconds: 7 * Self.day)
            }
            #expect(try DurableQueue.listDeadLetters(directory: dir).count == 1)
            queue.close()
        }
    }

    @Test("files are 0600 and directories 0700, quarantined bytes included (S5)")
    func permissionsArePrivate() throws {
        try withTemporaryDirectory { dir in
            let root = dir + "/data"
            let queue = try DurableQueue(directory: root, options: testOptions(lock: true))
            _ = queue.appendSync([makeEvent(1, pixel: "px")])
            let batch = try #require(try queue.readBatch(pixelID: "px", maxEvents: 1, maxBytes: 1 << 20))
            try queue.deadLetter([DeadLetter(event: batch.events[0], reason: "x", deadAtMs: 1)])
            try queue.commit(batch)
            for path in [root, "\(root)/queue", "\(root)/queue/px", "\(root)/dead", "\(root)/quarantine"] {
                #expect(try permissions(path) == 0o700, "\(path)")
            }
            for path in [
                "\(root)/queue/px/\(segment1)", "\(root)/queue/px/cursor", "\(root)/dead/px.jsonl", "\(root)/LOCK",
            ] {
                #expect(try permissions(path) == 0o600, "\(path)")
            }
            queue.close()

            // Bytes that recovery sets aside (a torn tail) keep the same privacy.
            let segment = "\(root)/queue/px/\(segment1)"
            let fd = open(segment, O_WRONLY | O_APPEND)
            try #require(fd >= 0)
            #expect(write(fd, "torn-record-bytes", 17) == 17)
            close(fd)
            let reopened = try DurableQueue(directory: root, options: testOptions(lock: true))
            reopened.close()
            let quarantined = try FileManager.default.contentsOfDirectory(atPath: "\(root)/quarantine")
            #expect(!quarantined.isEmpty, "the torn tail should have been set aside")
            for name in quarantined {
                #expect(try permissions("\(root)/quarantine/\(name)") == 0o600, "\(name)")
            }
        }
    }
}

/// The data-directory lock.
@Suite struct LockTests {
    @Test("a second queue on a locked directory fails with a clear message, and works after close")
    func secondOpenFails() throws {
        try withTemporaryDirectory { dir in
            let first = try DurableQueue(directory: dir, options: testOptions(lock: true))
            #expect {
                _ = try DurableQueue(directory: dir, options: testOptions(lock: true))
            } throws: { error in
                (error as? StoreError) == .locked(directory: dir)
                    && "\(error)".contains("pixelrelay serve is running on this data dir")
            }
            #expect(throws: StoreError.locked(directory: dir)) { try DurableQueue.acquireLock(directory: dir) }
            first.close()
            let lock = try DurableQueue.acquireLock(directory: dir)
            lock.release()
            let second = try DurableQueue(directory: dir, options: testOptions(lock: true))
            second.close()
        }
    }
}
