// SPDX-License-Identifier: Apache-2.0

extension DurableQueue {
    /// Appends dead letters to `dead/<pixel>.jsonl` and fsyncs them before returning.
    ///
    /// Call it before committing the batch the events came from, so a crash in between re-delivers
    /// rather than loses them.
    public func deadLetter(_ entries: [DeadLetter]) throws(StoreError) {
        guard !entries.isEmpty else { return }
        var lines: [(pixelID: String, bytes: [UInt8], count: Int)] = []
        for entry in entries {
            let pixelID = entry.event.pixelID
            guard QueueLayout.isValidPixelID(pixelID) else { throw .invalidPixelID(pixelID) }
            if let k = lines.firstIndex(where: { $0.pixelID == pixelID }) {
                lines[k].bytes += entry.encodeLine()
                lines[k].count += 1
            } else {
                lines.append((pixelID, entry.encodeLine(), 1))
            }
        }
        let result: Result<Void, StoreError> = deadLetterLock.withLock { _ in
            Result { () throws(StoreError) in
                for (pixelID, bytes, count) in lines {
                    do throws(FileSystemError) {
                        try reserve.withFallback { () throws(FileSystemError) in
                            try appendDeadLetterLines(pixelID: pixelID, bytes)
                        }
                    } catch {
                        throw .io(error)
                    }
                    table.withLock { $0.deadLetters[pixelID, default: 0] += count }
                }
            }
        }
        try result.get()
    }

    /// Every dead letter under `directory` (pixel by pixel), for tests and small stores; see
    /// ``forEachDeadLetter(directory:_:)`` for one at a time.
    public static func listDeadLetters(directory: String) throws(StoreError) -> [DeadLetter] {
        var all: [DeadLetter] = []
        try forEachDeadLetter(directory: directory) { all.append($0) }
        return all
    }

    /// Calls `body` with every dead letter under `directory`, pixel by pixel, reading a chunk at a time
    /// (`pixelrelay queue dead-letters` on a store of any size). Reads only; works whether or not the
    /// server is running. Damaged lines are skipped. Returns how many there were.
    @discardableResult
    public static func forEachDeadLetter(
        directory: String, _ body: (DeadLetter) -> Void
    ) throws(StoreError) -> Int {
        let layout = QueueLayout(root: directory)
        let fs = PosixFileSystem()
        var count = 0
        do throws(FileSystemError) {
            for pixelID in try DeadLetterFile.pixels(fs: fs, layout: layout) {
                do {
                    try DeadLetterFile.forEachLine(fs: fs, path: layout.deadLetterPath(pixelID)) {
                        (line) throws(Never) in
                        guard let letter = DeadLetter.decodeLine(line) else { return }
                        count += 1
                        body(letter)
                    }
                } catch {
                    throw error.fileError
                }
            }
        } catch {
            if error.code == FileSystemError.Code.noEntry { return count }
            throw .io(error)
        }
        return count
    }

