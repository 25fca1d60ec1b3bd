// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayForwarder

extension ForwarderWorkerTests {
    @Suite("stop, restart and backlog drain (F1, F6)")
    struct Lifecycle {
        @Test(
            "stop() returns promptly and leaves the in-flight batch uncommitted; after a restart a new worker delivers the same event ids"
        )
        func stopThenRestart() async throws {
            try await withHarness { h in
                let events = makeEvents(30)
                await h.enqueue(events)
                h.fake.setAlways(.hang(ms: 5000))
                var options = h.options()
                options.timeoutMs = 10_000
                let worker = h.start(options: options)

                #expect(await eventually { h.fake.requestCount == 1 })
                let start = ContinuousClock.now
                worker.stop()
                #expect(elapsedMs(start) < 500)
                #expect(h.depth == 30)
                #expect(try h.queuedIDs(pixelA) == events.map(\.eventID))

                try h.restart()
                h.fake.setAlways(nil)
                h.start()
                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
                #expect(h.deadLetters.isEmpty)
            }
        }

        @Test(
            "a pixel stopped half-way through a bisection resumes after its committed prefix, without re-sending or re-dead-lettering it"
        )
        func stopDuringBisection() async throws {
            try await withHarness { h in
                let events = makeEvents(16)
                await h.enqueue(events)
                h.fake.rejectEvents(["1-12"])
                // Requests: 0–15 ✗, 0–7 ✓, 8–15 ✗, 8–11 ✓, 12–15 ✗, 12–13 ✗, 12 ✗ (dead letter), then 13 → paused.
                h.fake.script(
                    Array(repeating: .slow(ms: 0), count: 7) + [.graphError(http: 400, code: 190, subcode: 463)])
                let worker = h.start()
                #expect(await eventually { worker.pixelStates().first?.paused == true })
                #expect(h.deadLetters.map(\.event.eventID) == ["1-12"])

                try h.restart()
                #expect(h.depth == 3)
                #expect(try h.queuedIDs(pixelA) == ["1-13", "1-14", "1-15"])
                h.start()
                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID).filter { $0 != "1-12" })
                #expect(h.deadLetters.map(\.event.eventID) == ["1-12"])
            }
        }

        @Test("a 20,000-event backlog drains in FIFO order once the upstream recovers from an outage")
        func backlogDrain() async throws {
            try await withHarness { h in
                let events = makeEvents(20_000)
                let appendStart = ContinuousClock.now
                await h.enqueue(events)
                let appendMs = elapsedMs(appendStart)
                h.fake.setAlways(.status(503, body: "{}"))
                h.start()
                #expect(await eventually { h.reports.retryReasons.count >= 3 })

                let start = ContinuousClock.now
                h.fake.setAlways(nil)
                #expect(await eventually { h.depth == 0 })
                let ms = max(1, elapsedMs(start))
                print(
                    "backlog drain (debug build): 20000 events in \(ms) ms = \(20_000 * 1000 / ms) events/s; appended in \(appendMs) ms"
                )
                #expect(firstOccurrences(h.receivedIDs(pixelA)) == events.map(\.eventID))
                #expect(h.receivedIDs(pixelA).count == 20_000)
            }
        }
    }
}
