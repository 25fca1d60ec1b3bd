// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayForwarder

/// Every forwarder suite runs one test at a time: they measure timing (backoff, timeouts, append
/// latency) and each starts servers and threads on a small machine.
@Suite("ForwarderWorker against the fake Graph API", .serialized)
struct ForwarderWorkerTests {}

extension ForwarderWorkerTests {
    @Suite("delivery")
    struct Delivery {
        @Test(
            "queued events are delivered per pixel in FIFO order, in batches of at most maxBatchEvents, with the documented body"
        )
        func fifoBatchesAndBody() async throws {
            try await withHarness { h in
                let a = makeEvents(2500, pixel: pixelA)
                let b = makeEvents(700, pixel: pixelB)
                await h.enqueue(a)
                await h.enqueue(b)
                var options = h.options()
                options.maxBatchEvents = 1000
                h.start(options: options, targets: [target(pixelA, testEventCode: "TEST123"), target(pixelB)])

                #expect(await eventually { h.depth == 0 && h.fake.received.count == 3200 })
                #expect(h.receivedIDs(pixelA) == a.map(\.eventID))
                #expect(h.receivedIDs(pixelB) == b.map(\.eventID))
                #expect(h.fake.received.filter { $0.pixelID == pixelA }.allSatisfy { $0.testEventCode == "TEST123" })
                #expect(h.fake.received.allSatisfy { $0.partnerAgent == "pixelrelay-test" })
                #expect(h.deadLetters.isEmpty)

                var sizes: [String: [Int]] = [:]
                for raw in h.fake.rawBodies {
                    let body = try JSONParser.parse(raw, limits: JSONLimits(maxBytes: 8 << 20))
                    let object = try #require(body.objectValue)
                    let data = try #require(body["data"]?.arrayValue)
                    let pixel = data.first?["event_id"]?.stringValue?.hasPrefix("1") == true ? pixelA : pixelB
                    sizes[pixel, default: []].append(data.count)
                    #expect(body["access_token"] == .string(ForwarderHarness.token))
                    #expect(body["partner_agent"] == .string("pixelrelay-test"))
                    let expectedKeys =
                        pixel == pixelA
                        ? ["data", "access_token", "test_event_code", "partner_agent"]
                        : ["data", "access_token", "partner_agent"]
                    #expect(object.keys == expectedKeys)
                }
                // Everything was queued before the worker started, so every batch but the last is full.
                #expect(sizes[pixelA] == [1000, 1000, 500])
                #expect(sizes[pixelB] == [700])
            }
        }

        @Test(
            "the benchmark's count-only fake counts what the forwarder sends, keeps nothing, and refuses a wrong token")
        func countOnlyFake() async throws {
            let fake = try FakeGraphAPI(validToken: ForwarderHarness.token, countOnly: true)
            let h = try ForwarderHarness(fake: fake)
            defer { h.close() }
            await h.enqueue(makeEvents(2500, pixel: pixelA))
            await h.enqueue(makeEvents(300, pixel: pixelB))
            h.start(targets: [target(pixelA), target(pixelB, token: "wrong-token")])
            #expect(await eventually { fake.countedEvents == 2500 && (try? h.queuedIDs(pixelA).isEmpty) == true })
            #expect(fake.requestCount == 3)  // 1,000 + 1,000 + 500: the wrong token's requests are not counted
            #expect(try h.queuedIDs(pixelB).count == 300)  // refused (code 190): kept for when the token is fixed
            #expect(fake.received.isEmpty && fake.rawBodies.isEmpty)
            #expect(h.deadLetters.isEmpty)
        }

        @Test("a batch stops at the byte budget, and a request body over 1 MiB is accepted whole")
        func byteBudget() async throws {
            try await withHarness { h in
                let events = makeEvents(1500, padding: 1500)
                await h.enqueue(events)
                var options = h.options()
                options.maxBatchBytes = 1_500_000
                h.start(options: options)

                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
                // Greedy packing by payload bytes, as the queue reads batches.
                var expected: [Int] = []
                var bytes = 0
                for event in events {
                    if expected.isEmpty || bytes + event.payload.count > options.maxBatchBytes
                        || expected[expected.count - 1] == 1000
                    {
                        expected.append(0)
                        bytes = 0
                    }
                    expected[expected.count - 1] += 1
                    bytes += event.payload.count
                }
                let bodies = try h.fake.rawBodies.map {
                    try JSONParser.parse($0, limits: JSONLimits(maxBytes: 8 << 20))
                }
                #expect(bodies.map { $0["data"]?.arrayValue?.count ?? 0 } == expected)
                #expect(expected.count >= 2)
                #expect(h.fake.rawBodies.contains { $0.utf8.count > 1 << 20 })
                #expect(h.reports.reports.allSatisfy { $0.isDelivered })
            }
        }

