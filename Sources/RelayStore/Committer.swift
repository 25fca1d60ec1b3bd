// SPDX-License-Identifier: Apache-2.0

import Glibc
import RelayCore

/// The framed records of one append for one pixel.
struct PixelBlob: Sendable {
    var pixelID: String
    var bytes: [UInt8]
    var events: Int
}

/// One append waiting for the committer.
struct PendingAppend: Sendable {
    var blobs: [PixelBlob]
    var bytes: Int
    var completion: @Sendable (AppendResult) -> Void
}

/// The committer's inbox, shared with every appending thread under ``Committer/inbox``.
struct Inbox: Sendable {
    var pending: [PendingAppend] = []
    var pendingBytes = 0
    var stopping = false
    var thread: pthread_t?
    /// Appends were queued without waking the committer (``Committer/submit(_:deferWake:)``).
    var wakeDeferred = false
    /// Appends refused because the backlog was at `maxPendingBytes`, and when the last one was.
    var refused = 0
    var lastRefusal: ContinuousClock.Instant?
}

/// The committer thread's view of a pixel's active segment.
struct PixelWriter {
    var segment: UInt64
    /// Bytes written and synced (the committer never leaves unsynced bytes between groups).
    var size: Int64
    /// Write descriptor, opened on first use; -1 when not open.
    var fd: Int32 = -1
    /// The file's size including zero-filled room past `size` (see `DurableQueue.Options.preallocationBytes`).
    var allocated: Int64 = 0
}

/// The group-commit engine: a dedicated thread that drains the inbox, writes each pixel's records
/// with one `pwrite` per file, `fdatasync`s every file it touched once, and only then completes the appends.
///
/// Thread confinement (why `@unchecked Sendable` is sound): `inbox` is guarded by its lock;
/// `writers` and `fatalReported` are touched only by the committer thread (and by `init`, before
/// the thread exists); everything else is immutable.
final class Committer: @unchecked Sendable {
    let inbox = ConditionLock(Inbox())
    let fs: any FileSystem
    let layout: QueueLayout
    let options: DurableQueue.Options
    let table: SharedTable
    /// Confined to the committer thread.
    var writers: [String: PixelWriter]
    /// Confined to the committer thread.
    var fatalReported = false
    /// Zeros for preallocation (committer thread; grown on first use).
    var zeros: [UInt8] = []
    /// The drain path's room on a full disk: groups are refused while it is missing.
    let reserve: SpaceReserve

    init(
        fs: any FileSystem, layout: QueueLayout, options: DurableQueue.Options, table: SharedTable,
        writers: [String: PixelWriter], reserve: SpaceReserve
    ) {
        self.reserve = reserve
        self.fs = fs
        self.layout = layout
        self.options = options
        self.table = table
        self.writers = writers
    }

    /// Starts the thread.
    func start() throws(StoreError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                let committer = Unmanaged<Committer>.fromOpaque(raw!).takeRetainedValue()
                OSThread.nameCurrentThread("queue-commit")
                committer.run()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<Committer>.fromOpaque(context).release()
            throw .io(FileSystemError(operation: "pthread_create", code: rc))
        }
        inbox.withLock { $0.thread = thread }
    }

    /// Queues an append; rejects it at once when the queue is closed or the inbox is over its cap.
    /// With `deferWake`, an idle committer is left asleep until ``wakeDeferred()``.
    func submit(_ append: PendingAppend, deferWake: Bool = false) {
        enum Action { case queued, wake, closed, full }
        let cap = options.maxPendingBytes
        let action: Action = inbox.withLock { box in
            if box.stopping { return .closed }
            if box.pendingBytes + append.bytes > cap && !box.pending.isEmpty {
                box.refused += 1
                box.lastRefusal = .now
                return .full
            }
            box.pending.append(append)
            box.pendingBytes += append.bytes
            if deferWake {
                box.wakeDeferred = true
                return .queued
            }
            // The committer only waits while the inbox is empty (or its wake was deferred).
            if box.pending.count == 1 || box.wakeDeferred {
                box.wakeDeferred = false
                return .wake
            }
            return .queued
        }
        switch action {
        case .queued: break
        case .wake: inbox.broadcast()
        case .closed: append.completion(.rejected(.ioError("the queue is closed")))
        case .full: append.completion(.rejected(.queueFull))
        }
    }

    /// The appends waiting for the next group commit (``CommitBacklog``).
    func backlog() -> CommitBacklog {
        let now = ContinuousClock.now
        return inbox.withLock { box in
            CommitBacklog(
                bytes: box.pendingBytes, limitBytes: options.maxPendingBytes, refused: box.refused,
                sinceLastRefusal: box.lastRefusal.map { now - $0 })
        }
    }

    /// True while the thread is parked waiting for appends (tests).
    var isIdle: Bool { inbox.hasWaiter }

    /// Wakes the committer for appends submitted with `deferWake`.
    func wakeDeferred() {
        let wake = inbox.withLock { box in
            defer { box.wakeDeferred = false }
            return box.wakeDeferred
        }
        if wake { inbox.broadcast() }
    }

    /// Lets the thread finish what is pending, then waits for it to exit. Idempotent.
    func stop() {
        let thread: pthread_t? = inbox.withLock { box in
            box.stopping = true
            defer { box.thread = nil }
            return box.thread
        }
        inbox.broadcast()
        if let thread, pthread_equal(thread, pthread_self()) == 0 { pthread_join(thread, nil) }
    }

    private func run() {
        while true {
            let group: [PendingAppend]? = inbox.wait(until: { !$0.pending.isEmpty || $0.stopping }) { box in
                if box.pending.isEmpty { return nil }  // stopping, and nothing left
                defer {
                    box.pending = []
                    box.pendingBytes = 0
                }
                return box.pending
            }
            guard let group else { break }
            commit(group + gatherMore())
        }
        for writer in writers.values where writer.fd >= 0 { fs.close(writer.fd) }
        writers = [:]
    }

    /// With a configured group-commit delay, waits it out and takes what arrived meanwhile.
    private func gatherMore() -> [PendingAppend] {
        let delay = options.groupCommitMaxDelay
        guard delay > .zero else { return [] }
        let (seconds, attoseconds) = delay.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
        return inbox.withLock { box in
            defer {
                box.pending = []
                box.pendingBytes = 0
            }
            return box.pending
        }
    }
}
