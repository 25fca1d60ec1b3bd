// SPDX-License-Identifier: Apache-2.0
import RelayCore
import RelayForwarder
import Synchronization

/// What `/status` shows: recent events with their match keys (never values) and Meta's answer,
/// per-name and per-pixel counts, match-key coverage, event-id coverage and duplicates, drop reasons,
/// and the last errors. Bounded: a ring of recent events and a bounded set of recent ids.
public final class StatusStore: Sendable {
    public struct RecentEvent: Sendable {
        public var eventID: String
        public var eventName: String
        public var pixelID: String
        public var site: String
        public var receivedAtMs: Int64
        var matchKeys: MatchKeys
        public var outcome: String
        public var fbtraceID: String?
        public var error: String?
        public var mintedID: Bool
        /// The match keys present, by display name.
        public var keys: [String] { matchKeys.names }
    }

    public struct Coverage: Sendable {
        public var events = 0
        /// Events carrying each of ``MatchKeys/reported`` (same order).
        public var perKey = [Int](repeating: 0, count: MatchKeys.reported.count)
        public var withOwnID = 0

        mutating func record(_ keys: MatchKeys, ownID: Bool) {
            events += 1
            for i in MatchKeys.reported.indices where keys.contains(MatchKeys.reported[i].key) { perKey[i] += 1 }
            if ownID { withOwnID += 1 }
        }
    }

    /// An entry of `recent`: an event as sent to one pixel.
    /// An event id and pixel, equal only byte for byte: `String`'s own `==` and hashing use canonical
    /// equivalence, under which two ids Meta treats as different would be one event here.
    struct RecentKey: Hashable {
        var eventID: String
        var pixelID: String

        static func == (a: RecentKey, b: RecentKey) -> Bool {
            a.eventID.utf8.elementsEqual(b.eventID.utf8) && a.pixelID.utf8.elementsEqual(b.pixelID.utf8)
        }

        func hash(into hasher: inout Hasher) {
            StatusStore.combineBytes(eventID, into: &hasher)
            StatusStore.combineBytes(pixelID, into: &hasher)
        }
    }

    /// Feeds a string's UTF-8 bytes (and a terminator, so "ab"+"c" differs from "a"+"bc") to `hasher`.
    static func combineBytes(_ s: String, into hasher: inout Hasher) {
        var copy = s
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(0xFF as UInt8)
    }

    struct State {
        var recent: [RecentEvent] = []
        var recentIndex: [RecentKey: Int] = [:]  // index in `recent`
        var head = 0
        var coverage: [String: Coverage] = [:]  // by event name
        var perMinute: [Int64: [String: Int]] = [:]  // minute → name → count
        /// Hashes of event name + id seen lately (a 64-bit hash: a false "duplicate" needs a collision
        /// among ~50,000 ids, p ≈ 1e-10), oldest first in `seenOrder`.
        var seenIDs: Set<Int> = []
        var seenOrder: [Int] = []
        var duplicates = 0
        var duplicateExamples: [String] = []
        var drops: [String: Int] = [:]
        var lastErrors: [(atMs: Int64, pixel: String, message: String, fbtrace: String?)] = []
        var delivered = 0
        var failed = 0
        var dryRunBodies: [String] = []
        /// Forwarding outcomes that arrived before the event was recorded: the forwarder can deliver
        /// a batch before the ingest's commit callback calls `accepted`.
        var early: [RecentKey: (outcome: String, fbtrace: String?, error: String?)] = [:]
        /// `early`'s keys in insertion order, a ring: past its size the oldest is dropped, one at a time
        /// (clearing the whole table lost the outcomes another pixel's batch had just stored).
        var earlyOrder: [RecentKey] = []
        var earlyHead = 0
    }

    /// Distinct event names counted one by one (coverage and per-minute counts); a client chooses them.
    static let maxEventNames = 200
    /// The row that counts every event name past ``maxEventNames``.
    static let otherEventNames = "(other names)"

    let capacity: Int
    /// Early outcomes kept: room for the page's worth of several pixels' batches at once.
    var earlyCapacity: Int { capacity * 8 }
    let idMemory: Int
    private let state = Mutex(State())

    public init(capacity: Int = 200, idMemory: Int = 50_000) {
        self.capacity = capacity
        self.idMemory = idMemory
    }

