// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayApp
@testable import RelayCore
@testable import RelayForwarder

/// The forwarder can deliver a batch before the ingest's commit callback records the events, so
/// `/status` must show Meta's answer whichever of the two arrives first.
@Suite struct StatusStoreOutcomeTests {
    static func event(_ id: String) -> ProcessedEvent {
        ProcessedEvent(
            eventID: id, eventName: "Lead", eventTime: 1_700_000_000, requestedPixelID: nil, payload: [],
            matchKeys: [.fbp, .ip],
            consentDenied: false, droppedFields: [], warnings: [], mintedEventID: false)
    }

    static func report(_ ids: [String], _ outcome: ForwardReport.Outcome, pixel: String = "1") -> ForwardReport {
        ForwardReport(
            pixelID: pixel, eventIDs: ids, eventNames: ids.map { _ in "Lead" }, outcome: outcome, fbtraceID: "trace-1",
            httpStatus: 200, graphCode: nil, latencyMs: 3, messages: [])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var reportFirst: Bool
        var outcome: ForwardReport.Outcome
        var shown: String
        var error: String?
        var testDescription: String { "\(reportFirst ? "report first" : "event first"), \(shown)" }
    }

    @Test(
        "the recent event shows the forwarding outcome whether the report comes before or after the event is recorded",
        arguments: [
            Case(reportFirst: false, outcome: .delivered, shown: "delivered"),
            Case(reportFirst: true, outcome: .delivered, shown: "delivered"),
            Case(reportFirst: true, outcome: .deadLettered("bad token"), shown: "dead-lettered", error: "bad token"),
            Case(reportFirst: false, outcome: .retrying("timeout"), shown: "retrying", error: "timeout"),
        ])
    func outcomeIsKept(_ c: Case) {
        let store = StatusStore()
        if c.reportFirst { store.apply(Self.report(["a"], c.outcome), nowMs: 10) }
        store.accepted(Self.event("a"), pixelIDs: ["1"], site: "shop", nowMs: 5, outcome: "queued")
        if !c.reportFirst { store.apply(Self.report(["a"], c.outcome), nowMs: 10) }
        let shown = store.snapshot().recent
        #expect(shown.map(\.outcome) == [c.shown])
        #expect(shown.map(\.fbtraceID) == ["trace-1"])
        #expect(shown.map(\.error) == [c.error])
    }

    @Test("an early report only applies to the same event id and pixel")
    func earlyReportIsPerPixel() {
        let store = StatusStore()
        store.apply(Self.report(["a"], .delivered, pixel: "1"), nowMs: 10)
        store.accepted(Self.event("a"), pixelIDs: ["1", "2"], site: "shop", nowMs: 5, outcome: "queued")
        store.accepted(Self.event("b"), pixelIDs: ["1"], site: "shop", nowMs: 6, outcome: "queued")
        let outcomes = store.snapshot().recent.map { "\($0.eventID)@\($0.pixelID): \($0.outcome)" }
        #expect(outcomes == ["b@1: queued", "a@2: queued", "a@1: delivered"])
    }

    @Test("a batch larger than the page updates the events the page can show, recorded before or after")
    func largeBatchUpdatesTheNewest() {
        let store = StatusStore(capacity: 3)
        let ids = (1...10).map { "e\($0)" }
        for id in ids.prefix(8) {
            store.accepted(Self.event(id), pixelIDs: ["1"], site: "shop", nowMs: 5, outcome: "queued")
        }
        store.apply(Self.report(ids, .delivered), nowMs: 10)
        // e9 and e10 are recorded after the report: their early outcome is waiting for them.
        for id in ids.suffix(2) {
            store.accepted(Self.event(id), pixelIDs: ["1"], site: "shop", nowMs: 11, outcome: "queued")
        }
        let shown = store.snapshot().recent.map { "\($0.eventID): \($0.outcome)" }
        #expect(shown == ["e10: delivered", "e9: delivered", "e8: delivered"])
        #expect(store.snapshot().delivered == 10)
    }

    @Test("two pixels' batches reported before their events are recorded both keep their outcomes")
    func earlyOutcomesOfTwoPixels() {
        let store = StatusStore(capacity: 4)
        let ids = (1...4).map { "e\($0)" }
        store.apply(Self.report(ids, .delivered, pixel: "1"), nowMs: 10)
        store.apply(Self.report(ids, .deadLettered("bad"), pixel: "2"), nowMs: 10)
        for id in ids.prefix(2) {
            store.accepted(Self.event(id), pixelIDs: ["1", "2"], site: "shop", nowMs: 11, outcome: "queued")
        }
        let shown = store.snapshot().recent.map { "\($0.eventID)@\($0.pixelID): \($0.outcome)" }
        #expect(shown == ["e2@2: dead-lettered", "e2@1: delivered", "e1@2: dead-lettered", "e1@1: delivered"])
    }

    @Test("early outcomes are bounded: past the bound the oldest goes first, one at a time")
    func earlyOutcomesAreBoundedOldestFirst() {
        let store = StatusStore(capacity: 1)  // room for 8 early outcomes
        let ids = (1...9).map { "e\($0)" }
        for id in ids { store.apply(Self.report([id], .delivered), nowMs: 10) }
        for id in ["e1", "e2", "e9"] {
            store.accepted(Self.event(id), pixelIDs: ["1"], site: "shop", nowMs: 11, outcome: "queued")
            #expect(store.snapshot().recent.map(\.outcome) == [id == "e1" ? "queued" : "delivered"], "\(id)")
        }
    }

    @Test("reports for events never recorded here (recovered after a restart) do not pile up")
    func unclaimedReportsAreBounded() {
        let store = StatusStore(capacity: 2)  // room for 16 early outcomes
        let recovered = (1...16).map { "old-\($0)" }
        for id in recovered + ["new"] { store.apply(Self.report([id], .delivered), nowMs: 10) }
        store.accepted(Self.event("old-1"), pixelIDs: ["1"], site: "shop", nowMs: 11, outcome: "queued")
        store.accepted(Self.event("new"), pixelIDs: ["1"], site: "shop", nowMs: 12, outcome: "queued")
        #expect(store.snapshot().recent.map(\.outcome) == ["delivered", "queued"])
    }
}
