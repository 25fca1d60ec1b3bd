// SPDX-License-Identifier: Apache-2.0

internal import Synchronization

/// A segment file of one pixel and how many of its bytes are durable.
struct SegmentInfo: Sendable, Equatable {
    var number: UInt64
    var size: Int64
}

/// The oldest undelivered record's timestamps, cached against the cursor it was read at.
struct OldestRecord: Sendable {
    var position: QueuePosition
    var eventTime: Int64
    var enqueuedAtMs: Int64
}

/// What readers and stats know about one pixel's queue. Only durable (fsynced) records are counted.
struct PixelState: Sendable {
    /// Ascending; the last one is the active segment the committer appends to.
    var segments: [SegmentInfo]
    /// The first undelivered record.
    var cursor: QueuePosition
    /// Undelivered events.
    var depth: Int
    /// Undelivered bytes (from the cursor to the durable end, framing included).
    var bytes: Int64
    var oldest: OldestRecord?

    /// `position` moved past the ends of sealed segments, so "end of segment N" and "start of N+1" compare equal.
    func normalized(_ position: QueuePosition) -> QueuePosition {
        var p = position
        while let k = segments.firstIndex(where: { $0.number == p.segment }), k + 1 < segments.count,
            p.offset >= segments[k].size
        {
            p = QueuePosition(segment: segments[k + 1].number, offset: 0)
        }
        return p
    }

    /// Bytes from `a` to `b` (a ≤ b, both inside known segments).
    func distance(from a: QueuePosition, to b: QueuePosition) -> Int64 {
        if a.segment == b.segment { return b.offset - a.offset }
        var total: Int64 = 0
        for s in segments where s.number >= a.segment && s.number < b.segment {
            total += s.number == a.segment ? s.size - a.offset : s.size
        }
        return total + b.offset
    }
}

/// Everything shared between appenders, the committer thread, the reader and stats; guarded by
/// the mutex in ``SharedTable``.
struct QueueTable {
    var pixels: [String: PixelState] = [:]
    var deadLetters: [String: Int] = [:]
    var totalBytes: Int64 = 0
    var syncs = 0
    var groups = 0
    var appendsAcknowledged = 0
    var eventsAcknowledged = 0
    var diskFull = false
    var queueFull = false
    /// Set once an fsync failed; every later append is rejected with it.
    var fatal: String?
    var quarantined = 0
    var truncatedTails = 0
    var availability: (@Sendable (QueueArrival) -> Void)?
}

/// The one lock around ``QueueTable``. Holders do no I/O while holding it.
final class SharedTable: Sendable {
    let state: Mutex<QueueTable>

    init(_ table: QueueTable) {
        state = Mutex(table)
    }

    func withLock<R>(_ body: (inout QueueTable) -> R) -> R {
        state.withLock { body(&$0) }
    }
}
