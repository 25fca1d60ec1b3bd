// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization
import Testing

@testable import RelayStore

/// D1: an append is acknowledged only after an fdatasync that covered its record, and concurrent
/// appends share syncs.
@Suite struct GroupCommitTests {
    struct Ack: Sendable {
        var eventID: String
        var result: AppendResult
        var sequence: Int
    }

    @Test("appends made with deferCommit wait for commitDeferred, then share one fdatasync")
    func deferredAppendsShareOneCommit() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let queue = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
            // An idle committer (a busy one would take deferred appends with its next group).
            let deadline = ContinuousClock.now + .seconds(10)
            while !queue.committer.isIdle, ContinuousClock.now < deadline { usleep(1000) }
            let syncsBefore = fs.segmentSyncs
            let done = Mutex<[AppendResult]>([])
            let all = DispatchSemaphore(value: 0)
            for n in 0..<5 {
                queue.append([makeEvent(n)], deferCommit: true) { result in
                    done.withLock { $0.append(result) }
                    all.signal()
                }
            }
            // Nothing is acknowledged (or written) before the caller's burst ends.
            #expect(all.wait(timeout: .now() + .milliseconds(300)) == .timedOut)
            #expect(done.withLock { $0.isEmpty })
            queue.commitDeferred()
            for _ in 0..<5 { #expect(all.wait(timeout: .now() + .seconds(10)) == .success) }
            #expect(done.withLock { $0 } == Array(repeating: .durable, count: 5))
            #expect(fs.segmentSyncs - syncsBefore == 1)
            #expect(try queue.peekAll("123456789012345") == (0..<5).map { makeEvent($0).eventID })
        }
    }

    @Test("an ordinary append also commits the deferred appends queued before it")
    func ordinaryAppendCarriesDeferredOnes() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            let first = DispatchSemaphore(value: 0)
            queue.append([makeEvent(0)], deferCommit: true) { _ in first.signal() }
            #expect(queue.appendSync([makeEvent(1)]) == .durable)
            #expect(first.wait(timeout: .now() + .seconds(10)) == .success)
            #expect(try queue.peekAll("123456789012345") == [makeEvent(0).eventID, makeEvent(1).eventID])
            queue.commitDeferred()  // nothing left: a no-op
        }
    }

    @Test("every acknowledgement follows an fdatasync of the file holding its record, and appends share syncs")
    func acknowledgementsFollowCoveringSyncs() throws {
        try withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            fs.syncDelayMicros = 500  // a slow disk, so that groups form
            let queue = try DurableQueue(directory: dir, options: testOptions(), fileSystem: fs)
            let threads = 8
            let perThread = 60
            let acks = Mutex<[Ack]>([])
            onThreads(threads) { t in
                for i in 0..<perThread {
                    let n = t * 1000 + i
                    // Two pixels, so a group touches two files.
                    let event = makeEvent(n, pixel: t % 2 == 0 ? "pixelA" : "pixelB")
                    let done = DispatchSemaphore(value: 0)
                    queue.append([event]) { result in
                        acks.withLock {
                            $0.append(Ack(eventID: event.eventID, result: result, sequence: fs.currentSequence()))
                        }
                        done.signal()
                    }
                    done.wait()
                }
            }
            let all = acks.withLock { $0 }
            let total = threads * perThread
            #expect(all.count == total)
            #expect(all.allSatisfy { $0.result == .durable })

            // Where each record was written, and when each file was synced.
            let trace = fs.trace
            var writtenAt: [String: (path: String, sequence: Int)] = [:]
            var syncs: [String: [Int]] = [:]
            for (sequence, op) in trace {
                switch op {
                case .write(let path, _, let bytes):
                    for id in Self.eventIDs(in: bytes) { writtenAt[id] = (path, sequence) }
                case .fdatasync(let path):
                    syncs[path, default: []].append(sequence)
                }
            }
            for ack in all {
                let written = try #require(writtenAt[ack.eventID], "record \(ack.eventID) was never written")
                let covering = syncs[written.path, default: []].contains { $0 > written.sequence && $0 < ack.sequence }
                #expect(covering, "\(ack.eventID) acknowledged without a sync after its write")
            }

            let stats = queue.stats()
            #expect(stats.appendsAcknowledged == total)
            #expect(stats.syncs == fs.segmentSyncs)
            #expect(stats.syncs < total, "group commit should share syncs: \(stats.syncs) syncs for \(total) appends")
            #expect(stats.groupCommits < total)
            queue.close()
        }
    }

    @Test("appends from many threads keep per-thread order and lose nothing")
    func concurrentAppendsKeepOrder() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            onThreads(4) { t in
                for i in 0..<50 { _ = queue.appendSync([makeEvent(t * 1000 + i, pixel: "p")]) }
            }
            let ids = try queue.drain("p")
            #expect(ids.count == 200)
            for t in 0..<4 {
                let mine = ids.filter { Int($0.dropFirst(2))! / 1000 == t }
                #expect(mine == (0..<50).map { "e-\(t * 1000 + $0)" })
            }
            queue.close()
        }
    }

    @Test("an append of several events and pixels is all-or-nothing and lands in order")
    func multiEventAppend() throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions())
            let events = [makeEvent(1, pixel: "a"), makeEvent(2, pixel: "b"), makeEvent(3, pixel: "a")]
            #expect(queue.appendSync(events) == .durable)
            #expect(try queue.drain("a") == ["e-1", "e-3"])
            #expect(try queue.drain("b") == ["e-2"])
            #expect(queue.stats().eventsAcknowledged == 3)
            queue.close()
        }
    }

    @Test("a configured group-commit delay still acknowledges everything")
    func groupCommitDelay() throws {
        try withTemporaryDirectory { dir in
            var options = testOptions()
            options.groupCommitMaxDelay = .milliseconds(2)
            let queue = try DurableQueue(directory: dir, options: options)
            onThreads(4) { t in
                for i in 0..<10 { _ = queue.appendSync([makeEvent(t * 100 + i)]) }
            }
            #expect(queue.stats().appendsAcknowledged == 40)
            #expect(try queue.peekAll("123456789012345").count == 40)
            queue.close()
        }
    }

    /// The `"event_id":"…"` values inside written bytes.
    static func eventIDs(in bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.components(separatedBy: "\"event_id\":\"").dropFirst().compactMap {
            $0.split(separator: "\"").first.map(String.init)
        }
    }
}
