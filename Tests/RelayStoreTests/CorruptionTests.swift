// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import RelayStore

/// D4: a record that fails its checksum is quarantined and counted; the records after it are still
/// delivered; startup does not fail (and does not count the same damage twice).
@Suite struct CorruptionTests {
    static let pixel = "px"

    /// Writes ten records and returns the segment path and each record's start offset.
    static func populate(_ dir: String, count: Int = 10, segmentBytes: Int64 = 64 << 20) throws -> (
        path: String, starts: [Int]
    ) {
        let queue = try DurableQueue(directory: dir, options: testOptions(segmentBytes: segmentBytes))
        var starts: [Int] = []
        for i in 0..<count {
            starts.append(Int(queue.stats().totalBytes))
            #expect(queue.appendSync([makeEvent(i, pixel: pixel, padding: 10)]) == .durable)
        }
        queue.close()
        return ("\(dir)/queue/\(pixel)/\(segment1)", starts)
    }

    static func flipBit(_ path: String, at offset: Int, bit: UInt8 = 0x10) throws {
        var bytes = try fileBytes(path)
        bytes[offset] ^= bit
        try writeFile(path, bytes)
    }

    @Test(
        "a flipped bit in a middle record's magic, length, checksum or payload quarantines only that record",
        arguments: [
            ("magic", 0), ("magic last byte", 3), ("length", 4), ("length high byte", 7), ("checksum", 9),
            ("payload", 30),
        ])
    func middleRecordDamage(field: String, offsetInRecord: Int) throws {
        try withTemporaryDirectory { dir in
            let (path, starts) = try Self.populate(dir)
            try Self.flipBit(path, at: starts[5] + offsetInRecord, bit: field == "length high byte" ? 0x40 : 0x10)

            let queue = try DurableQueue(directory: dir, options: testOptions())
            let expected = (0..<10).filter { $0 != 5 }.map { "e-\($0)" }
            #expect(queue.stats().quarantined == 1, "\(field)")
            #expect(queue.stats().totalDepth == 9, "\(field)")
            #expect(try queue.drain(Self.pixel) == expected, "\(field)")
            #expect(queue.stats().totalBytes == 0)
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/quarantine")
            #expect(names == ["corrupt-\(Self.pixel)-0000000000000001-\(starts[5]).bin"])
            let quarantined = try fileBytes("\(dir)/quarantine/\(names[0])")
            #expect(String(decoding: quarantined.prefix(24), as: UTF8.self) == "pixelrelay-quarantine v1")
            queue.close()
        }
    }

    @Test("reopening does not count the same damage twice")
    func damageCountedOnce() throws {
        try withTemporaryDirectory { dir in
            let (path, starts) = try Self.populate(dir)
            try Self.flipBit(path, at: starts[3] + 25)
            for _ in 0..<3 {
                let queue = try DurableQueue(directory: dir, options: testOptions())
                #expect(queue.stats().quarantined == 1)
                #expect(try queue.peekAll(Self.pixel).count == 9)
                queue.close()
            }
        }
    }

    @Test("several damaged records, including adjacent ones, are each skipped")
    func severalDamagedRecords() throws {
        try withTemporaryDirectory { dir in
            let (path, starts) = try Self.populate(dir)
            for k in [1, 2, 6] { try Self.flipBit(path, at: starts[k] + 20) }
            let queue = try DurableQueue(directory: dir, options: testOptions())
            #expect(try queue.drain(Self.pixel) == [0, 3, 4, 5, 7, 8, 9].map { "e-\($0)" })
            #expect(queue.stats().quarantined == 2, "records 1 and 2 form one damaged range")
            queue.close()
        }
    }

    @Test("damage in the last record of the last segment is treated as a torn tail")
    func damagedLastRecord() throws {
        try withTemporaryDirectory { dir in
            let (path, starts) = try Self.populate(dir)
            try Self.flipBit(path, at: starts[9] + 20)
            let queue = try DurableQueue(directory: dir, options: testOptions())
            #expect(try queue.peekAll(Self.pixel) == (0..<9).map { "e-\($0)" })
            #expect(queue.stats().truncatedTails == 1)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: "\(dir)/quarantine").contains {
                    $0.hasPrefix("tail-")
                })
            queue.close()
        }
    }

    @Test("damage in a sealed segment is skipped and the following segments are still delivered")
    func damageInSealedSegment() throws {
        try withTemporaryDirectory { dir in
            let (path, starts) = try Self.populate(dir, count: 12, segmentBytes: 400)
            let segments = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/queue/\(Self.pixel)").filter {
                $0.hasSuffix(".seg")
            }
            #expect(segments.count > 2)
            try Self.flipBit(path, at: starts[1] + 22)
            let queue = try DurableQueue(directory: dir, options: testOptions(segmentBytes: 400))
            #expect(try queue.drain(Self.pixel) == (0..<12).filter { $0 != 1 }.map { "e-\($0)" })
            queue.close()
        }
    }

    @Test("damage that appears while the queue is open is skipped by the reader and quarantined")
    func damageFoundByReader() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            var starts: [Int] = []
            for i in 0..<6 {
                starts.append(Int(queue.stats().totalBytes))
                _ = queue.appendSync([makeEvent(i, pixel: Self.pixel)])
            }
            try Self.flipBit("\(dir)/queue/\(Self.pixel)/\(segment1)", at: starts[2] + 20)
            try Self.flipBit("\(dir)/queue/\(Self.pixel)/\(segment1)", at: starts[5] + 20)
            #expect(try queue.drain(Self.pixel) == ["e-0", "e-1", "e-3", "e-4"])
            let stats = queue.stats()
            #expect(stats.quarantined == 2)
            #expect(stats.totalDepth == 0)
            #expect(stats.totalBytes == 0)
            #expect(queue.appendSync([makeEvent(7, pixel: Self.pixel)]) == .durable)
            #expect(try queue.drain(Self.pixel) == ["e-7"])
            queue.close()
        }
    }

    @Test("a segment of random bytes never fails startup")
    func randomGarbageSegment() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(
                atPath: "\(dir)/queue/\(Self.pixel)", withIntermediateDirectories: true)
            var rng = SystemRandomNumberGenerator()
            try writeFile(
                "\(dir)/queue/\(Self.pixel)/\(segment1)",
                (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let queue = try DurableQueue(directory: dir, options: testOptions())
            #expect(try queue.peekAll(Self.pixel).isEmpty)
            #expect(queue.appendSync([makeEvent(1, pixel: Self.pixel)]) == .durable)
            #expect(try queue.drain(Self.pixel) == ["e-1"])
            queue.close()
        }
    }
}