    /// Moves dead letters whose `event_time` is still inside the window back into the queue
    /// (durably), then rewrites the dead-letter file without them. Replayed events get
    /// `enqueuedAtMs = nowMs` and keep their `event_id`.
    /// - Parameters:
    ///   - pixelID: one pixel, or nil for all.
    ///   - nowMs: the current time, Unix milliseconds.
    ///   - maxAgeSeconds: events with `event_time` older than `now - maxAgeSeconds` stay dead.
    ///
    /// When the queue refuses an append partway (full, or the disk), the replay stops there: what was
    /// re-queued leaves the file, the rest stays dead-lettered for a later run (`stopped` says why),
    /// so running it again never re-queues the same events twice. Delivery goes on meanwhile (a replay
    /// holds only the dead-letter lock).
    /// - Returns: how many were replayed, how many stay dead-lettered, and why it stopped early (nil:
    ///   it did not). Throws `.appendRejected` when not a single event could be re-queued.
    public func replayDeadLetters(pixelID: String?, nowMs: Int64, maxAgeSeconds: Int64) throws(StoreError) -> (
        replayed: Int, kept: Int, stopped: AppendFailure?
    ) {
        if let pixelID, !QueueLayout.isValidPixelID(pixelID) { throw .invalidPixelID(pixelID) }
        let result: Result<(Int, Int, AppendFailure?), StoreError> = deadLetterLock.withLock { _ in
            Result { () throws(StoreError) in
                // Started after the stop began (it waited for the lock): nothing to do, and no file to copy.
                if replaysCancelled.load(ordering: .acquiring) {
                    throw .appendRejected(.ioError("the gateway is stopping"))
                }
                let pixels: [String]
                do throws(FileSystemError) {
                    if let pixelID {
                        pixels = [pixelID]
                    } else {
                        pixels = try DeadLetterFile.pixels(fs: fs, layout: layout)
                    }
                } catch {
                    throw .io(error)
                }
                var totals: (Int, Int, AppendFailure?) = (0, 0, nil)
                for pixel in pixels {
                    let one: (replayed: Int, kept: Int, stopped: AppendFailure?)
                    do throws(StoreError) {
                        one = try replay(pixelID: pixel, nowMs: nowMs, maxAgeSeconds: maxAgeSeconds)
                    } catch {
                        if case .replayNotRewritten(let replayed, let cause) = error {
                            throw .replayNotRewritten(replayed: totals.0 + replayed, cause)
                        }
                        throw error
                    }
                    totals.0 += one.replayed
                    totals.1 += one.kept
                    totals.2 = totals.2 ?? one.stopped
                    // The queue's answer would be the same for the next pixel's events: leave them for later
                    // (they count as kept).
                    if one.stopped != nil {
                        let rest = pixels.drop { $0 != pixel }.dropFirst()
                        totals.1 += table.withLock { t in rest.reduce(0) { $0 + (t.deadLetters[$1] ?? 0) } }
                        break
                    }
                }
                if totals.0 == 0, let stopped = totals.2 { throw .appendRejected(stopped) }
                return totals
            }
        }
        let totals = try result.get()
        return (totals.0, totals.1, totals.2)
    }

    /// One pixel's replay, streaming: the file is read a chunk at a time, replayed events are queued in
    /// batches as they come, and the lines that stay are written to a temporary file that replaces the
    /// original at the end. Nothing is rewritten until every replayed event is durable in the queue.
    private func replay(
        pixelID: String, nowMs: Int64, maxAgeSeconds: Int64
    ) throws(StoreError) -> (replayed: Int, kept: Int, stopped: AppendFailure?) {
        let path = layout.deadLetterPath(pixelID)
        let tempPath = layout.deadLetterTempPath(pixelID)
        let oldestAllowed = nowMs / 1000 - maxAgeSeconds
        var pending: [QueuedEvent] = []
        var pendingLines: [UInt8] = []
        var stopped: AppendFailure?
        var replayed = 0
        var kept = 0
        var keptBytes: [UInt8] = []
        var temp = TempFile(fs: fs, path: tempPath)
        defer { temp.discard() }

        func keep(_ bytes: [UInt8], count: Int) throws(StoreError) {
            keptBytes += bytes
            kept += count
            guard keptBytes.count >= DeadLetterFile.chunkBytes else { return }
            do throws(FileSystemError) {
                try temp.append(&keptBytes)
            } catch {
                throw .io(error)
            }
        }
        // Re-queue first: a crash before the rewrite below only means the events are queued twice,
        // and Meta deduplicates them by event_id. A refused batch, and everything after it, stays.
        func queuePending() throws(StoreError) {
            guard !pending.isEmpty else { return }
            if stopped == nil, replaysCancelled.load(ordering: .acquiring) {
                stopped = .ioError("the gateway is stopping")
            }
            if stopped == nil, case .rejected(let failure) = appendAndWait(pending) { stopped = failure }
            if stopped == nil {
                replayed += pending.count
            } else {
                try keep(pendingLines, count: pending.count)
            }
            pending.removeAll(keepingCapacity: true)
            pendingLines.removeAll(keepingCapacity: true)
        }
        do {
            try DeadLetterFile.forEachLine(fs: fs, path: path) { (line) throws(StoreError) in
                guard let letter = DeadLetter.decodeLine(line) else { return }  // torn by a crash: unreadable
                if stopped == nil, letter.event.eventTime >= oldestAllowed {
                    var event = letter.event
                    event.enqueuedAtMs = nowMs
                    pending.append(event)
                    pendingLines += line
                    pendingLines.append(0x0A)
                    if pending.count == 1000 { try queuePending() }
                } else {
                    try keep(Array(line) + [0x0A], count: 1)
                }
            }
        } catch {
            switch error {
            case .file(let error): throw .io(error)
            case .body(let error): throw error
            }
        }
        try queuePending()
        guard replayed > 0 else { return (0, kept, stopped) }
        do throws(FileSystemError) {
            if kept == 0 {
                try fs.unlink(path)
            } else {
                try temp.append(&keptBytes)
                try temp.commit(over: path)
            }
            table.withLock { $0.deadLetters[pixelID] = kept }  // the file now holds exactly these
            try fs.syncDirectory(layout.deadDirectory)
        } catch {
            throw .replayNotRewritten(replayed: replayed, error)
        }
        return (replayed, kept, stopped)
    }

