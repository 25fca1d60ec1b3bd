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
        let result: Result<Void, StoreError> = readerLock.withLock { _ in
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

    /// Every dead letter under `directory` (pixel by pixel), for `pixelrelay queue dead-letters`.
    /// Reads only; works whether or not the server is running. Damaged lines are skipped.
    public static func listDeadLetters(directory: String) throws(StoreError) -> [DeadLetter] {
        let layout = QueueLayout(root: directory)
        let fs = PosixFileSystem()
        do {
            var all: [DeadLetter] = []
            for pixelID in try DeadLetterFile.pixels(fs: fs, layout: layout) {
                all += try DeadLetterFile.read(fs: fs, layout: layout, pixelID: pixelID)
            }
            return all
        } catch {
            if error.code == FileSystemError.Code.noEntry { return [] }
            throw .io(error)
        }
    }

    /// Moves dead letters whose `event_time` is still inside the window back into the queue
    /// (durably), then rewrites the dead-letter file without them. Replayed events get
    /// `enqueuedAtMs = nowMs` and keep their `event_id`.
    /// - Parameters:
    ///   - pixelID: one pixel, or nil for all.
    ///   - nowMs: the current time, Unix milliseconds.
    ///   - maxAgeSeconds: events with `event_time` older than `now - maxAgeSeconds` stay dead.
    /// - Returns: how many were replayed and how many stay dead-lettered.
    public func replayDeadLetters(pixelID: String?, nowMs: Int64, maxAgeSeconds: Int64) throws(StoreError) -> (
        replayed: Int, kept: Int
    ) {
        if let pixelID, !QueueLayout.isValidPixelID(pixelID) { throw .invalidPixelID(pixelID) }
        let result: Result<(Int, Int), StoreError> = readerLock.withLock { _ in
            Result { () throws(StoreError) in
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
                var totals = (0, 0)
                for pixel in pixels {
                    let (replayed, kept) = try replay(pixelID: pixel, nowMs: nowMs, maxAgeSeconds: maxAgeSeconds)
                    totals.0 += replayed
                    totals.1 += kept
                }
                return totals
            }
        }
        let totals = try result.get()
        return (totals.0, totals.1)
    }

    private func replay(pixelID: String, nowMs: Int64, maxAgeSeconds: Int64) throws(StoreError) -> (Int, Int) {
        let path = layout.deadLetterPath(pixelID)
        let bytes: [UInt8]
        do {
            guard let read = try FileIO.readFile(fs, path) else { return (0, 0) }
            bytes = read
        } catch {
            throw .io(error)
        }
        let oldestAllowed = nowMs / 1000 - maxAgeSeconds
        var replay: [QueuedEvent] = []
        var keptLines: [UInt8] = []
        var kept = 0
        for line in DeadLetterFile.lines(bytes) {
            guard let letter = DeadLetter.decodeLine(line) else { continue }  // torn by a crash: unreadable anyway
            if letter.event.eventTime >= oldestAllowed {
                var event = letter.event
                event.enqueuedAtMs = nowMs
                replay.append(event)
            } else {
                keptLines += line
                keptLines.append(0x0A)
                kept += 1
            }
        }
        guard !replay.isEmpty else { return (0, kept) }

        // Re-queue first: a crash before the rewrite below only means the events are queued twice,
        // and Meta deduplicates them by event_id.
        var start = 0
        while start < replay.count {
            let end = min(start + 1000, replay.count)
            if case .rejected(let failure) = appendAndWait(Array(replay[start..<end])) {
                throw .appendRejected(failure)
            }
            start = end
        }
        do {
            if kept == 0 {
                try fs.unlink(path)
            } else {
                try FileIO.replace(
                    fs, path: path, tempPath: layout.deadLetterTempPath(pixelID), bytes: keptLines, sync: true)
            }
            try fs.syncDirectory(layout.deadDirectory)
        } catch {
            throw .io(error)
        }
        table.withLock { $0.deadLetters[pixelID] = kept }
        return (replay.count, kept)
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
