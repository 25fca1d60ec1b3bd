// SPDX-License-Identifier: Apache-2.0

/// Startup recovery of one pixel's queue (and the read-only variant used by offline stats).
///
/// Walks every undelivered record once, from the cursor to the end: counts them, sets damaged
/// ranges aside in quarantine (the reader skips them later), and truncates a torn tail (a crash
/// mid-append) back to the last complete record. Damaged data never makes it throw; only a failing
/// system call does.
struct Recovery {
    let fs: any FileSystem
    let layout: QueueLayout
    /// When true nothing is changed on disk: no truncation, quarantine or deletion.
    let readOnly: Bool
    let nowMs: Int64

    /// What recovery found for one pixel.
    struct Outcome {
        var state: PixelState
        /// Damaged ranges met (whether or not set aside before).
        var corruptRanges = 0
        /// Damaged ranges not yet in quarantine before this run.
        var newCorruptRanges = 0
        var truncatedTails = 0
    }

    /// Recovers `pixelID`; nil when its directory holds no segment.
    func recover(pixelID: String) throws(FileSystemError) -> Outcome? {
        let directory = layout.pixelDirectory(pixelID)
        let names = try fs.contentsOfDirectory(directory)
        var numbers = names.compactMap(QueueLayout.parseSegmentName).sorted()
        if !readOnly && names.contains("cursor.tmp") { try? fs.unlink(layout.cursorTempPath(pixelID)) }
        guard let first = numbers.first, let last = numbers.last else {
            if !readOnly { try? fs.unlink(layout.cursorPath(pixelID)) }
            return nil
        }

        var cursor = QueuePosition(segment: first, offset: 0)
        // A cursor is at most 40 bytes: more is damage (a longer read is refused by `parseCursor`).
        let cursorBytes = try FileIO.readFile(fs, layout.cursorPath(pixelID), maxBytes: 64)
        let fileSays = cursorBytes.flatMap(QueueLayout.parseCursor)
        if let saved = fileSays, saved.segment <= last {
            // A cursor naming a deleted segment means everything before the next one was delivered.
            cursor =
                numbers.contains(saved.segment)
                ? saved : QueuePosition(segment: numbers.first { $0 > saved.segment } ?? first, offset: 0)
        }
        let consumed = numbers.filter { $0 < cursor.segment }
        numbers.removeAll { $0 < cursor.segment }
        if !readOnly && !consumed.isEmpty {
            for n in consumed { try? fs.unlink(layout.segmentPath(pixelID, n)) }
            try? fs.syncDirectory(directory)
        }

        var outcome = Outcome(state: PixelState(segments: [], cursor: cursor, depth: 0, bytes: 0, oldest: nil))
        let quarantined = Set((try? fs.contentsOfDirectory(layout.quarantineDirectory)) ?? [])
        for n in numbers {
            let size = try recoverSegment(
                pixelID: pixelID, segment: n, cursor: &cursor, quarantined: quarantined, outcome: &outcome)
            outcome.state.segments.append(SegmentInfo(number: n, size: size))
        }
        if !readOnly, cursorBytes != nil, fileSays != cursor {
            // The file named a position recovery could not use (past the data after damage, a segment
            // beyond the last, a deleted one, garbage). New records are appended from here on, and new
            // segments get higher numbers: a file left naming a later position would make a later start
            // skip acknowledged events. So it is replaced, durably, before anything is acknowledged.
            do {
                try FileIO.replace(
                    fs, path: layout.cursorPath(pixelID), tempPath: layout.cursorTempPath(pixelID),
                    bytes: QueueLayout.encodeCursor(cursor), sync: true)
                try fs.syncDirectory(directory)
            } catch {
                throw error.at(layout.cursorPath(pixelID))
            }
        }
        outcome.state.cursor = outcome.state.normalized(cursor)
        // The cache is keyed by the cursor it describes (see `DurableQueue.stats()`).
        outcome.state.oldest?.position = outcome.state.cursor
        outcome.state.bytes = outcome.state.distance(
            from: cursor, to: QueuePosition(segment: last, offset: outcome.state.segments.last!.size))
        return outcome
    }

    /// Walks one segment; returns its size after any tail truncation.
    private func recoverSegment(
        pixelID: String, segment: UInt64, cursor: inout QueuePosition, quarantined: Set<String>, outcome: inout Outcome
    ) throws(FileSystemError) -> Int64 {
        let path = layout.segmentPath(pixelID, segment)
        let fd: Int32
        do {
            fd = try fs.open(path, readOnly ? .read : [.read, .write], permissions: 0)
        } catch {
            throw error.at(path)
        }
        defer { fs.close(fd) }
        let size: Int64
        do {
            size = try fs.size(fd)
        } catch {
            throw error.at(path)
        }
        if segment == cursor.segment && cursor.offset > size { cursor.offset = size }
        let from = segment == cursor.segment ? cursor.offset : 0

        var scanner = try SegmentScanner(fs: fs, path: path, limit: size)
        defer { scanner.close() }
        var found = outcome
        let tail = try scanner.walk(
            from: from,
            onRecord: { start, _, payload in
                guard let times = RecordFormat.decodeTimes(payload) else { return false }
                found.state.depth += 1
                if found.state.oldest == nil {
                    found.state.oldest = OldestRecord(
                        position: QueuePosition(segment: segment, offset: start), eventTime: times.eventTime,
                        enqueuedAtMs: times.enqueuedAtMs)
                }
                return true
            },
            onCorrupt: { range in
                found.corruptRanges += 1
                if !quarantined.contains(Quarantine.fileName(.corrupt, pixelID, segment, range.lowerBound)) {
                    found.newCorruptRanges += 1
                }
                if !readOnly {
                    Quarantine.save(
                        fs: fs, layout: layout, reason: .corrupt, pixelID: pixelID, segment: segment, range: range,
                        nowMs: nowMs)
                }
            })
        outcome = found
        guard let tail else { return size }
        // Zero-filled room left by preallocation is not damage: cut it off without a word. A torn
        // record inside it is set aside without the zeros after it.
        let dataEnd = try nonZeroEnd(fd, from: tail, to: size, path: path)
        if dataEnd > tail { outcome.truncatedTails += 1 }
        if !readOnly {
            if dataEnd > tail {
                Quarantine.save(
                    fs: fs, layout: layout, reason: .tail, pixelID: pixelID, segment: segment, range: tail..<dataEnd,
                    nowMs: nowMs)
            }
            do {
                try fs.ftruncate(fd, to: tail)
                try fs.fsync(fd)
            } catch {
                throw error.at(path)
            }
        }
        if segment == cursor.segment && cursor.offset > tail { cursor.offset = tail }
        return tail
    }

    /// The offset just past the last non-zero byte in `[from, to)`; `from` when the range is all zeros.
    private func nonZeroEnd(_ fd: Int32, from: Int64, to: Int64, path: String) throws(FileSystemError) -> Int64 {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var end = to
        while end > from {
            let start = max(from, end - Int64(buffer.count))
            let count = Int(end - start)
            do {
                let n = try FileIO.pread(fs, fd, into: &buffer, 0..<count, at: start)
                guard n == count else { return to }  // shorter than its size: treat all of it as damage
            } catch {
                throw error.at(path)
            }
            if let last = buffer[0..<count].lastIndex(where: { $0 != 0 }) { return start + Int64(last) + 1 }
            end = start
        }
        return from
    }
}