    /// Waits for a running dead-letter replay to finish (after ``cancelReplays()``, at its next batch), so
    /// that stopping cannot cut it between re-queuing events and rewriting their file.
    public func waitForReplays() {
        deadLetterLock.withLock { _ in }
    }

    /// Appends and blocks until the outcome (not for use on the committer thread).
    func appendAndWait(_ events: [QueuedEvent]) -> AppendResult {
        let box = ConditionLock<AppendResult?>(nil)
        append(events) { result in
            box.withLock { $0 = result }
            box.broadcast()
        }
        return box.wait(until: { $0 != nil }) { $0! }
    }

    /// Appends lines to a pixel's dead-letter file and fsyncs it (and the directory when the file is new).
    private func appendDeadLetterLines(pixelID: String, _ lines: [UInt8]) throws(FileSystemError) {
        let path = layout.deadLetterPath(pixelID)
        let fd: Int32
        do {
            fd = try fs.open(path, [.read, .write, .create], permissions: QueueLayout.filePermissions)
        } catch {
            throw error.at(path)
        }
        defer { fs.close(fd) }
        var size: Int64 = -1
        do {
            size = try fs.size(fd)
            var bytes = lines
            // A crash may have left a torn last line; start on a fresh one so ours stay readable.
            if size > 0, try FileIO.readAll(fs, fd, count: 1, at: size - 1) != [0x0A] { bytes.insert(0x0A, at: 0) }
            try FileIO.writeAll(fs, fd, bytes, at: size)
            try fs.fdatasync(fd)
            if size == 0 { try fs.syncDirectory(layout.deadDirectory) }
        } catch {
            // Nothing of a failed append stays: the events are still queued and will be dead-lettered
            // again, and repeated attempts on a full disk must not each leave a torn piece behind.
            if size >= 0 { try? fs.ftruncate(fd, to: size) }
            throw error.at(path)
        }
    }
}

/// A file written in pieces and renamed over another once complete (``DurableQueue``'s replay); removed
/// if it is never committed.
struct TempFile {
    let fs: any FileSystem
    let path: String
    private var fd: Int32 = -1
    private var size: Int64 = 0
    private var committed = false

    init(fs: any FileSystem, path: String) {
        self.fs = fs
        self.path = path
    }

    /// Appends `bytes` (creating the file on first use) and empties it.
    mutating func append(_ bytes: inout [UInt8]) throws(FileSystemError) {
        do {
            if fd < 0 {
                fd = try fs.open(path, [.write, .create, .truncate], permissions: QueueLayout.filePermissions)
            }
            try FileIO.writeAll(fs, fd, bytes, at: size)
        } catch {
            throw error.at(path)
        }
        size += Int64(bytes.count)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Syncs the file and renames it over `target`.
    mutating func commit(over target: String) throws(FileSystemError) {
        if fd < 0 { fd = try fs.open(path, [.write, .create, .truncate], permissions: QueueLayout.filePermissions) }
        try fs.fdatasync(fd)
        fs.close(fd)
        fd = -1
        try fs.rename(path, to: target)
        committed = true
    }

    /// Closes and removes a file that was not committed (best effort; also after a failed rename).
    mutating func discard() {
        if fd >= 0 {
            fs.close(fd)
            fd = -1
        }
        if !committed { try? fs.unlink(path) }
    }
}
