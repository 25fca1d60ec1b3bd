// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayForwarder

/// A throttling answer and the Graph code (or HTTP status) the report must carry.
struct ThrottleCase: Sendable, CustomTestStringConvertible {
    var name: String
    var behaviour: FakeGraphAPI.Behaviour
    var throttled: Bool
    var testDescription: String { name }
}

/// An upstream failure and how the worker's retry reason starts.
struct FailureCase: Sendable, CustomTestStringConvertible {
    var name: String
    var behaviour: FakeGraphAPI.Behaviour
    var reasonPrefix: String
    var testDescription: String { name }
}

extension ForwarderWorkerTests {
    @Suite("outages and throttling (F1, F2, F5)")
    struct Outage {
        @Test("5xx, resets, hangs and timeouts lose nothing; after recovery each pixel's events arrive in FIFO order")
        func upstreamDown() async throws {
            try await withHarness { h in
                let a = makeEvents(300, pixel: pixelA)
                let b = makeEvents(200, pixel: pixelB)
                await h.enqueue(a)
                await h.enqueue(b)
                h.fake.script([
                    .status(500, body: "{}"), .reset, .graphError(http: 503, code: 2, transient: true), .hang(ms: 1500),
                    .status(502, body: "<html>bad gateway</html>"), .slow(ms: 800), .reset, .status(500, body: "{}"),
                ])
                var options = h.options()
                options.timeoutMs = 300
                options.maxBatchEvents = 50
                h.start(options: options, targets: [target(pixelA), target(pixelB)])

                #expect(await eventually { h.depth == 0 })
                for (pixel, events) in [(pixelA, a), (pixelB, b)] {
                    let received = h.receivedIDs(pixel)
                    // Only a timed-out request that Meta did process can repeat events: at most one batch.
                    #expect(firstOccurrences(received) == events.map(\.eventID))
                    #expect(received.count - events.count <= 50)
                }
                #expect(h.fake.received.count - 500 <= 50)
                #expect(h.deadLetters.isEmpty)
                // libcurl itself re-sends once when a reused connection dies before any byte of
                // the answer, so a reset may not reach the worker (the next test pins resets down).
                let reasons = h.reports.retryReasons
                #expect(reasons.count >= 6 && reasons.count <= 8)
                #expect(reasons.filter { $0 == "timeout" }.count == 2)
                #expect(reasons.filter { $0.hasPrefix("HTTP 500") }.count == 2)
                #expect(reasons.contains { $0.hasPrefix("HTTP 502") })
                #expect(reasons.contains { $0.hasPrefix("HTTP 503, code 2") })
            }
        }

        static let failureCases: [FailureCase] = [
            FailureCase(name: "connection reset", behaviour: .reset, reasonPrefix: "transport error"),
            FailureCase(name: "HTTP 500", behaviour: .status(500, body: "{}"), reasonPrefix: "HTTP 500"),
            FailureCase(
                name: "HTTP 502 from a proxy", behaviour: .status(502, body: "<html>bad gateway</html>"),
                reasonPrefix: "HTTP 502"),
            FailureCase(name: "hang", behaviour: .hang(ms: 1000), reasonPrefix: "timeout"),
            FailureCase(name: "code 1", behaviour: .graphError(http: 500, code: 1), reasonPrefix: "HTTP 500, code 1 "),
            FailureCase(name: "code 2", behaviour: .graphError(http: 503, code: 2), reasonPrefix: "HTTP 503, code 2 "),
        ]

        @Test(
            "each kind of upstream failure is retried for as long as it lasts, then the events are delivered once",
            arguments: failureCases)
        func failureKinds(_ c: FailureCase) async throws {
            try await withHarness { h in
                let events = makeEvents(20)
                await h.enqueue(events)
                h.fake.setAlways(c.behaviour)
                var options = h.options()
                options.timeoutMs = 200
                let worker = h.start(options: options)

                #expect(await eventually { h.reports.retryReasons.count >= 3 })
                #expect(h.reports.retryReasons.allSatisfy { $0.hasPrefix(c.reasonPrefix) })
                // The state snapshot is published after the report: wait for it rather than race it.
                #expect(await eventually { (worker.pixelStates().first?.consecutiveFailures ?? 0) >= 3 })
                #expect(h.depth == 20)
                h.fake.setAlways(nil)
                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
                #expect(h.deadLetters.isEmpty)
            }
        }

        @Test(
            "connection refused is retried with growing backoff until the upstream comes up, then everything is delivered"
        )
        func connectionRefused() async throws {
            try await withHarness { h in
                let reserved = try ReservedPort()  // refuses connections, and nobody else can take it
                defer { reserved.release() }
                let port = reserved.port
                let events = makeEvents(100)
                await h.enqueue(events)
                var options = h.options(baseURL: "http://127.0.0.1:\(port)")
                options.retryPolicy = RetryPolicy(baseMs: 20, capMs: 160)
                options.fullJitter = false
                let worker = h.start(options: options)

                #expect(await eventually { h.reports.retryReasons.count >= 6 })
                let failures = h.reports.all.filter(\.report.isRetrying)
                #expect(
                    failures.allSatisfy {
                        if case .retrying(let r) = $0.report.outcome { r.hasPrefix("connect failed") } else { false }
                    })
                // Attempt k waits the whole window k (no jitter here): 20, 40, 80, 160, 160 ms.
                for k in 0..<5 {
                    let gap = millis(from: failures[k].at, to: failures[k + 1].at)
                    // Gaps are measured between failure reports, so allow for the connect attempt's own jitter.
                    let window = Int64(options.retryPolicy.windowMs(attempt: k))
                    #expect(gap >= window - window / 10 - 2, "gap \(k)")
                }
                #expect(await eventually { (worker.pixelStates().first?.consecutiveFailures ?? 0) >= 6 })

                reserved.release()
                let upstream = try FakeGraphAPI(validToken: ForwarderHarness.token, port: port)
                defer { upstream.stop() }
                #expect(await eventually { h.depth == 0 })
                #expect(upstream.received.map(\.eventID) == events.map(\.eventID))
                #expect(await eventually { worker.pixelStates().first?.consecutiveFailures == 0 })
                #expect(await eventually { worker.pixelStates().first?.lastError == nil })
            }
        }

