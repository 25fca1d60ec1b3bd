// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import RelayStore

/// D3: a torn tail is truncated to the last complete record; startup never fails because of it.
@Suite struct TornTailTests {
    static let pixel = "pixel_1"

    /// A segment of `count` records, one append each, and the end offset of every record.
    static func makeSegment(count: Int) throws -> (bytes: [UInt8], ends: [Int]) {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            var ends: [Int] = []
            for i in 0..<count {
                #expect(queue.appendSync([makeEvent(i, pixel: pixel, padding: i % 7)]) == .durable)
                ends.append(Int(queue.stats().totalBytes))
            }
            queue.close()
            return (try fileBytes("\(dir)/queue/\(pixel)/\(segment1)"), ends)
        }
    }

    @Test(
        "every cut within the last two records, and a sample elsewhere, recovers exactly the complete records before it"
    )
    func truncationAtManyOffsets() throws {
        let (bytes, ends) = try Self.makeSegment(count: 24)
        #expect(ends.last == bytes.count)
        var cuts = Set(ends[ends.count - 3]...bytes.count)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<40 { cuts.insert(Int.random(in: 0..<ends[ends.count - 3], using: &rng)) }
        cuts.formUnion([0, 1, 4, 11, 12, 13, ends[0] - 1, ends[0], ends[0] + 1])

        // This test is about recovery logic, not durability: skip the syncs so that a few hundred
        // reopen cycles stay fast on a real disk too.
        let fs = FaultyFileSystem()
        fs.skipSyncs = true
        #expect(cuts.count > 150)
        for cut in cuts.sorted() {
            try withTemporaryDirectory { dir in
                try FileManager.default.createDirectory(
                    atPath: "\(dir)/queue/\(Self.pixel)", withIntermediateDirectories: true)
                try writeFile("\(dir)/queue/\(Self.pixel)/\(segment1)", Array(bytes[..<cut]))
                let complete = ends.filter { $0 <= cut }.count

                let queue = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
                let stats = queue.stats()
                #expect(stats.totalDepth == complete, "cut at \(cut)")
                #expect(stats.truncatedTails == (ends.contains(cut) || cut == 0 ? 0 : 1), "cut at \(cut)")
                #expect(stats.quarantined == 0, "cut at \(cut)")
                #expect(try queue.peekAll(Self.pixel) == (0..<complete).map { "e-\($0)" }, "cut at \(cut)")

                #expect(queue.appendSync([makeEvent(999, pixel: Self.pixel)]) == .durable)
                #expect(try queue.drain(Self.pixel) == (0..<complete).map { "e-\($0)" } + ["e-999"], "cut at \(cut)")
                queue.close()

                // The repaired file reopens cleanly.
                let again = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
                #expect(again.stats().truncatedTails == 0)
                #expect(again.stats().totalDepth == 0)
                again.close()
            }
        }
    }

    @Test("garbage appended after the last record (zeros, or a partial header) is truncated")
    func garbageTails() throws {
        let (bytes, ends) = try Self.makeSegment(count: 3)
        let tails: [[UInt8]] = [
            [UInt8](repeating: 0, count: 4096),
            [0xFF, 0x50, 0x52],
            [0xFF, 0x50, 0x52, 0xC1, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0],
            Array(bytes[0..<ends[0] - 1]),
        ]
        for tail in tails {
            try withTemporaryDirectory { dir in
                try FileManager.default.createDirectory(
                    atPath: "\(dir)/queue/\(Self.pixel)", withIntermediateDirectories: true)
                let path = "\(dir)/queue/\(Self.pixel)/\(segment1)"
                try writeFile(path, bytes + tail)
                let queue = try DurableQueue(directory: dir, options: testOptions())
                #expect(try queue.peekAll(Self.pixel) == ["e-0", "e-1", "e-2"])
                #expect(try fileBytes(path).count == bytes.count)
                queue.close()
            }
        }
    }

    @Test(
        "a cursor file naming a position recovery cannot use is replaced, so events appended after that start survive later ones",
        arguments: [
            "0000000000000001 999999999\n",  // past the end of the data
            "0000000000000009 0\n",  // a segment beyond the last one, which later appends will reach
        ])
    func unusableCursorIsReplaced(_ content: String) throws {
        try withTemporaryDirectory { dir in
            // Small segments, so the appends below roll over to segment 9 and beyond.
            let options = testOptions(segmentBytes: 1024)
            let queue = try DurableQueue(directory: dir, options: options)
            for i in 0..<3 { _ = queue.appendSync([makeEvent(i, pixel: Self.pixel)]) }
            queue.close()
            try writeFile("\(dir)/queue/\(Self.pixel)/cursor", Array(content.utf8))

            let first = try DurableQueue(directory: dir, options: options)
            let before = try first.peekAll(Self.pixel)
            for i in 3..<200 { #expect(first.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable) }
            first.close()  // nothing delivered: the forwarder never advanced the cursor

            let reopened = try DurableQueue(directory: dir, options: options)
            let after = try reopened.peekAll(Self.pixel)
            #expect(after == before + (3..<200).map { "e-\($0)" }, "cursor \(content)")
            #expect((reopened.stats().pixels.first?.segments ?? 0) > 9, "the appends should reach segment 9")
            reopened.close()
        }
    }

    @Test("a cursor file grown to 1 TiB (sparse) is read as damaged, not into memory; recovery rewrites it")
    func hugeCursorFile() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            for i in 0..<3 { _ = queue.appendSync([makeEvent(i, pixel: Self.pixel)]) }
            queue.close()
            let path = "\(dir)/queue/\(Self.pixel)/cursor"
            try writeFile(path, Array("0000000000000001 0\n".utf8))
            #expect(truncate(path, 1 << 40) == 0)  // read whole, this was an allocation of 1 TiB
            let reopened = try DurableQueue(directory: dir, options: testOptions())
            #expect(try reopened.peekAll(Self.pixel) == ["e-0", "e-1", "e-2"])
            reopened.close()
            var st = stat()
            #expect(stat(path, &st) != 0 || st.st_size < 64, "the cursor was rewritten (or removed)")
        }
    }

    @Test("a damaged or foreign cursor file never blocks startup; delivery restarts from the oldest segment")
    func damagedCursor() throws {
        for content in ["", "garbage", "0000000000000001 999999999\n", "0000000000000009 0\n", "1 2 3\n"] {
            try withTemporaryDirectory { dir in
                let queue = try DurableQueue(directory: dir, options: testOptions())
                for i in 0..<3 { _ = queue.appendSync([makeEvent(i, pixel: Self.pixel)]) }
                queue.close()
                try writeFile("\(dir)/queue/\(Self.pixel)/cursor", Array(content.utf8))
                let reopened = try DurableQueue(directory: dir, options: testOptions())
                let ids = try reopened.peekAll(Self.pixel)
                // A cursor past the end is clamped to the end; anything unreadable starts over.
                #expect(
                    ids == ["e-0", "e-1", "e-2"] || (content.hasPrefix("0000000000000001 9") && ids.isEmpty),
                    "cursor \(content)")
                reopened.close()
            }
        }
    }
}
