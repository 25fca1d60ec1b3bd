// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization
import Testing

@testable import RelayStore

/// Reading, committing, rolling and deleting segments.
@Suite struct CursorTests {
    static let pixel = "123"

    static func segments(_ dir: String, _ pixel: String = pixel) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "\(dir)/queue/\(pixel)").filter { $0.hasSuffix(".seg") }
            .sorted()
    }

    @Test("events come out per pixel in FIFO order, and re-reading before a commit returns the same batch")
    func fifoAndRereading() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            for i in 0..<20 { _ = queue.appendSync([makeEvent(i, pixel: i % 2 == 0 ? "even" : "odd")]) }
            #expect(queue.pixelIDs() == ["even", "odd"])
            let first = try #require(try queue.readBatch(pixelID: "even", maxEvents: 4, maxBytes: 1 << 20))
            let again = try #require(try queue.readBatch(pixelID: "even", maxEvents: 4, maxBytes: 1 << 20))
            #expect(first == again)
            #expect(first.events.map(\.eventID) == ["e-0", "e-2", "e-4", "e-6"])
            #expect(first.events[0] == makeEvent(0, pixel: "even"), "every field round-trips")
            try queue.commit(first)
            #expect(try queue.drain("even") == ["e-8", "e-10", "e-12", "e-14", "e-16", "e-18"])
            #expect(try queue.drain("odd") == (0..<10).map { "e-\($0 * 2 + 1)" })
            #expect(try queue.readBatch(pixelID: "odd", maxEvents: 10, maxBytes: 1 << 20) == nil)
            #expect(try queue.readBatch(pixelID: "unknown", maxEvents: 10, maxBytes: 1 << 20) == nil)
            queue.close()
        }
    }

    @Test("batches respect maxEvents and maxBytes but always carry at least one event")
    func batchLimits() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            for i in 0..<10 { _ = queue.appendSync([makeEvent(i, pixel: Self.pixel)]) }
            let payload = makeEvent(0).payload.count
            let byCount = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: 3, maxBytes: 1 << 20))
            #expect(byCount.events.count == 3)
            let byBytes = try #require(
                try queue.readBatch(pixelID: Self.pixel, maxEvents: 100, maxBytes: payload * 4 + 1))
            #expect(byBytes.events.count == 4)
            #expect(byBytes.payloadBytes == payload * 4)
            let tiny = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: 100, maxBytes: 1))
            #expect(tiny.events.count == 1)
            queue.close()
        }
    }

    @Test("commits persist across reopening, including partial commits")
    func commitsPersist() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            for i in 0..<10 { _ = queue.appendSync([makeEvent(i, pixel: Self.pixel)]) }
            let batch = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: 6, maxBytes: 1 << 20))
            try queue.commit(batch, count: 2)
            #expect(queue.stats().totalDepth == 8)
            try queue.commit(batch, count: 2)  // repeated: no-op
            #expect(queue.stats().totalDepth == 8)
            queue.close()

            let reopened = try DurableQueue(directory: dir, options: testOptions())
            #expect(reopened.stats().totalDepth == 8)
            let rest = try #require(try reopened.readBatch(pixelID: Self.pixel, maxEvents: 4, maxBytes: 1 << 20))
            #expect(rest.events.map(\.eventID) == ["e-2", "e-3", "e-4", "e-5"])
            try reopened.commit(rest)
            try reopened.commit(batch)  // a stale, already-covered batch changes nothing
            #expect(reopened.stats().totalDepth == 4)
            reopened.close()

            let third = try DurableQueue(directory: dir, options: testOptions())
            #expect(try third.drain(Self.pixel) == ["e-6", "e-7", "e-8", "e-9"])
            #expect(third.stats().totalBytes == 0)
            third.close()
        }
    }

    @Test(
        "segments roll at the configured size, batches span them, and consumed ones are deleted (never the active one)")
    func rollingAndDeletion() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions(segmentBytes: 500))
            for i in 0..<30 { _ = queue.appendSync([makeEvent(i, pixel: Self.pixel)]) }
            let rolled = try Self.segments(dir)
            #expect(rolled.count >= 6)
            #expect(rolled.first == segment1)
            #expect(queue.stats().pixels.first?.segments == rolled.count)

            let batch = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: 12, maxBytes: 1 << 20))
            #expect(batch.events.map(\.eventID) == (0..<12).map { "e-\($0)" })
            #expect(Set(batch.positions.map(\.segment)).count > 1, "the batch spans segments")
            try queue.commit(batch)
            let after = try Self.segments(dir)
            #expect(after.count < rolled.count)
            #expect(after.last == rolled.last)

            #expect(try queue.drain(Self.pixel) == (12..<30).map { "e-\($0)" })
            #expect(try Self.segments(dir) == [rolled.last!], "only the active segment is left")
            #expect(queue.stats().totalBytes == 0)
            for i in 30..<33 { _ = queue.appendSync([makeEvent(i, pixel: Self.pixel)]) }
            queue.close()

            let reopened = try DurableQueue(directory: dir, options: testOptions(segmentBytes: 500))
            #expect(try reopened.drain(Self.pixel) == ["e-30", "e-31", "e-32"])
            reopened.close()
        }
    }

    @Test("a record larger than the segment size gets a segment of its own")
    func oversizeForSegment() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions(segmentBytes: 200))
            _ = queue.appendSync([makeEvent(0, pixel: Self.pixel)])
            _ = queue.appendSync([makeEvent(1, pixel: Self.pixel, padding: 500)])
            _ = queue.appendSync([makeEvent(2, pixel: Self.pixel)])
            #expect(try Self.segments(dir).count == 3)
            #expect(try queue.drain(Self.pixel) == ["e-0", "e-1", "e-2"])
            queue.close()
        }
    }

    @Test("commit rejects positions past the durable end or for an unknown pixel")
    func invalidCommit() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            _ = queue.appendSync([makeEvent(0, pixel: Self.pixel)])
            var batch = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: 1, maxBytes: 1 << 20))
            batch.end.offset += 1000
            #expect(throws: StoreError.self) { try queue.commit(batch) }
            batch.pixelID = "nobody"
            #expect(throws: StoreError.self) { try queue.commit(batch) }
            #expect(throws: StoreError.self) { try queue.commit(batch, count: 5) }
            #expect(queue.stats().totalDepth == 1)
            queue.close()
        }
    }

    @Test("the availability handler is called for each pixel that got new durable events")
    func availabilityHandler() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            let seen = Mutex<[String]>([])
            queue.setAvailabilityHandler { arrival in seen.withLock { $0.append(arrival.pixelID) } }
            _ = queue.appendSync([makeEvent(0, pixel: "a"), makeEvent(1, pixel: "b")])
            _ = queue.appendSync([makeEvent(2, pixel: "a")])
            #expect(seen.withLock { $0 } == ["a", "b", "a"])
            queue.close()
        }
    }

    @Test("stats report depth, bytes and the oldest event per pixel, and the offline scan agrees")
    func statsLiveAndOffline() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            for i in 0..<5 { _ = queue.appendSync([makeEvent(i, pixel: "a", time: 1_000 + Int64(i))]) }
            _ = queue.appendSync([makeEvent(9, pixel: "b", time: 2_000)])
            let batch = try #require(try queue.readBatch(pixelID: "a", maxEvents: 2, maxBytes: 1 << 20))
            try queue.commit(batch)
            try queue.deadLetter([DeadLetter(event: makeEvent(7, pixel: "c"), reason: "test", deadAtMs: 5)])

            let live = queue.stats()
            #expect(live.pixels.map(\.pixelID) == ["a", "b", "c"])
            let a = try #require(live.pixels.first)
            #expect(a.depth == 3)
            #expect(a.oldestEventTime == 1_002)
            #expect(a.oldestEnqueuedAtMs == makeEvent(2).enqueuedAtMs)
            #expect(live.pixels[1].oldestEventTime == 2_000)
            #expect(live.pixels[2].deadLetters == 1)
            #expect(live.pixels[2].depth == 0)
            #expect(live.totalDepth == 4)
            #expect(live.totalDeadLetters == 1)
            #expect(live.maxBytes == 1 << 30)

            let offline = try DurableQueue.stats(directory: dir)
            #expect(offline.pixels == live.pixels)
            #expect(offline.totalBytes == live.totalBytes)
            queue.close()

            let reopened = try DurableQueue(directory: dir, options: testOptions())
            #expect(reopened.stats().pixels == live.pixels)
            reopened.close()
        }
    }

    @Test("offline stats of a missing directory are empty")
    func offlineStatsOfMissingDirectory() throws {
        try withTemporaryDirectory { dir in
            let stats = try DurableQueue.stats(directory: dir + "/nothing-here")
            #expect(stats.pixels.isEmpty)
            #expect(stats.totalDepth == 0)
        }
    }
}
