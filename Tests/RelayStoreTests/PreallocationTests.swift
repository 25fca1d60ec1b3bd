// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import RelayStore

/// Zero-filled room ahead of the active segment's end (`Options.preallocationBytes`): syncs that
/// change no file size, recovery that cuts the room off without calling it damage, and a full disk
/// that only costs the room.
@Suite struct PreallocationTests {
    static let pixel = "pixel_1"
    static let room: Int64 = 64 << 10

    static func options() -> DurableQueue.Options {
        var o = testOptions()
        o.preallocationBytes = room
        return o
    }

    static func size(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
    }

    @Test("small appends keep the segment at the room's boundary, so their syncs change no file size")
    func appendsStayInsideTheRoom() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: Self.options())
            let path = "\(dir)/queue/\(Self.pixel)/\(segment1)"
            for i in 0..<20 {
                #expect(queue.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable)
                #expect(try Self.size(path) == Self.room, "after append \(i)")
            }
            #expect(queue.stats().totalBytes < Self.room)
            #expect(try queue.peekAll(Self.pixel) == (0..<20).map { "e-\($0)" })
            // Past the room, the next step is added with the append that needs it.
            #expect(queue.appendSync([makeEvent(20, pixel: Self.pixel, padding: Int(Self.room))]) == .durable)
            #expect(try Self.size(path) == 2 * Self.room)  // the data ends in the second step
            #expect(try queue.peekAll(Self.pixel) == (0...20).map { "e-\($0)" })
            queue.close()
        }
    }

    @Test("a restart cuts the room off: nothing quarantined, no torn tail counted, every record intact")
    func restartTruncatesTheRoom() throws {
        try withTemporaryDirectory { dir in
            let path = "\(dir)/queue/\(Self.pixel)/\(segment1)"
            let first = try DurableQueue(directory: dir, options: Self.options())
            for i in 0..<5 { #expect(first.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable) }
            let dataBytes = first.stats().totalBytes
            first.close()
            #expect(try Self.size(path) == Self.room)

            let again = try DurableQueue(directory: dir, options: Self.options())
            let stats = again.stats()
            #expect(stats.truncatedTails == 0 && stats.quarantined == 0 && stats.totalDepth == 5)
            #expect(try Self.size(path) == dataBytes)
            #expect((try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/quarantine")) ?? [] == [])
            #expect(again.appendSync([makeEvent(5, pixel: Self.pixel)]) == .durable)
            #expect(try again.drain(Self.pixel) == (0...5).map { "e-\($0)" })
            again.close()
        }
    }

    @Test("a record torn inside the room is truncated and set aside without the zeros after it")
    func tornRecordInsideTheRoom() throws {
        try withTemporaryDirectory { dir in
            let path = "\(dir)/queue/\(Self.pixel)/\(segment1)"
            let first = try DurableQueue(directory: dir, options: Self.options())
            for i in 0..<3 { #expect(first.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable) }
            let dataBytes = Int(first.stats().totalBytes)
            first.close()
            // A crash mid-append: the first 20 bytes of a record landed in the room (the last one
            // non-zero: trailing zeros cannot be told from the room).
            var bytes = try fileBytes(path)
            var torn = Array(bytes[0..<20])
            torn[19] = 0xAB
            bytes.replaceSubrange(dataBytes..<dataBytes + 20, with: torn)
            try writeFile(path, bytes)

            let again = try DurableQueue(directory: dir, options: Self.options())
            #expect(again.stats().truncatedTails == 1)
            #expect(try again.peekAll(Self.pixel) == ["e-0", "e-1", "e-2"])
            #expect(try Self.size(path) == Int64(dataBytes))
            let saved = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/quarantine")
            #expect(saved.count == 1)
            let text = try saved.map { String(decoding: try fileBytes("\(dir)/quarantine/\($0)"), as: UTF8.self) }
            #expect(text.first?.contains("reason=tail") == true)
            #expect(text.first?.contains("length=20 copied=20") == true, "\(text.first?.prefix(200) ?? "")")
            again.close()
        }
    }

    @Test("a device error while writing the room fails the group like a failed record write: nothing acknowledged")
    func deviceErrorOnTheRoomIsFatal() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            fs.writeFault = .init(pathContains: ".seg", code: EIO, onlyZeroWrites: true)
            let queue = try DurableQueue(directory: dir, options: Self.options(), fileSystem: fs)
            let result = queue.appendSync([makeEvent(0, pixel: Self.pixel)])
            #expect(result != .durable)
            #expect(queue.stats().fatalError != nil)
            queue.close()
        }
    }

    @Test("when the room cannot be written (disk full), the append still succeeds, and the file holds records only")
    func fullDiskSkipsTheRoom() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            fs.writeFault = .init(pathContains: ".seg", code: ENOSPC, onlyZeroWrites: true)
            let queue = try DurableQueue(directory: dir, options: Self.options(), fileSystem: fs)
            let path = "\(dir)/queue/\(Self.pixel)/\(segment1)"
            for i in 0..<3 { #expect(queue.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable) }
            #expect(try Self.size(path) == queue.stats().totalBytes)
            #expect(queue.stats().diskFull == false)
            fs.writeFault = nil
            #expect(queue.appendSync([makeEvent(3, pixel: Self.pixel)]) == .durable)
            #expect(try Self.size(path) == Self.room)
            #expect(try queue.drain(Self.pixel) == (0..<4).map { "e-\($0)" })
            queue.close()
        }
    }
}
