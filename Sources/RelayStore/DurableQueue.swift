// SPDX-License-Identifier: Apache-2.0

import Glibc
internal import Synchronization

/// A durable, append-only, per-pixel on-disk queue with group commit, crash recovery and a
/// dead-letter store.
///
/// - Appends (any thread) are framed on the caller's thread and handed to one committer thread,
///   which writes everything pending, `fdatasync`s each touched file once and only then completes
///   them: many concurrent appends share one sync, and ``AppendResult/durable`` always means fsynced.
/// - The reader side (``readBatch(pixelID:maxEvents:maxBytes:)``, ``commit(_:count:)``, dead letters)
///   is meant for one forwarder thread; calls are serialised, so other threads are safe too.
/// - Memory does not grow with the backlog: per pixel only counters and the segment list are kept.
///
/// Sendable without `@unchecked`: all state is immutable, behind a `Mutex`, or in the
/// ``Committer`` (whose own confinement is documented there).
public final class DurableQueue: Sendable {
    let layout: QueueLayout
    let fs: any FileSystem
    let options: Options
    let clock: @Sendable () -> Int64
    let table: SharedTable
    let committer: Committer
    /// Serialises reader-side calls (read, commit, dead letters, replay); held across their I/O. Guards
    /// the last batch read per pixel, so reading again before a commit only decodes the new records.
    let readerLock = Mutex<[String: QueueBatch]>([:])
    /// Serialises dead-letter appends and replays (not `readerLock`: a replay does not stop reading and
    /// committing; a dead letter arriving meanwhile waits for it).
    let deadLetterLock = Mutex<Void>(())
    /// Set by ``cancelReplays()``: a running replay stops after its current batch.
    let replaysCancelled = Atomic<Bool>(false)
    private let directoryLock: DataDirLock?
    /// Space for the drain path on a full disk (cursor moves and dead-letter appends; its own lock).
    let reserve: SpaceReserve

    /// Opens (creating if needed) the queue in `directory` and recovers it.
    ///
    /// Recovery truncates torn tails, quarantines corrupt records and counts what is left; damaged
    /// data never makes it fail. It throws only when the directory cannot be used (e.g. `EACCES`),
    /// when another process holds the lock, or when the disk returns read errors.
    /// - Parameters:
    ///   - directory: the data directory (`dataDir`); created with mode 0700 when missing.
    ///   - options: caps, segment size and the fatal-error hook.
    ///   - fileSystem: the file layer; tests inject faults through it.
    ///   - clock: Unix milliseconds, for quarantine headers.
    public init(
        directory: String, options: Options = Options(), fileSystem: any FileSystem = PosixFileSystem(),
        clock: @escaping @Sendable () -> Int64 = DurableQueue.systemMilliseconds
    ) throws(StoreError) {
        let layout = QueueLayout(root: directory)
        let fs = fileSystem
        do {
            for path in [layout.root, layout.queueDirectory, layout.deadDirectory, layout.quarantineDirectory] {
                try fs.makeDirectory(path, permissions: QueueLayout.directoryPermissions)
                // Best effort: a mounted volume may belong to someone else, and that is fine.
                try? fs.setPermissions(path, QueueLayout.directoryPermissions)
            }
        } catch {
            throw .io(error)
        }
        let lock = options.lockDirectory ? try DurableQueue.acquireLock(directory: layout.root) : nil

        var table = QueueTable()
        var writers: [String: PixelWriter] = [:]
        let recovery = Recovery(fs: fs, layout: layout, readOnly: false, nowMs: clock())
        do {
            for pixelID in try fs.contentsOfDirectory(layout.queueDirectory).sorted()
            where QueueLayout.isValidPixelID(pixelID) {
                guard let outcome = try recovery.recover(pixelID: pixelID) else { continue }
                table.pixels[pixelID] = outcome.state
                table.totalBytes += outcome.state.bytes
                table.truncatedTails += outcome.truncatedTails
                let active = outcome.state.segments.last!
                writers[pixelID] = PixelWriter(segment: active.number, size: active.size, allocated: active.size)
            }
            table.deadLetters = try DeadLetterFile.countAll(fs: fs, layout: layout)
        } catch {
            throw .io(error)
        }
        table.quarantined = Quarantine.count(fs: fs, layout: layout)

        self.layout = layout
        self.fs = fs
        self.options = options
        self.clock = clock
        self.table = SharedTable(table)
        let reserve = SpaceReserve(fs: fs, path: layout.reservePath, bytes: options.reserveBytes)
        reserve.ensure()
        self.reserve = reserve
        self.committer = Committer(
            fs: fs, layout: layout, options: options, table: self.table, writers: writers, reserve: reserve)
        self.directoryLock = lock
        try committer.start()
    }