    /// Records an accepted event (one entry per target pixel). Runs once per event under load: no
    /// string building, one hash of the event name per table.
    func accepted(_ e: ProcessedEvent, pixelIDs: [String], site: String, nowMs: Int64, outcome: String) {
        var idHash = 0
        if !e.mintedEventID {
            var h = Hasher()
            Self.combineBytes(e.eventName, into: &h)
            Self.combineBytes(e.eventID, into: &h)
            idHash = h.finalize()
        }
        state.withLock { s in
            for pixel in pixelIDs.isEmpty ? ["-"] : pixelIDs {
                let key = RecentKey(eventID: e.eventID, pixelID: pixel)
                let early = s.early.isEmpty ? nil : s.early.removeValue(forKey: key)
                let item = RecentEvent(
                    eventID: e.eventID, eventName: e.eventName, pixelID: pixel, site: site, receivedAtMs: nowMs,
                    matchKeys: e.matchKeys,
                    outcome: early?.outcome ?? outcome, fbtraceID: early?.fbtrace, error: early?.error,
                    mintedID: e.mintedEventID)
                if s.recent.count < capacity {
                    s.recent.append(item)
                    s.recentIndex[key] = s.recent.count - 1
                } else {
                    let old = s.recent[s.head]
                    s.recentIndex[RecentKey(eventID: old.eventID, pixelID: old.pixelID)] = nil
                    s.recent[s.head] = item
                    s.recentIndex[key] = s.head
                    s.head = (s.head + 1) % capacity
                }
            }
            // Names are the client's: past `maxEventNames` distinct ones, the rest are counted together.
            let name =
                s.coverage.count < Self.maxEventNames || s.coverage[e.eventName] != nil
                ? e.eventName : Self.otherEventNames
            // Updated in place: copying the entry out and back would copy its arrays on every event.
            s.coverage[name, default: Coverage()].record(e.matchKeys, ownID: !e.mintedEventID)
            let minute = nowMs / 60_000
            s.perMinute[minute, default: [:]][name, default: 0] += 1
            if s.perMinute.count > 60 { s.perMinute = s.perMinute.filter { $0.key > minute - 60 } }
            if !e.mintedEventID {
                if s.seenIDs.contains(idHash) {
                    s.duplicates += 1
                    if s.duplicateExamples.count < 20 { s.duplicateExamples.append("\(e.eventName) \(e.eventID)") }
                } else {
                    s.seenIDs.insert(idHash)
                    s.seenOrder.append(idHash)
                    if s.seenOrder.count > idMemory {
                        let drop = s.seenOrder.prefix(idMemory / 2)
                        for d in drop { s.seenIDs.remove(d) }
                        s.seenOrder.removeFirst(idMemory / 2)
                    }
                }
            }
        }
    }

    /// Counts an event that was not forwarded, by reason (origin, consent, bot, too_old, invalid, filtered…).
    func dropped(reason: String, count: Int = 1) {
        state.withLock { $0.drops[reason, default: 0] += count }
    }

    func recordDryRun(_ body: [UInt8]) {
        let text = String(decoding: body, as: UTF8.self)
        state.withLock { s in
            s.dryRunBodies.append(text)
            if s.dryRunBodies.count > 10 { s.dryRunBodies.removeFirst() }
        }
    }

    /// Applies a forwarding report to the recent events and error list.
    func apply(_ r: ForwardReport, nowMs: Int64) {
        let outcome: String
        var error: String?
        switch r.outcome {
        case .delivered: outcome = "delivered"
        case .retrying(let m): outcome = "retrying"; error = m
        case .deadLettered(let m): outcome = "dead-lettered"; error = m
        case .paused(let m): outcome = "paused"; error = m
        case .expired: outcome = "expired"; error = "older than Meta's 7-day window"
        }
        state.withLock { s in
            // Only the newest `capacity` events of a batch can be on the page (the events of one pixel
            // are reported in the order they were accepted): a 1,000-event batch needs 200 look-ups
            // under the lock the commit thread's completions take too, not 1,000.
            for id in r.eventIDs.suffix(capacity) {
                let key = RecentKey(eventID: id, pixelID: r.pixelID)
                if let i = s.recentIndex[key] {
                    s.recent[i].outcome = outcome
                    s.recent[i].fbtraceID = r.fbtraceID
                    s.recent[i].error = error
                } else {
                    // Unclaimed entries (events recovered from the queue after a restart) must not pile up.
                    if s.early.updateValue((outcome, r.fbtraceID, error), forKey: key) == nil {
                        Self.remember(key, in: &s, limit: earlyCapacity)
                    }
                }
            }
            if outcome == "delivered" {
                s.delivered += r.eventIDs.count
            } else if outcome != "retrying" {
                s.failed += r.eventIDs.count
            }
            if let error {
                s.lastErrors.append((nowMs, r.pixelID, error, r.fbtraceID))
                if s.lastErrors.count > 20 { s.lastErrors.removeFirst() }
            }
        }
    }

    /// Records `key` as the newest early outcome, dropping the oldest one past `limit`. (A key claimed
    /// by `accepted` meanwhile may still be in the ring: dropping it then removes nothing, or a newer
    /// outcome of the same event, which is harmless.)
    private static func remember(_ key: RecentKey, in s: inout State, limit: Int) {
        if s.earlyOrder.count < limit {
            s.earlyOrder.append(key)
            return
        }
        s.early.removeValue(forKey: s.earlyOrder[s.earlyHead])
        s.earlyOrder[s.earlyHead] = key
        s.earlyHead = (s.earlyHead + 1) % limit
    }

    /// A consistent copy for rendering.
    func snapshot() -> Snapshot {
        state.withLock { s in
            let ordered = s.recent.count < capacity ? s.recent : Array(s.recent[s.head...] + s.recent[..<s.head])
            return Snapshot(
                recent: Array(ordered.reversed()), coverage: s.coverage, perMinute: s.perMinute,
                duplicates: s.duplicates,
                duplicateExamples: s.duplicateExamples, drops: s.drops,
                lastErrors: s.lastErrors.reversed().map { ($0.atMs, $0.pixel, $0.message, $0.fbtrace) },
                delivered: s.delivered, failed: s.failed, dryRunBodies: s.dryRunBodies)
        }
    }

    struct Snapshot {
        var recent: [RecentEvent]
        var coverage: [String: Coverage]
        var perMinute: [Int64: [String: Int]]
        var duplicates: Int
        var duplicateExamples: [String]
        var drops: [String: Int]
        var lastErrors: [(atMs: Int64, pixel: String, message: String, fbtrace: String?)]
        var delivered: Int
        var failed: Int
        var dryRunBodies: [String]
    }
}
