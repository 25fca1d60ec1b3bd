// SPDX-License-Identifier: Apache-2.0

import Dispatch
import Foundation
import Synchronization
import Testing

@testable import RelayStore

/// Appends wait in memory for the committer's next fsync; when the disk falls behind, the backlog is
/// bounded and appends past the bound are refused at once (and reported), never held without limit.
@Suite("Commit backlog")
struct CommitBacklogTests {
    @Test("on a slow disk, appends past the in-memory bound are refused as queueFull and the refusals are reported")
    func refusalsAtTheBoundAreReported() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            fs.syncDelayMicros = 300_000  // a disk that takes 0.3 s per sync
            var options = testOptions()
            options.maxPendingBytes = 4_096
            let queue = try DurableQueue(directory: dir, options: options, fileSystem: fs)
            #expect(queue.stats().commitBacklog == CommitBacklog(bytes: 0, limitBytes: 4_096))

            let results = Mutex<[AppendResult]>([])
            let done = DispatchSemaphore(value: 0)
            let count = 40
            for n in 0..<count {  // ~300 bytes each: the first group syncs while the rest pile up
                queue.append([makeEvent(n, padding: 200)]) { result in
                    results.withLock { $0.append(result) }
                    done.signal()
                }
            }
            let backlog = queue.stats().commitBacklog
            for _ in 0..<count { #expect(done.wait(timeout: .now() + .seconds(20)) == .success) }

            let refused = results.withLock { $0.count { $0 == .rejected(.queueFull) } }
            let durable = results.withLock { $0.count { $0 == .durable } }
            #expect(refused > 0 && durable > 0 && refused + durable == count, "\(durable) durable, \(refused) refused")
            #expect(backlog.bytes <= 4_096, "never more than the bound waits: \(backlog.bytes)")
            let after = queue.stats().commitBacklog
            #expect(after.refused == refused)
            let since = try #require(after.sinceLastRefusal)
            #expect(since < .seconds(20))
            // What was acknowledged is exactly what is stored.
            #expect(try queue.drain("123456789012345").count == durable)
            queue.close()
        }
    }
}