    deinit {
        committer.stop()
    }

    /// Appends events durably; `completion` runs once, on the committer thread, after the events are
    /// fsynced (``AppendResult/durable``) or when they are rejected (then none of them is stored).
    ///
    /// Keep `completion` short (resume a continuation, post to an event loop): it delays the next
    /// group, and it must not wait for another append or call the reader side synchronously.
    /// Invalid input (pixel id, oversize record) is rejected at once, on the calling thread.
    ///
    /// With `deferCommit`, an idle committer is not woken for this append until ``commitDeferred()``
    /// (a busy one takes it with its next group): a thread that appends many times in a burst (the
    /// HTTP loop, once per beacon of an epoll pass) gets one group commit — one write and one
    /// fdatasync — for the whole burst, instead of the committer preempting it after the first append.
    public func append(
        _ events: [QueuedEvent], deferCommit: Bool = false,
        completion: @escaping @Sendable (AppendResult) -> Void
    ) {
        if events.isEmpty {
            completion(.durable)
            return
        }
        var blobs: [PixelBlob] = []
        var total = 0
        for event in events {
            guard QueueLayout.isValidPixelID(event.pixelID) else {
                completion(.rejected(.invalid(StoreError.invalidPixelID(event.pixelID).description)))
                return
            }
            let k: Int
            if let existing = blobs.firstIndex(where: { $0.pixelID == event.pixelID }) {
                k = existing
            } else {
                blobs.append(PixelBlob(pixelID: event.pixelID, bytes: [], events: 0))
                k = blobs.count - 1
            }
            let before = blobs[k].bytes.count
            do {
                try RecordFormat.encode(event, maxRecordBytes: options.maxRecordBytes, into: &blobs[k].bytes)
            } catch {
                switch error {
                case .fieldTooLong(let field): completion(.rejected(.invalid("\(field) is longer than 65535 bytes")))
                case .recordTooLarge(let size):
                    completion(
                        .rejected(.invalid("event of \(size) bytes is over the \(options.maxRecordBytes)-byte limit")))
                }
                return
            }
            blobs[k].events += 1
            total += blobs[k].bytes.count - before
        }
        committer.submit(PendingAppend(blobs: blobs, bytes: total, completion: completion), deferWake: deferCommit)
    }

    /// Makes a running (and any later) dead-letter replay stop after its current batch, keeping the rest
    /// dead-lettered: call it before stopping, so a shutdown does not wait for a long replay.
    public func cancelReplays() {
        replaysCancelled.store(true, ordering: .releasing)
    }

    /// Starts the group commit of appends made with `deferCommit` (cheap when there are none).
    public func commitDeferred() {
        committer.wakeDeferred()
    }

    /// Appends events and waits for the outcome (see ``append(_:completion:)``).
    public func append(_ events: [QueuedEvent]) async -> AppendResult {
        await withCheckedContinuation { continuation in
            append(events) { continuation.resume(returning: $0) }
        }
    }

    /// Called (on the committer thread) after a group commit made new events of a pixel durable,
    /// before the appends' completions; the forwarder uses it to wake up. It should only signal:
    /// calling the reader side from it could wait on a replay that waits on the committer.
    /// Replaces any previous handler.
    public func setAvailabilityHandler(_ handler: @escaping @Sendable (QueueArrival) -> Void) {
        table.withLock { $0.availability = handler }
    }

    /// Finishes the pending group (syncing it), stops the committer thread and releases the data
    /// directory lock. Later appends are rejected. Idempotent.
    public func close() {
        committer.stop()
        directoryLock?.release()
    }

    /// The current time in Unix milliseconds (the default clock).
    public static func systemMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
