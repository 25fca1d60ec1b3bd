// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayForwarder

/// A Graph error that needs a person to act, and the code the pause reason must name.
struct PauseCase: Sendable, CustomTestStringConvertible {
    var code: Int
    var subcode: Int?
    var testDescription: String { "code \(code)" + (subcode.map { "/\($0)" } ?? "") }
}

extension ForwarderWorkerTests {
    @Suite("token and permission errors pause a pixel (F4)")
    struct Pause {
        @Test("a rejected token (code 190) pauses the pixel without dropping anything; a new token resumes it")
        func invalidTokenThenNewToken() async throws {
            try await withHarness { h in
                let events = makeEvents(30)
                await h.enqueue(events)
                let worker = h.start(targets: [target(pixelA, token: "expired-token")])

                #expect(await eventually { worker.pixelStates().first?.paused == true })
                let state = try #require(worker.pixelStates().first)
                #expect(state.pauseReason?.contains("code 190/463") == true)
                #expect(state.nextAttemptInMs ?? 0 > 60_000)
                try await Task.sleep(for: .milliseconds(200))
                #expect(h.fake.requestCount == 1)  // paused: no hammering with a bad token
                #expect(h.depth == 30)
                #expect(h.deadLetters.isEmpty)
                #expect(h.reports.reports.map(\.outcome) == [.paused(state.pauseReason ?? "")])

                worker.updateTargets([target(pixelA)])
                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
                #expect(await eventually { worker.pixelStates().first?.paused == false })
            }
        }

        @Test(
            "a pause error keeps every event queued, and a reload with the same settings resumes the pixel",
            arguments: [
                PauseCase(code: 190, subcode: 460), PauseCase(code: 102), PauseCase(code: 10), PauseCase(code: 200),
                PauseCase(code: 368), PauseCase(code: 100, subcode: 33),
            ])
        func reloadResumes(_ c: PauseCase) async throws {
            try await withHarness { h in
                let events = makeEvents(20)
                await h.enqueue(events)
                h.fake.script([.graphError(http: 400, code: c.code, subcode: c.subcode)])
                let worker = h.start()

                #expect(await eventually { worker.pixelStates().first?.paused == true })
                #expect(worker.pixelStates().first?.pauseReason?.contains(c.testDescription) == true)
                #expect(h.depth == 20)
                #expect(h.deadLetters.isEmpty)

                // The operator fixed the permission at Meta and reloads: same token, new generation.
                worker.updateTargets([target(pixelA)])
                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
            }
        }

        @Test(
            "an endpoint that is not Graph (200 without events_received, 400 without a Graph error) pauses the pixel and keeps every event",
            arguments: [
                FakeGraphAPI.Behaviour.status(200, body: "<html>welcome</html>"),
                FakeGraphAPI.Behaviour.status(200, body: ""), FakeGraphAPI.Behaviour.status(400, body: "Bad Request"),
            ])
        func notGraphPauses(_ behaviour: FakeGraphAPI.Behaviour) async throws {
            try await withHarness { h in
                let events = makeEvents(12)
                await h.enqueue(events)
                h.fake.setAlways(behaviour)
                let worker = h.start()

                #expect(await eventually { worker.pixelStates().first?.paused == true })
                #expect(worker.pixelStates().first?.pauseReason?.contains("Graph") == true)
                try await Task.sleep(for: .milliseconds(200))
                #expect(h.fake.requestCount == 1)
                #expect(h.depth == 12)
                #expect(h.deadLetters.isEmpty)

                h.fake.setAlways(nil)
                worker.updateTargets([target(pixelA)])
                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
            }
        }

        @Test("a paused pixel tries again on its own when the pause retry timer fires")
        func pauseTimer() async throws {
            try await withHarness { h in
                let events = makeEvents(10)
                await h.enqueue(events)
                h.fake.setAlways(.graphError(http: 400, code: 190, subcode: 463))
                var options = h.options()
                options.pauseRetryMs = 400
                let worker = h.start(options: options)

                #expect(await eventually { worker.pixelStates().first?.paused == true })
                let pausedAt = ContinuousClock.now
                h.fake.setAlways(nil)
                #expect(await eventually { h.depth == 0 })
                #expect(elapsedMs(pausedAt) >= 300)
                #expect(h.fake.requestCount == 2)
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
            }
        }

        @Test("events of a pixel that is not configured stay queued until a reload adds it")
        func unconfiguredPixel() async throws {
            try await withHarness { h in
                let a = makeEvents(5, pixel: pixelA)
                let b = makeEvents(5, pixel: pixelB)
                await h.enqueue(a + b)
                let worker = h.start(targets: [target(pixelA)])

                #expect(await eventually { h.receivedIDs(pixelA) == a.map(\.eventID) })
                #expect(await eventually { worker.pixelStates().first { $0.pixelID == pixelB }?.paused == true })
                #expect(h.queue.stats().pixels.first { $0.pixelID == pixelB }?.depth == 5)
                #expect(h.receivedIDs(pixelB).isEmpty)

                worker.updateTargets([target(pixelA), target(pixelB)])
                #expect(await eventually { h.depth == 0 })
                #expect(h.receivedIDs(pixelB) == b.map(\.eventID))
            }
        }
    }
}
