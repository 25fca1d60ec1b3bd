// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayForwarder

/// How one event of a batch goes bad: Meta rejects it (F3), or it is too old to send (D7).
enum BadEvent: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case rejectedByMeta
    case expired
    var testDescription: String { rawValue }
}

private let day: Int64 = 24 * 3600

extension ForwarderWorkerTests {
    @Suite("invalid and expired events (F3, D7)")
    struct Rejection {
        @Test(
            "3 invalid events among 50 are bisected out and dead-lettered with Meta's message and fbtrace_id; the other 47 are delivered in order"
        )
        func bisection() async throws {
            try await withHarness { h in
                let events = makeEvents(50)
                let bad = ["1-7", "1-23", "1-41"]
                await h.enqueue(events)
                h.fake.rejectEvents(Set(bad))
                h.start()

                #expect(await eventually { h.depth == 0 })
                let letters = h.deadLetters
                #expect(letters.map(\.event.eventID) == bad)
                for letter in letters {
                    #expect(letter.metaMessage == "Invalid parameter in event \(letter.event.eventID)")
                    #expect(letter.fbtraceID == "FAKETRACE")
                    #expect(letter.reason == "rejected by Meta (HTTP 400, code 100/2804050)")
                    #expect(letter.event == events.first { $0.eventID == letter.event.eventID })
                }
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID).filter { !bad.contains($0) })
                #expect(h.queue.stats().totalDeadLetters == 3)
                let deadReports = h.reports.reports.filter {
                    if case .deadLettered = $0.outcome { true } else { false }
                }
                #expect(deadReports.map(\.eventIDs) == bad.map { [$0] })
            }
        }

        @Test(
            "events older than maxEventAgeSeconds (by the injected clock) are dead-lettered as expired and never sent; fresh ones in the same batch are delivered together"
        )
        func expiredNeverSent() async throws {
            try await withHarness { h in
                let wall = wallClockSeconds()
                // By a clock 5 days ahead, "fresh" events are 5 days old and "stale" ones 8 days.
                let events = (0..<12).map { makeEvent($0, eventTime: $0 % 3 == 1 ? wall - 3 * day : wall) }
                let stale = events.filter { $0.eventTime < wall }.map(\.eventID)
                let fresh = events.filter { $0.eventTime == wall }.map(\.eventID)
                await h.enqueue(events)
                h.start(clock: { DurableQueue.systemMilliseconds() + 5 * day * 1000 })

                #expect(await eventually { h.depth == 0 })
                let letters = h.deadLetters
                #expect(letters.map(\.event.eventID) == stale)
                #expect(letters.allSatisfy { $0.reason.hasPrefix("expired") && $0.metaMessage == nil })
                #expect(h.receivedIDs(pixelA) == fresh)
                #expect(h.fake.requestCount == 1)
                #expect(h.fake.rawBodies.allSatisfy { body in !stale.contains { body.contains("\"\($0)\"") } })
                #expect(h.reports.reports.contains { $0.outcome == .expired && $0.eventIDs == stale })
            }
        }

        @Test("events that age past the window while the upstream is down are dead-lettered before the next attempt")
        func expiresDuringOutage() async throws {
            try await withHarness { h in
                let offsetMs = Atomic<Int64>(0)
                let events = makeEvents(5, eventTime: wallClockSeconds() - 6 * day)
                await h.enqueue(events)
                h.fake.setAlways(.status(500, body: "{}"))
                h.start(clock: { DurableQueue.systemMilliseconds() + offsetMs.load(ordering: .relaxed) })

                #expect(await eventually { h.reports.retryReasons.count >= 3 })
                offsetMs.store(2 * day * 1000, ordering: .relaxed)
                #expect(await eventually { h.depth == 0 })
                let requests = h.fake.requestCount
                #expect(h.deadLetters.map(\.event.eventID) == events.map(\.eventID))
                #expect(h.deadLetters.allSatisfy { $0.reason.hasPrefix("expired") })
                try await Task.sleep(for: .milliseconds(100))
                #expect(h.fake.requestCount == requests)
                #expect(h.fake.received.isEmpty)
            }
        }

        @Test(
            "a dead letter that cannot be written is never committed: the event and all after it stay queued until the store works",
            arguments: BadEvent.allCases)
        func deadLetterStoreFailure(_ kind: BadEvent) async throws {
            let fs = FaultyFileSystem(failWritesTo: "/dead/")
            try await withHarness(fileSystem: fs) { h in
                let oldTime = wallClockSeconds() - 8 * day
                let events = (0..<10).map { makeEvent($0, eventTime: kind == .expired && $0 == 4 ? oldTime : nil) }
                let ids = events.map(\.eventID)
                await h.enqueue(events)
                if kind == .rejectedByMeta { h.fake.rejectEvents(["1-4"]) }
                fs.failing = true
                let worker = h.start()

                #expect(
                    await eventually {
                        worker.pixelStates().first?.lastError?.hasPrefix("could not write dead letters") == true
                    })
                try await Task.sleep(for: .milliseconds(150))  // several store retries (storeRetryMs = 20)
                #expect(h.deadLetters.isEmpty)
                #expect(try h.queuedIDs(pixelA).suffix(6) == ids[4...])
                #expect(!h.receivedIDs(pixelA).contains { ids[4...].contains($0) })
                #expect(h.depth >= 6)

                fs.failing = false
                #expect(await eventually { h.depth == 0 })
                #expect(h.deadLetters.map(\.event.eventID) == ["1-4"])
                #expect(h.receivedIDs(pixelA) == ids.filter { $0 != "1-4" })
            }
        }

        @Test("a cursor that cannot be written keeps the delivered batch and retries the commit without re-sending it")
        func commitFailure() async throws {
            let fs = FaultyFileSystem(failWritesTo: "/cursor.tmp")
            try await withHarness(fileSystem: fs) { h in
                let events = makeEvents(10)
                await h.enqueue(events)
                fs.failing = true
                let worker = h.start()

                #expect(
                    await eventually { worker.pixelStates().first?.lastError?.hasPrefix("queue commit failed") == true }
                )
                try await Task.sleep(for: .milliseconds(150))
                #expect(h.fake.requestCount == 1)
                #expect(h.depth == 10)

                fs.failing = false
                #expect(await eventually { h.depth == 0 })
                #expect(h.fake.requestCount == 1)
                #expect(h.receivedIDs(pixelA) == events.map(\.eventID))
            }
        }
    }
}
