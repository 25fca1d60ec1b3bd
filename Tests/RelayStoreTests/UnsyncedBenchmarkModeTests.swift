// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayStore

@Suite("The benchmark-only unsynced mode")
struct UnsyncedBenchmarkModeTests {
    @Test("syncData defaults to true, and only an explicit false skips fdatasync on segments")
    func syncDataSwitch() throws {
        #expect(DurableQueue.Options().syncData)
        for sync in [true, false] {
            try withTemporaryDirectory { dir in
                let fs = FaultyFileSystem()
                var options = testOptions()
                options.syncData = sync
                let queue = try DurableQueue(directory: dir, options: options, fileSystem: fs)
                defer { queue.close() }
                #expect(queue.appendSync([makeEvent(1), makeEvent(2)]) == .durable)
                #expect(queue.appendSync([makeEvent(3)]) == .durable)
                #expect((fs.segmentSyncs > 0) == sync, "sync=\(sync): \(fs.segmentSyncs) segment syncs")
                #expect(try queue.drain("123456789012345") == ["e-1", "e-2", "e-3"])
            }
        }
    }
}
