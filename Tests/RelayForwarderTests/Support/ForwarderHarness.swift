// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayForwarder

/// A real `DurableQueue` in a fresh temporary directory, the fake Graph API, a real `CurlClient`,
/// and a `ForwarderWorker` between them. Build it with ``withHarness(fileSystem:_:)``.
final class ForwarderHarness: @unchecked Sendable {
    static let token = "test-token"

    let dir: String
    let fs: any FileSystem
    private(set) var queue: DurableQueue
    let fake: FakeGraphAPI
    private(set) var client: any UpstreamClient
    let reports = ReportLog()
    private(set) var worker: ForwarderWorker?

    init(fileSystem: any FileSystem = PosixFileSystem(), fake: FakeGraphAPI? = nil) throws {
        dir = try makeTemporaryDirectory()
        fs = fileSystem
        queue = try DurableQueue(
            directory: dir, options: DurableQueue.Options(lockDirectory: false), fileSystem: fileSystem)
        self.fake = try fake ?? FakeGraphAPI(validToken: Self.token)
        client = try CurlClient(allowPlainHTTP: true, userAgent: "pixelrelay/test")
    }

    /// Options for tests: the fake's URL, a short timeout, backoff in milliseconds, no linger.
    func options(baseURL: String? = nil) -> ForwarderWorker.Options {
        var o = ForwarderWorker.Options()
        o.graphBaseURL = baseURL ?? fake.baseURL
        o.timeoutMs = 2000
        o.lingerMs = 0
        o.retryPolicy = RetryPolicy(baseMs: 5, capMs: 40)
        o.throttlePolicy = RetryPolicy(baseMs: 5, capMs: 40)
        o.storeRetryMs = 20
        o.partnerAgent = "pixelrelay-test"
        return o
    }

    /// Creates and starts the worker (stopping any previous one).
    @discardableResult
    func start(
        options: ForwarderWorker.Options? = nil, targets: [ForwardTarget]? = nil, client: (any UpstreamClient)? = nil,
        clock: @escaping @Sendable () -> Int64 = { DurableQueue.systemMilliseconds() }
    ) -> ForwarderWorker {
        worker?.stop()
        if let client {
            self.client.shutdown()
            self.client = client
        }
        let w = ForwarderWorker(
            queue: queue, client: self.client, targets: targets ?? [target(pixelA)], options: options ?? self.options(),
            observer: reports, clock: clock)
        w.start()
        worker = w
        return w
    }

    /// Stops the worker, shuts the client down and closes the queue, then opens the directory again
    /// with a new queue and client: what a process restart does.
    func restart() throws {
        worker?.stop()
        worker = nil
        client.shutdown()
        queue.close()
        queue = try DurableQueue(directory: dir, options: DurableQueue.Options(lockDirectory: false), fileSystem: fs)
        client = try CurlClient(allowPlainHTTP: true, userAgent: "pixelrelay/test")
    }

    /// Appends durably (in appends of up to 1,000 events, like the ingest path does under load).
    func enqueue(_ events: [QueuedEvent]) async {
        var start = 0
        while start < events.count {
            let end = min(start + 1000, events.count)
            let result = await queue.append(Array(events[start..<end]))
            #expect(result == .durable)
            start = end
        }
    }

    var depth: Int { queue.stats().totalDepth }
    var deadLetters: [DeadLetter] { (try? DurableQueue.listDeadLetters(directory: dir)) ?? [] }

    /// Event ids the fake accepted for `pixelID`, in arrival order (duplicates kept).
    func receivedIDs(_ pixelID: String) -> [String] {
        fake.received.filter { $0.pixelID == pixelID }.map(\.eventID)
    }

    /// The ids of the events still queued for `pixelID` (read without consuming).
    func queuedIDs(_ pixelID: String) throws -> [String] {
        try queue.readBatch(pixelID: pixelID, maxEvents: 100_000, maxBytes: 1 << 30)?.events.map(\.eventID) ?? []
    }

    func close() {
        worker?.stop()
        client.shutdown()
        fake.stop()
        queue.close()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// Runs `body` with a fresh harness and always tears it down.
func withHarness<R>(
    fileSystem: any FileSystem = PosixFileSystem(), _ body: (ForwarderHarness) async throws -> R
) async throws -> R {
    let harness = try ForwarderHarness(fileSystem: fileSystem)
    defer { harness.close() }
    return try await body(harness)
}

let pixelA = "111111111111111"
let pixelB = "222222222222222"

func target(_ pixelID: String, token: String = ForwarderHarness.token, testEventCode: String? = nil) -> ForwardTarget {
    ForwardTarget(pixelID: pixelID, accessToken: Secret(token), testEventCode: testEventCode)
}

/// A valid website event (it passes the fake's checks) with id `"\(prefix)-\(n)"`.
func makeEvent(
    _ n: Int, pixel: String = pixelA, prefix: String? = nil, eventTime: Int64? = nil, padding: Int = 0
) -> QueuedEvent {
    let id = "\(prefix ?? String(pixel.prefix(1)))-\(n)"
    let time = eventTime ?? wallClockSeconds()
    let pad = padding > 0 ? ",\"custom_data\":{\"note\":\"\(String(repeating: "x", count: padding))\"}" : ""
    let json =
        "{\"event_name\":\"PageView\",\"event_time\":\(time),\"event_id\":\"\(id)\",\"action_source\":\"website\","
        + "\"event_source_url\":\"https://shop.example.com/p/\(n)\",\"user_data\":{\"client_user_agent\":\"Mozilla/5.0\","
        + "\"em\":[\"\(String(repeating: "ab", count: 32))\"]}\(pad)}"
    return QueuedEvent(
        pixelID: pixel, eventID: id, eventName: "PageView", eventTime: time, enqueuedAtMs: time * 1000,
        payload: Array(json.utf8))
}

func makeEvents(_ count: Int, pixel: String = pixelA, from start: Int = 0, eventTime: Int64? = nil, padding: Int = 0)
    -> [QueuedEvent]
{
    (start..<start + count).map { makeEvent($0, pixel: pixel, eventTime: eventTime, padding: padding) }
}

/// Polls `condition` every 5 ms until it holds or `timeoutMs` passes; returns whether it held.
@discardableResult
func eventually(timeoutMs: Int = 8000, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try condition()
}

/// Milliseconds elapsed since `start`.
func elapsedMs(_ start: ContinuousClock.Instant) -> Int64 {
    millis(from: start, to: .now)
}

/// Milliseconds from `a` to `b`.
func millis(from a: ContinuousClock.Instant, to b: ContinuousClock.Instant) -> Int64 {
    let d = b - a
    return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
}

/// A fresh private directory, on tmpfs when available (fsync is cheap there).
func makeTemporaryDirectory() throws -> String {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    var template = Array("\(base)/relayfwd-XXXXXX".utf8CString)
    return try #require(
        template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
}

/// The sequence with later repeats of an element removed (first occurrences, in order).
func firstOccurrences(_ ids: [String]) -> [String] {
    var seen = Set<String>()
    return ids.filter { seen.insert($0).inserted }
}
