// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import RelayStore

/// D5: a full disk or a queue at its byte cap rejects appends (never a false acknowledgement),
/// leaves earlier data intact, and acceptance resumes by itself.
@Suite struct DiskFullTests {
    static let pixel = "pixel"

    @Test(
        "ENOSPC or EDQUOT on write rejects the group as diskFull, rolls the file back, and recovers when space returns",
        arguments: [
            (FileSystemError.Code.noSpace, 0), (FileSystemError.Code.noSpace, 37), (FileSystemError.Code.quota, 0),
        ])
    func diskFullRollsBack(code: Int32, partialBytes: Int) throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let queue = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
            for i in 0..<3 { #expect(queue.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable) }
            let path = "\(dir)/queue/\(Self.pixel)/\(segment1)"
            let before = try fileBytes(path)

            fs.writeFault = .init(pathContains: ".seg", code: code, afterBytes: partialBytes)
            #expect(
                queue.appendSync([makeEvent(10, pixel: Self.pixel), makeEvent(11, pixel: Self.pixel)])
                    == .rejected(.diskFull))
            #expect(try fileBytes(path) == before, "the failed group's bytes are truncated away")
            #expect(queue.stats().diskFull)
            #expect(queue.stats().totalDepth == 3)
            #expect(queue.appendSync([makeEvent(12, pixel: Self.pixel)]) == .rejected(.diskFull), "still full")

            fs.writeFault = nil
            #expect(queue.appendSync([makeEvent(13, pixel: Self.pixel)]) == .durable)
            #expect(!queue.stats().diskFull)
            #expect(queue.stats().fatalError == nil)
            #expect(try queue.drain(Self.pixel) == ["e-0", "e-1", "e-2", "e-13"])
            queue.close()
        }
    }

    @Test("ENOSPC while starting a new segment removes the half-made segment and keeps the old one active")
    func diskFullOnRoll() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let queue = try DurableQueue(directory: dir, options: testOptions(segmentBytes: 300), fileSystem: fs)
            for i in 0..<2 { #expect(queue.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable) }
            fs.writeFault = .init(pathContains: "0000000000000002.seg", code: FileSystemError.Code.noSpace)
            #expect(queue.appendSync([makeEvent(2, pixel: Self.pixel, padding: 200)]) == .rejected(.diskFull))
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/queue/\(Self.pixel)").filter {
                $0.hasSuffix(".seg")
            }
            #expect(files == [segment1])
            fs.writeFault = nil
            #expect(queue.appendSync([makeEvent(3, pixel: Self.pixel, padding: 200)]) == .durable)
            #expect(try queue.drain(Self.pixel) == ["e-0", "e-1", "e-3"])
            queue.close()
        }
    }

    @Test("a disk-full group with a new pixel leaves no segment behind and the pixel works later")
    func diskFullForNewPixel() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let queue = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
            fs.writeFault = .init(pathContains: ".seg", code: FileSystemError.Code.noSpace)
            #expect(queue.appendSync([makeEvent(1, pixel: "fresh")]) == .rejected(.diskFull))
            #expect(queue.pixelIDs().isEmpty)
            fs.writeFault = nil
            #expect(queue.appendSync([makeEvent(2, pixel: "fresh")]) == .durable)
            #expect(try queue.drain("fresh") == ["e-2"])
            queue.close()
            let reopened = try DurableQueue(directory: dir, options: testOptions())
            #expect(reopened.pixelIDs() == ["fresh"])
            reopened.close()
        }
    }

    @Test("an append that would pass the byte cap is rejected as queueFull until delivery frees space")
    func byteCap() throws {
        try withTemporaryDirectory { dir in
            let recordSize = RecordFormat.recordSize(makeEvent(0, pixel: Self.pixel))
            let queue = try DurableQueue(directory: dir, options: testOptions(maxBytes: Int64(recordSize * 3)))
            for i in 0..<3 { #expect(queue.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable) }
            #expect(queue.appendSync([makeEvent(3, pixel: Self.pixel)]) == .rejected(.queueFull))
            #expect(queue.stats().queueFull)
            #expect(queue.stats().totalBytes == Int64(recordSize * 3))

            let batch = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: 1, maxBytes: 1 << 20))
            try queue.commit(batch)
            #expect(!queue.stats().queueFull)
            #expect(queue.appendSync([makeEvent(4, pixel: Self.pixel)]) == .durable)
            #expect(queue.appendSync([makeEvent(5, pixel: Self.pixel)]) == .rejected(.queueFull))
            #expect(try queue.drain(Self.pixel) == ["e-1", "e-2", "e-4"])
            queue.close()
        }
    }

    @Test("the byte cap counts the whole append: a batch that does not fit is rejected entirely")
    func byteCapAllOrNothing() throws {
        try withTemporaryDirectory { dir in
            let recordSize = RecordFormat.recordSize(makeEvent(0, pixel: Self.pixel))
            let queue = try DurableQueue(directory: dir, options: testOptions(maxBytes: Int64(recordSize * 2)))
            #expect(queue.appendSync((0..<3).map { makeEvent($0, pixel: Self.pixel) }) == .rejected(.queueFull))
            #expect(queue.stats().totalDepth == 0)
            #expect(queue.appendSync((0..<2).map { makeEvent($0, pixel: Self.pixel) }) == .durable)
            queue.close()
        }
    }

    @Test(
        "invalid input is rejected at once without touching the disk",
        arguments: ["", "a/b", "../x", String(repeating: "9", count: 65), "päx"])
    func invalidPixelIDs(pixel: String) throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            guard case .rejected(.invalid) = queue.appendSync([makeEvent(1, pixel: pixel)]) else {
                Issue.record("pixel \(pixel) accepted")
                return
            }
            #expect(throws: StoreError.invalidPixelID(pixel)) {
                try queue.readBatch(pixelID: pixel, maxEvents: 1, maxBytes: 1)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/queue").isEmpty)
            queue.close()
        }
    }

    @Test("a record over maxRecordBytes is rejected as invalid")
    func oversizeRecord() throws {
        try withTemporaryDirectory { dir in
            var options = testOptions()
            options.maxRecordBytes = 200
            let queue = try DurableQueue(directory: dir, options: options)
            guard case .rejected(.invalid) = queue.appendSync([makeEvent(1, pixel: Self.pixel, padding: 300)]) else {
                Issue.record("oversize record accepted")
                return
            }
            #expect(queue.appendSync([makeEvent(2, pixel: Self.pixel)]) == .durable)
            queue.close()
        }
    }

    @Test("free space is blocks × block size, saturated rather than trapping when a filesystem reports more")
    func freeSpaceSaturates() {
        #expect(PosixFileSystem.bytes(blocks: 1000, blockSize: 4096) == 4_096_000)
        #expect(PosixFileSystem.bytes(blocks: UInt64(Int64.max), blockSize: 4096) == .max)
        #expect(PosixFileSystem.bytes(blocks: .max, blockSize: 1) == .max)
        #expect(PosixFileSystem.bytes(blocks: 0, blockSize: .max) == 0)
    }
}
