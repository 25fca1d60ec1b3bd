// SPDX-License-Identifier: Apache-2.0

/// One event as the queue stores it: routing metadata plus the CAPI event JSON.
///
/// The payload is already normalised and hashed by the caller; the store treats it as opaque bytes
/// and never sees raw PII or access tokens.
public struct QueuedEvent: Sendable, Equatable {
    /// The pixel (dataset) the event is sent to; `[A-Za-z0-9_-]{1,64}`.
    public var pixelID: String
    /// The CAPI `event_id` (kept on every retry so Meta can deduplicate).
    public var eventID: String
    /// The CAPI `event_name`.
    public var eventName: String
    /// The CAPI `event_time`, Unix seconds.
    public var eventTime: Int64
    /// When the gateway accepted the event, Unix milliseconds.
    public var enqueuedAtMs: Int64
    /// The CAPI server event as one JSON object (UTF-8).
    public var payload: [UInt8]

    /// Creates an event.
    public init(
        pixelID: String, eventID: String, eventName: String, eventTime: Int64, enqueuedAtMs: Int64,
        payload: [UInt8]
    ) {
        self.pixelID = pixelID
        self.eventID = eventID
        self.eventName = eventName
        self.eventTime = eventTime
        self.enqueuedAtMs = enqueuedAtMs
        self.payload = payload
    }
}

/// A place in one pixel's queue: a segment number and a byte offset inside it.
public struct QueuePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The segment file's number.
    public var segment: UInt64
    /// The byte offset inside the segment.
    public var offset: Int64

    /// Creates a position.
    public init(segment: UInt64, offset: Int64) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (a: QueuePosition, b: QueuePosition) -> Bool {
        a.segment != b.segment ? a.segment < b.segment : a.offset < b.offset
    }

    public var description: String { "\(segment):\(offset)" }
}

/// The oldest undelivered events of one pixel, as read by ``DurableQueue/readBatch(pixelID:maxEvents:maxBytes:)``.
///
/// Reading does not consume: hand the batch (or a prefix of it) to ``DurableQueue/commit(_:count:)``
/// once its events are delivered or dead-lettered. Reading again before committing returns the same
/// events, which is how a retry re-sends them with the same `event_id`s.
public struct QueueBatch: Sendable, Equatable {
    /// The pixel the events belong to.
    public var pixelID: String
    /// The events, oldest first.
    public var events: [QueuedEvent]
    /// Where each event's record starts (same indices as `events`).
    public var positions: [QueuePosition]
    /// Where the batch began (the cursor when it was read).
    public var start: QueuePosition
    /// Just past the last record of the batch.
    public var end: QueuePosition
    /// The sum of the events' payload sizes in bytes.
    public var payloadBytes: Int

    /// Creates a batch (the queue makes these; tests may too).
    public init(
        pixelID: String, events: [QueuedEvent], positions: [QueuePosition], start: QueuePosition,
        end: QueuePosition, payloadBytes: Int
    ) {
        self.pixelID = pixelID
        self.events = events
        self.positions = positions
        self.start = start
        self.end = end
        self.payloadBytes = payloadBytes
    }

    /// The position just past the first `count` events: committing through it consumes exactly them.
    public func position(after count: Int) -> QueuePosition {
        if count <= 0 { return start }
        return count < positions.count ? positions[count] : end
    }
}