        @Test("a trickle of events lingers and shares one request")
        func linger() async throws {
            try await withHarness { h in
                var options = h.options()
                options.lingerMs = 2000  // generous: five fsynced appends on a loaded CI machine can take a while
                h.start(options: options)
                let events = makeEvents(5)
                for event in events { await h.enqueue([event]) }

                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
                #expect(h.fake.requestCount == 1)
            }
        }

        @Test("a lingering batch goes as soon as later appends fill it, without waiting out the linger")
        func lingerEndsWhenFull() async throws {
            try await withHarness { h in
                var options = h.options()
                options.lingerMs = 60_000  // only a full batch can go within the test's time
                options.maxBatchEvents = 10
                h.start(options: options)
                let events = makeEvents(10)
                for event in events.prefix(4) { await h.enqueue([event]) }
                // Below a full batch nothing goes: the arrivals do not even wake the worker.
                try await Task.sleep(for: .milliseconds(100))
                #expect(h.fake.requestCount == 0)
                await h.enqueue(Array(events[4..<7]))
                await h.enqueue(Array(events[7..<10]))
                let filled = ContinuousClock.now

                #expect(await eventually { h.depth == 0 })
                // Woken by the arrival that filled the batch (a few ms), not by the worker's 1 s rescan.
                #expect(ContinuousClock.now - filled < .milliseconds(600))
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
                #expect(h.fake.requestCount == 1)
            }
        }

        @Test("a lingering batch goes as soon as later appends reach half the byte budget")
        func lingerEndsAtByteBudget() async throws {
            try await withHarness { h in
                var options = h.options()
                options.lingerMs = 60_000
                options.maxBatchBytes = 64 * 1024
                h.start(options: options)
                let events = makeEvents(8, padding: 5_000)  // 8 × ~5 KB > 32 KB, far below 1,000 events
                for event in events.prefix(2) { await h.enqueue([event]) }
                try await Task.sleep(for: .milliseconds(100))
                #expect(h.fake.requestCount == 0)
                // One append crosses the threshold (split appends could send a full batch and leave
                // the rest lingering, which is right but not what this test is about).
                await h.enqueue(Array(events.dropFirst(2)))
                let filled = ContinuousClock.now

                #expect(await eventually { h.depth == 0 })
                #expect(ContinuousClock.now - filled < .milliseconds(600))
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
            }
        }

        @Test("events that arrive while a request is in flight go in the next request")
        func arrivalsDuringFlight() async throws {
            try await withHarness { h in
                h.fake.script([.slow(ms: 300)])
                h.start()
                await h.enqueue(makeEvents(2))
                #expect(await eventually { h.fake.requestCount == 1 })
                await h.enqueue(makeEvents(3, from: 2))

                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == (0..<5).map { "1-\($0)" })
                #expect(h.fake.requestCount == 2)
            }
        }

        @Test("an events_received mismatch counts as delivered: committed, reported, not re-sent")
        func mismatch() async throws {
            try await withHarness { h in
                await h.enqueue(makeEvents(5))
                h.fake.script([.status(200, body: #"{"events_received":3,"messages":[],"fbtrace_id":"MISMATCH"}"#)])
                h.start()

                #expect(await eventually { h.depth == 0 })
                let report = try #require(h.reports.reports.first)
                #expect(report.outcome == .delivered)
                #expect(report.eventIDs == (0..<5).map { "1-\($0)" })
                #expect(report.messages == ["events_received 3 ≠ 5 sent"])
                #expect(report.httpStatus == 200)
                // Later events still flow, and the mismatched batch was not sent again.
                await h.enqueue(makeEvents(2, from: 5))
                #expect(await eventually { h.depth == 0 && h.receivedIDs(pixelA) == ["1-5", "1-6"] })
                #expect(h.fake.requestCount == 2)
                #expect(h.deadLetters.isEmpty)
            }
        }

        @Test("usage headers near the rate limit on a success hold the pixel's next request back")
        func usageHeadersSlowDown() async throws {
            try await withHarness { h in
                await h.enqueue(makeEvents(10))
                h.fake.script([
                    .validWithHeaders([("X-App-Usage", #"{"call_count":96,"total_cputime":10,"total_time":10}"#)])
                ])
                var options = h.options()
                options.maxBatchEvents = 5
                let worker = h.start(options: options)

                #expect(await eventually { h.receivedIDs(pixelA).count == 5 })
                try await Task.sleep(for: .milliseconds(300))
                #expect(h.fake.requestCount == 1)
                #expect(h.depth == 5)
                let state = try #require(worker.pixelStates().first)
                #expect((state.nextAttemptInMs ?? 0) > Int64(GraphUsage.slowDownDelayMs) - 5_000)
                #expect(!state.paused)
            }
        }
    }
}
