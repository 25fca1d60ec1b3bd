// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import RelayStore

/// D5 on a disk full to the last block: delivery still moves cursors and writes dead letters (the
/// reserve makes room), so the space comes back by itself; a failed dead-letter append leaves nothing.
@Suite struct SpaceReserveTests {
    static let pixel = "px"

    @Test("opening a queue sets aside the reserve: a 0600 file of zeros of the configured size")
    func reserveIsMade() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            let bytes = try fileBytes("\(dir)/reserve")
            #expect(bytes.count == 4096 && bytes.allSatisfy { $0 == 0 })
            #expect(try permissions("\(dir)/reserve") == 0o600)
            queue.close()
        }
    }

    @Test(
        "a cursor move that meets ENOSPC releases the reserve and succeeds; the reserve returns once a segment is freed"
    )
    func cursorUsesReserve() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let queue = try DurableQueue(directory: dir, options: testOptions(segmentBytes: 600), fileSystem: fs)
            for i in 0..<6 { #expect(queue.appendSync([makeEvent(i, pixel: Self.pixel, padding: 150)]) == .durable) }
            let first = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: 1, maxBytes: 1 << 20))

            fs.writeFault = .init(pathContains: "cursor.tmp", code: FileSystemError.Code.noSpace, times: 1)
            try queue.commit(first)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/reserve"), "released to make room")
            #expect(try queue.peekAll(Self.pixel) == (1..<6).map { "e-\($0)" })

            // While the reserve cannot be made again, appends are refused: they would take the room.
            fs.writeFault = .init(pathContains: "reserve", code: FileSystemError.Code.noSpace)
            #expect(queue.appendSync([makeEvent(90, pixel: Self.pixel)]) == .rejected(.diskFull))
            #expect(queue.stats().diskFull)
            fs.writeFault = nil

            // Delivering the rest deletes whole segments: the space is back, and so is the reserve.
            #expect(try queue.drain(Self.pixel) == (1..<6).map { "e-\($0)" })
            #expect(try fileBytes("\(dir)/reserve").count == 4096)
            #expect(queue.appendSync([makeEvent(91, pixel: Self.pixel)]) == .durable)
            #expect(!queue.stats().diskFull)
            queue.close()
        }
    }

    @Test("a reserve that cannot be made for another reason than space is no disk-full: appends go on without one")
    func unusableReserve() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: "\(dir)/reserve", withIntermediateDirectories: false)
            var options = testOptions()
            options.reserveBytes = 1 << 16  // more than a directory's size: it is looked at, then opened to grow
            let queue = try DurableQueue(directory: dir, options: options)
            #expect(!queue.reserve.isMissing)
            #expect(queue.appendSync([makeEvent(1, pixel: Self.pixel)]) == .durable)
            #expect(!queue.stats().diskFull)
            queue.close()
        }
    }

    @Test("with no reserve left, a cursor move on a full disk fails and the cursor stays where it was")
    func noReserveLeft() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let queue = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
            for i in 0..<3 { #expect(queue.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable) }
            let batch = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: 1, maxBytes: 1 << 20))
            fs.writeFault = .init(pathContains: "cursor.tmp", code: FileSystemError.Code.noSpace)
            #expect(throws: StoreError.self) { try queue.commit(batch) }
            #expect(throws: StoreError.self) { try queue.commit(batch) }  // the reserve went on the first try
            fs.writeFault = nil
            #expect(try queue.drain(Self.pixel) == ["e-0", "e-1", "e-2"])
            queue.close()
        }
    }

    @Test("a dead-letter append that meets ENOSPC uses the reserve, and a failed one leaves the file as it was")
    func deadLetterAppend() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let queue = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
            let letter = { (n: Int) in
                DeadLetter(
                    event: makeEvent(n, pixel: Self.pixel), reason: "invalid_parameter", metaMessage: "m",
                    fbtraceID: nil, deadAtMs: 1)
            }
            try queue.deadLetter([letter(1)])
            let path = "\(dir)/dead/\(Self.pixel).jsonl"
            let before = try fileBytes(path)

            // A short write, then no space, with no reserve: the torn piece is cut off again.
            try FileManager.default.removeItem(atPath: "\(dir)/reserve")
            fs.writeFault = .init(pathContains: ".jsonl", code: FileSystemError.Code.noSpace, afterBytes: 20)
            #expect(throws: StoreError.self) { try queue.deadLetter([letter(2), letter(3)]) }
            #expect(try fileBytes(path) == before)
            #expect(queue.stats().totalDeadLetters == 1)

            // With a reserve, one ENOSPC is absorbed.
            fs.writeFault = nil
            #expect(queue.reserve.ensure())
            fs.writeFault = .init(pathContains: ".jsonl", code: FileSystemError.Code.noSpace, times: 1)
            try queue.deadLetter([letter(4)])
            #expect(try DurableQueue.listDeadLetters(directory: dir).map(\.event.eventID) == ["e-1", "e-4"])
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/reserve"))
            queue.close()
        }
    }

    @Test("dead letters are counted a chunk at a time: lines across chunks, a torn last line, junk and an empty file")
    func streamingCount() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            let letters = (0..<25).map {
                DeadLetter(
                    event: makeEvent($0, pixel: Self.pixel, padding: $0 * 7), reason: "r", metaMessage: "m\($0)",
                    fbtraceID: nil, deadAtMs: 1)
            }
            try queue.deadLetter(letters)
            queue.close()
            let path = "\(dir)/dead/\(Self.pixel).jsonl"
            let fs = PosixFileSystem()
            for chunk in [1, 7, 64, 4096, 1 << 20] {
                #expect(try DeadLetterFile.count(fs: fs, path: path, chunkBytes: chunk) == 25, "chunk \(chunk)")
            }
            try writeFile(path, try fileBytes(path) + Array("not json\n\n{\"pixel_id\":\"px\",\"ev".utf8))
            for chunk in [3, 1 << 20] {
                #expect(try DeadLetterFile.count(fs: fs, path: path, chunkBytes: chunk) == 25, "chunk \(chunk)")
            }
            try writeFile(path, [])
            #expect(try DeadLetterFile.count(fs: fs, path: path) == 0)
            #expect(try DeadLetterFile.count(fs: fs, path: "\(dir)/dead/missing.jsonl") == 0)
        }
    }
}
