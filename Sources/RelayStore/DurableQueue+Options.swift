// SPDX-License-Identifier: Apache-2.0

extension DurableQueue {
    /// Tuning and hooks for a ``DurableQueue``; every field has a documented default.
    public struct Options: Sendable {
        /// Cap on the bytes of undelivered records across all pixels; an append that would pass it
        /// is rejected with ``AppendFailure/queueFull``. Default 1 GiB.
        public var maxBytes: Int64
        /// A segment file is sealed and a new one started once it would grow past this. Default 64 MiB.
        public var segmentBytes: Int64
        /// Largest accepted record payload (metadata + CAPI JSON). Default 1 MiB.
        public var maxRecordBytes: Int
        /// Cap on bytes waiting in the inbox for the committer (bounds memory under a burst while a
        /// sync is slow); beyond it appends are rejected with ``AppendFailure/queueFull``. Default 64 MiB.
        public var maxPendingBytes: Int
        /// Extra time the committer waits after the first append of a group to gather more. Zero
        /// (the default) relies on natural batching: whatever arrives during one sync is the next group.
        public var groupCommitMaxDelay: Duration
        /// Fsync the cursor file before renaming it into place. Without it a crash can only repeat
        /// deliveries (at-least-once), never lose events. Default true.
        public var syncCursor: Bool
        /// Take the data directory's `LOCK` (see ``DurableQueue/acquireLock(directory:)``) for the
        /// queue's lifetime. Default true.
        public var lockDirectory: Bool
        /// Called once, on the committer thread, when an fsync (or a write with `EIO`) fails: from then
        /// on every append is rejected and the process should exit non-zero so a supervisor restarts
        /// it and recovery runs ("fsyncgate": the page cache can no longer be trusted).
        public var onFatal: @Sendable (String) -> Void
        /// **Benchmarks only.** false skips `fdatasync` before acknowledging, so a `202` no longer means
        /// durable. It exists to measure what durability costs (`make bench`); never turn it off in production.
        public var syncData: Bool = true
        /// Zero-filled room the committer keeps ahead of the active segment's end, in steps of this
        /// many bytes (0, the default, turns it off). Appends then overwrite allocated blocks without
        /// changing the file size, so their `fdatasync` writes the data only and not the inode: about
        /// 35 % less time per sync on ext4 (measured). The room is best effort (a full disk just
        /// skips it), never counted against ``maxBytes``, and recovery truncates it.
        public var preallocationBytes: Int64 = 0
        /// Size of the data directory's `reserve` file: space kept for moving cursors and writing dead
        /// letters on a full disk (see ``SpaceReserve``). Default 1 MiB; 0 keeps none.
        public var reserveBytes: Int = 1 << 20

        /// Creates options; see each property for its default.
        public init(
            maxBytes: Int64 = 1 << 30,
            segmentBytes: Int64 = 64 << 20,
            maxRecordBytes: Int = 1 << 20,
            maxPendingBytes: Int = 64 << 20,
            groupCommitMaxDelay: Duration = .zero,
            syncCursor: Bool = true,
            lockDirectory: Bool = true,
            onFatal: @escaping @Sendable (String) -> Void = { _ in }
        ) {
            self.maxBytes = maxBytes
            self.segmentBytes = segmentBytes
            self.maxRecordBytes = maxRecordBytes
            self.maxPendingBytes = maxPendingBytes
            self.groupCommitMaxDelay = groupCommitMaxDelay
            self.syncCursor = syncCursor
            self.lockDirectory = lockDirectory
            self.onFatal = onFatal
        }
    }
}

/// The outcome of ``DurableQueue/append(_:completion:)``.
public enum AppendResult: Sendable, Equatable {
    /// Every event of the append is fsynced; it is safe to answer `202`.
    case durable
    /// None of the events was stored.
    case rejected(AppendFailure)
}

/// Why an append was rejected. All of them leave the queue unchanged (appends are all-or-nothing).
public enum AppendFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The queue is at its byte cap (or the inbox is); answer `503` + `Retry-After`.
    case queueFull
    /// The disk or quota is full (`ENOSPC` / `EDQUOT`); answer `503` + `Retry-After`. Appends are
    /// tried again as they come, so acceptance resumes by itself when space returns.
    case diskFull
    /// An I/O error. After an fsync failure it is sticky (every later append gets it too) and
    /// ``DurableQueue/Options/onFatal`` has been called.
    case ioError(String)
    /// The events cannot be stored as given: a malformed pixel id, or a record over
    /// ``DurableQueue/Options/maxRecordBytes``. Retrying will not help.
    case invalid(String)

    public var description: String {
        switch self {
        case .queueFull: return "queue is full"
        case .diskFull: return "disk is full"
        case .ioError(let message): return "I/O error: \(message)"
        case .invalid(let message): return "invalid event: \(message)"
        }
    }
}

/// Errors thrown by the queue's reader, dead-letter and maintenance calls.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed.
    case io(FileSystemError)
    /// Another process holds the data directory's lock.
    case locked(directory: String)
    /// A pixel id outside `[A-Za-z0-9_-]{1,64}`.
    case invalidPixelID(String)
    /// A commit position outside what was read (a batch from another pixel, or past the durable end).
    case invalidPosition(String)
    /// Dead letters could not be re-queued.
    case appendRejected(AppendFailure)
    /// The queue was closed.
    case closed
    /// A dead-letter replay re-queued events but could not rewrite a dead-letter file without them.
    case replayNotRewritten(replayed: Int, FileSystemError)

    public var description: String {
        switch self {
        case .io(let error): return error.description
        case .replayNotRewritten(let replayed, let error):
            return "\(replayed) event(s) were re-queued, but a dead-letter file could not be rewritten durably "
                + "(\(error)): a later replay may re-queue some of them again, and Meta deduplicates an event_id "
                + "only within 48 hours"
        case .locked(let directory):
            return "pixelrelay serve is running on this data dir (\(directory)): to replay its dead letters, "
                + "send it SIGUSR1 (docker kill --signal=USR1 NAME, kubectl exec POD -- sh -c 'kill -USR1 1'); "
                + "otherwise stop it first, or run the command against a copy of the directory"
        case .invalidPixelID(let id): return "invalid pixel id \"\(id)\" (allowed: A-Z a-z 0-9 _ -, 1 to 64 characters)"
        case .invalidPosition(let message): return "invalid queue position: \(message)"
        case .appendRejected(let failure): return "could not re-queue events: \(failure)"
        case .closed: return "the queue is closed"
        }
    }
}