        static let throttleCases: [ThrottleCase] = [
            ThrottleCase(name: "HTTP 429", behaviour: .status(429, body: "{}"), throttled: true),
            ThrottleCase(name: "code 4", behaviour: .graphError(http: 400, code: 4), throttled: true),
            ThrottleCase(
                name: "code 17", behaviour: .graphError(http: 400, code: 17, subcode: 2_446_079), throttled: true),
            ThrottleCase(name: "code 613", behaviour: .graphError(http: 400, code: 613), throttled: true),
            ThrottleCase(name: "code 80004", behaviour: .graphError(http: 400, code: 80004), throttled: true),
            ThrottleCase(
                name: "is_transient on a rate-limit code",
                behaviour: .graphError(http: 400, code: 613, transient: true), throttled: true),
            ThrottleCase(
                name: "is_transient on an outage (code 2, not throttling)",
                behaviour: .graphError(http: 503, code: 2, transient: true), throttled: false),
            ThrottleCase(name: "HTTP 500 (not throttling)", behaviour: .status(500, body: "{}"), throttled: false),
        ]

        @Test("throttling is retried after the throttle policy's window, then delivered", arguments: throttleCases)
        func throttling(_ c: ThrottleCase) async throws {
            try await withHarness { h in
                let events = makeEvents(10)
                await h.enqueue(events)
                h.fake.script([c.behaviour])
                var options = h.options()
                options.retryPolicy = RetryPolicy(baseMs: 1, capMs: 1)
                options.throttlePolicy = RetryPolicy(baseMs: 700, capMs: 700)
                options.fullJitter = false
                h.start(options: options)

                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
                let log = h.reports.all
                let failed = try #require(log.first { $0.report.isRetrying })
                let delivered = try #require(log.first { $0.report.isDelivered })
                let waited = millis(from: failed.at, to: delivered.at)
                if c.throttled {
                    #expect(waited >= 700 - 2)  // ms truncation of the two clocks
                } else {
                    #expect(waited < 700)
                }
            }
        }

        @Test("a Retry-After hint is honoured even when the backoff window is shorter")
        func retryAfter() async throws {
            try await withHarness { h in
                await h.enqueue(makeEvents(3))
                h.fake.script([.respond(status: 429, headers: [("Retry-After", "1")], body: "{}")])
                var options = h.options()
                options.fullJitter = false
                h.start(options: options)

                #expect(await eventually { h.depth == 0 })
                let log = h.reports.all
                let failed = try #require(log.first { $0.report.isRetrying })
                let delivered = try #require(log.first { $0.report.isDelivered })
                #expect(millis(from: failed.at, to: delivered.at) >= 1000 - 2)  // ms truncation
                #expect(failed.report.httpStatus == 429)
            }
        }

        @Test("a hanging upstream times out after about timeoutMs and is retried, while appends stay fast")
        func hangingUpstream() async throws {
            try await withHarness { h in
                let first = makeEvents(10)
                await h.enqueue(first)
                h.fake.setAlways(.hang(ms: 3000))
                var options = h.options()
                options.timeoutMs = 400
                h.start(options: options)

                // Append one event every 10 ms while requests hang, timing each until it is durable.
                var latencies: [Int64] = []
                var appended: [QueuedEvent] = []
                let start = ContinuousClock.now
                var n = 10
                while elapsedMs(start) < 1200 || h.reports.retryReasons.count < 2 {
                    let event = makeEvent(n)
                    let t = ContinuousClock.now
                    await h.enqueue([event])
                    latencies.append(elapsedMs(t))
                    appended.append(event)
                    n += 1
                    try await Task.sleep(for: .milliseconds(10))
                    if elapsedMs(start) > 6000 { break }
                }
                let timeouts = h.reports.reports.filter { $0.outcome == .retrying("timeout") }
                #expect(timeouts.count >= 2)
                #expect(timeouts.allSatisfy { $0.latencyMs >= 390 && $0.latencyMs < 1500 })
                latencies.sort()
                print(
                    "append latency while upstream hangs: n=\(latencies.count) p50=\(latencies[latencies.count / 2]) ms max=\(latencies.last!) ms"
                )
                // The property, not a machine's speed: no append ever waited for a hanging request (each
                // hangs until the 400 ms timeout), on a test process busy with every other suite.
                #expect(latencies.last! < Int64(options.timeoutMs))

                h.fake.setAlways(nil)
                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == (first + appended).map(\.eventID))
            }
        }
    }
}
