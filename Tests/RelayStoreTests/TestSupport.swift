// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization
import Testing

@testable import RelayStore

/// A fresh private directory (on tmpfs when available, so fsync is cheap), removed afterwards.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let base =
        ProcessInfo.processInfo.environment["RELAYSTORE_TEST_TMP"]
        ?? (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    var template = Array("\(base)/relaystore-XXXXXX".utf8CString)
    let path = try #require(
        template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// A small, recognisable event.
func makeEvent(_ n: Int, pixel: String = "123456789012345", padding: Int = 0, time: Int64 = 1_764_412_800)
    -> QueuedEvent
{
    let json =
        "{\"event_name\":\"Purchase\",\"event_id\":\"e-\(n)\",\"pad\":\"\(String(repeating: "x", count: padding))\"}"
    return QueuedEvent(
        pixelID: pixel, eventID: "e-\(n)", eventName: "Purchase", eventTime: time,
        enqueuedAtMs: 1_764_412_800_000 + Int64(n),
        payload: Array(json.utf8))
}

extension DurableQueue {
    /// Appends and waits (tests only).
    func appendSync(_ events: [QueuedEvent]) -> AppendResult {
        appendAndWait(events)
    }

    /// Reads and commits everything of one pixel, returning the event ids in order.
    func drain(_ pixelID: String) throws -> [String] {
        var ids: [String] = []
        while let batch = try readBatch(pixelID: pixelID, maxEvents: 1000, maxBytes: 1 << 24) {
            ids += batch.events.map(\.eventID)
            try commit(batch)
        }
        return ids
    }

    /// Reads without committing (up to 100k events).
    func peekAll(_ pixelID: String) throws -> [String] {
        try readBatch(pixelID: pixelID, maxEvents: 100_000, maxBytes: 1 << 30)?.events.map(\.eventID) ?? []
    }
}

/// Options for tests: no directory lock unless asked, tiny defaults otherwise unchanged.
func testOptions(
    maxBytes: Int64 = 1 << 30, segmentBytes: Int64 = 64 << 20, lock: Bool = false,
    onFatal: @escaping @Sendable (String) -> Void = { _ in }
) -> DurableQueue.Options {
    var options = DurableQueue.Options(
        maxBytes: maxBytes, segmentBytes: segmentBytes, lockDirectory: lock, onFatal: onFatal)
    options.reserveBytes = 4096  // a whole MiB of zeros per test queue is time without meaning
    return options
}

/// Runs `body(i)` on `count` threads at once and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        let thread = Thread {
            body(i)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

/// The bytes of a file (tests only).
func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Overwrites a file (tests only).
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Permission bits of a path.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

let segment1 = "0000000000000001.seg"
