// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayApp
@testable import RelayCore

/// H5 for `/status`: event names come from clients, so the tables keyed by them stay bounded.
@Suite struct StatusStoreBoundsTests {
    static func event(_ name: String, id: String) -> ProcessedEvent {
        ProcessedEvent(
            eventID: id, eventName: name, eventTime: 1_700_000_000, requestedPixelID: nil, payload: [],
            matchKeys: [.fbp], consentDenied: false, droppedFields: [], warnings: [], mintedEventID: false)
    }

    @Test("past 200 distinct event names, further names are counted together and known names keep their rows")
    func eventNamesAreBounded() {
        let store = StatusStore()
        let now: Int64 = 1_764_412_800_000
        for i in 0..<1_000 {
            store.accepted(Self.event("Name\(i)", id: "id-\(i)"), pixelIDs: ["1"], site: "s", nowMs: now, outcome: "q")
        }
        store.accepted(Self.event("Name0", id: "again"), pixelIDs: ["1"], site: "s", nowMs: now, outcome: "q")
        let snapshot = store.snapshot()
        #expect(snapshot.coverage.count == StatusStore.maxEventNames + 1)
        #expect(snapshot.coverage["Name0"]?.events == 2)
        #expect(snapshot.coverage["Name199"]?.events == 1)
        #expect(snapshot.coverage["Name200"] == nil)
        #expect(snapshot.coverage[StatusStore.otherEventNames]?.events == 800)
        let minute = snapshot.perMinute[now / 60_000] ?? [:]
        #expect(minute.count == StatusStore.maxEventNames + 1)
        #expect(minute[StatusStore.otherEventNames] == 800)
        #expect(minute.values.reduce(0, +) == 1_001)
    }

    @Test("event ids that differ in bytes but not in Swift's String == are two events, not a duplicate")
    func idsAreComparedAsBytes() {
        let store = StatusStore()
        let now: Int64 = 1_764_412_800_000
        // "é" precomposed and "e" + combining acute: String == says equal; Meta sees two ids.
        store.accepted(Self.event("Lead", id: "caf\u{E9}"), pixelIDs: ["1"], site: "s", nowMs: now, outcome: "q")
        store.accepted(Self.event("Lead", id: "cafe\u{301}"), pixelIDs: ["1"], site: "s", nowMs: now, outcome: "q")
        let snapshot = store.snapshot()
        #expect(snapshot.duplicates == 0)
        #expect(snapshot.recent.count == 2)
        store.accepted(Self.event("Lead", id: "cafe\u{301}"), pixelIDs: ["1"], site: "s", nowMs: now, outcome: "q")
        #expect(store.snapshot().duplicates == 1)
    }
}
