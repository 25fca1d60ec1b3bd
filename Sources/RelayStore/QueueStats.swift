// SPDX-License-Identifier: Apache-2.0

/// One pixel's queue, for `/metrics`, `/status`, `/readyz` and `pixelrelay queue stats`.
public struct PixelQueueStats: Sendable, Equatable {
    /// The pixel id.
    public var pixelID: String
    /// Undelivered events.
    public var depth: Int
    /// Undelivered bytes on disk (framing included).
    public var bytes: Int64
    /// `enqueuedAtMs` of the oldest undelivered event; nil when the queue is empty.
    public var oldestEnqueuedAtMs: Int64?
    /// `eventTime` (Unix seconds) of the oldest undelivered event; nil when the queue is empty.
    public var oldestEventTime: Int64?
    /// Dead letters on file for the pixel.
    public var deadLetters: Int
    /// Segment files holding the undelivered events.
    public var segments: Int

    /// Creates a row.
    public init(
        pixelID: String, depth: Int, bytes: Int64, oldestEnqueuedAtMs: Int64?, oldestEventTime: Int64?,
        deadLetters: Int, segments: Int
    ) {
        self.pixelID = pixelID
        self.depth = depth
        self.bytes = bytes
        self.oldestEnqueuedAtMs = oldestEnqueuedAtMs
        self.oldestEventTime = oldestEventTime
        self.deadLetters = deadLetters
        self.segments = segments
    }
}

/// A snapshot of the whole queue.
public struct QueueStats: Sendable, Equatable {
    /// Per pixel, sorted by id (pixels with a queue or with dead letters).
    public var pixels: [PixelQueueStats]
    /// Undelivered events across pixels.
    public var totalDepth: Int
    /// Undelivered bytes across pixels (what ``DurableQueue/Options/maxBytes`` caps).
    public var totalBytes: Int64
    /// The byte cap in force (0 for an offline snapshot).
    public var maxBytes: Int64
    /// Dead letters across pixels.
    public var totalDeadLetters: Int
    /// Corrupt ranges set aside in `quarantine/`.
    public var quarantined: Int
    /// Torn tails truncated by recovery in this process (offline: torn tails found).
    public var truncatedTails: Int
    /// The last group failed with `ENOSPC`/`EDQUOT` and none has succeeded since.
    public var diskFull: Bool
    /// An append was rejected at the byte cap, and since then nothing was accepted or delivered.
    public var queueFull: Bool
    /// Set after an fsync failure: the queue accepts nothing more (the process should exit).
    public var fatalError: String?
    /// `fdatasync` calls made by group commits.
    public var syncs: Int
    /// Group commits that succeeded.
    public var groupCommits: Int
    /// Appends acknowledged as durable (one append may carry several events).
    public var appendsAcknowledged: Int
    /// Events acknowledged as durable.
    public var eventsAcknowledged: Int
    /// Free bytes on the data directory's file system; nil when unknown.
    public var diskAvailableBytes: Int64?
    /// Appends waiting in memory for the next fsync (empty when read from the files alone).
    public var commitBacklog = CommitBacklog()

    /// Creates a snapshot.
    public init(
        pixels: [PixelQueueStats], totalDepth: Int, totalBytes: Int64, maxBytes: Int64, totalDeadLetters: Int,
        quarantined: Int, truncatedTails: Int, diskFull: Bool, queueFull: Bool, fatalError: String?, syncs: Int,
        groupCommits: Int, appendsAcknowledged: Int, eventsAcknowledged: Int, diskAvailableBytes: Int64?
    ) {
        self.pixels = pixels
        self.totalDepth = totalDepth
        self.totalBytes = totalBytes
        self.maxBytes = maxBytes
        self.totalDeadLetters = totalDeadLetters
        self.quarantined = quarantined
        self.truncatedTails = truncatedTails
        self.diskFull = diskFull
        self.queueFull = queueFull
        self.fatalError = fatalError
        self.syncs = syncs
        self.groupCommits = groupCommits
        self.appendsAcknowledged = appendsAcknowledged
        self.eventsAcknowledged = eventsAcknowledged
        self.diskAvailableBytes = diskAvailableBytes
    }
}

/// Appends accepted into memory and waiting for the committer's next group commit. The backlog is
/// bounded (``DurableQueue/Options/maxPendingBytes``): when the disk's syncs fall behind ingest, appends
/// past the bound are refused as `queueFull` at once rather than held without limit.
public struct CommitBacklog: Sendable, Equatable {
    /// Bytes waiting now.
    public var bytes: Int
    /// The bound.
    public var limitBytes: Int
    /// Appends refused at the bound since the queue opened.
    public var refused: Int
    /// Time since the last refusal; nil when there was none.
    public var sinceLastRefusal: Duration?

    /// Creates a snapshot.
    public init(bytes: Int = 0, limitBytes: Int = 0, refused: Int = 0, sinceLastRefusal: Duration? = nil) {
        self.bytes = bytes
        self.limitBytes = limitBytes
        self.refused = refused
        self.sinceLastRefusal = sinceLastRefusal
    }
}
