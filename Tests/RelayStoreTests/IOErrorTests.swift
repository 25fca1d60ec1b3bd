// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization
import Testing

@testable import RelayStore

/// D6: after an fsync error nothing more is acknowledged, the fatal hook fires once, and a restart
/// recovers everything acknowledged before the fault.
@Suite struct IOErrorTests {
    static let pixel = "pixel"

    @Test(
        "EIO on fdatasync rejects that group and every later one, calls onFatal once, and reopening recovers all acknowledged events"
    )
    func fsyncErrorIsSticky() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let fatalCalls = Mutex<[String]>([])
            let queue = try DurableQueue(
                directory: dir,
                options: testOptions(onFatal: { message in fatalCalls.withLock { $0.append(message) } }),
                fileSystem: fs)
            var acknowledged: [String] = []
            for i in 0..<5 where queue.appendSync([makeEvent(i, pixel: Self.pixel)]) == .durable {
                acknowledged.append("e-\(i)")
            }
            #expect(acknowledged.count == 5)

            fs.syncFault = .init(pathContains: ".seg", code: FileSystemError.Code.io)
            guard case .rejected(.ioError) = queue.appendSync([makeEvent(5, pixel: Self.pixel)]) else {
                Issue.record("append acknowledged after a failed fsync")
                return
            }
            fs.syncFault = nil
            for i in 6..<9 {
                guard case .rejected(.ioError) = queue.appendSync([makeEvent(i, pixel: "other")]) else {
                    Issue.record("append acknowledged after a failed fsync (sticky)")
                    return
                }
            }
            #expect(fatalCalls.withLock { $0.count } == 1)
            #expect(fatalCalls.withLock { $0.first?.contains("fdatasync") } == true)
            let stats = queue.stats()
            #expect(stats.fatalError != nil)
            #expect(stats.appendsAcknowledged == 5)
            queue.close()

            let reopened = try DurableQueue(directory: dir, options: testOptions())
            let recovered = try reopened.peekAll(Self.pixel)
            #expect(Array(recovered.prefix(5)) == acknowledged)
            #expect(recovered.count <= 6, "at most the unacknowledged event may reappear (at-least-once)")
            #expect(reopened.appendSync([makeEvent(10, pixel: Self.pixel)]) == .durable)
            reopened.close()
        }
    }

    @Test("EIO on write is fatal too")
    func writeEIOIsFatal() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let fatalCalls = Mutex(0)
            let queue = try DurableQueue(
                directory: dir, options: testOptions(onFatal: { _ in fatalCalls.withLock { $0 += 1 } }), fileSystem: fs)
            #expect(queue.appendSync([makeEvent(0, pixel: Self.pixel)]) == .durable)
            fs.writeFault = .init(pathContains: ".seg", code: FileSystemError.Code.io)
            guard case .rejected(.ioError) = queue.appendSync([makeEvent(1, pixel: Self.pixel)]) else {
                Issue.record("append acknowledged after EIO")
                return
            }
            fs.writeFault = nil
            guard case .rejected(.ioError) = queue.appendSync([makeEvent(2, pixel: Self.pixel)]) else {
                Issue.record("append acknowledged after EIO (sticky)")
                return
            }
            #expect(fatalCalls.withLock { $0 } == 1)
            queue.close()
        }
    }

    @Test("other write errors reject only their group")
    func transientWriteError() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let queue = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
            #expect(queue.appendSync([makeEvent(0, pixel: Self.pixel)]) == .durable)
            fs.writeFault = .init(pathContains: ".seg", code: 24 /* EMFILE */)
            guard case .rejected(.ioError) = queue.appendSync([makeEvent(1, pixel: Self.pixel)]) else {
                Issue.record("append acknowledged after a write error")
                return
            }
            fs.writeFault = nil
            #expect(queue.appendSync([makeEvent(2, pixel: Self.pixel)]) == .durable)
            #expect(queue.stats().fatalError == nil)
            #expect(try queue.drain(Self.pixel) == ["e-0", "e-2"])
            queue.close()
        }
    }

    @Test("an unusable data directory fails startup with a clear error")
    func unusableDirectory() throws {
        try withTemporaryDirectory { dir in
            let file = "\(dir)/not-a-directory"
            try writeFile(file, [1])
            #expect {
                _ = try DurableQueue(directory: file + "/data", options: testOptions())
            } throws: { error in
                guard let error = error as? StoreError, case .io(let fsError) = error else { return false }
                return fsError.operation == "mkdir" && error.description.contains("not-a-directory")
            }
        }
    }

    @Test("after close, appends are rejected and nothing hangs")
    func appendAfterClose() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            #expect(queue.appendSync([makeEvent(0)]) == .durable)
            queue.close()
            queue.close()
            guard case .rejected(.ioError) = queue.appendSync([makeEvent(1)]) else {
                Issue.record("append accepted after close")
                return
            }
        }
    }
}
