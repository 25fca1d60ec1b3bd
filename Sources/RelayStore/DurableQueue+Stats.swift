// SPDX-License-Identifier: Apache-2.0

extension DurableQueue {
    /// A snapshot of depths, bytes, ages, dead letters and health flags. Cheap: counters are kept
    /// incrementally; at most one small read per pixel whose oldest record is not cached yet.
    public func stats() -> QueueStats {
        let snapshot = table.withLock { $0 }
        var table = snapshot
        for (pixelID, state) in snapshot.pixels where state.depth > 0 {
            let cursor = state.normalized(state.cursor)
            guard state.oldest?.position != cursor else { continue }
            guard let oldest = Self.readOldest(fs: fs, layout: layout, pixelID: pixelID, state: state) else { continue }
            table.pixels[pixelID]?.oldest = oldest
            self.table.withLock { t in
                if let p = t.pixels[pixelID], p.normalized(p.cursor) == cursor { t.pixels[pixelID]?.oldest = oldest }
            }
        }
        var stats = Self.makeStats(
            table, maxBytes: options.maxBytes, diskAvailable: try? fs.availableBytes(layout.root))
        stats.commitBacklog = committer.backlog()
        return stats
    }

    /// The same snapshot computed from the files alone, for `pixelrelay queue stats` while the server
    /// is not running. It only reads and changes nothing on disk, so it is safe while the server runs
    /// too, but then a group being written may show up as a torn tail or extra depth.
    public static func stats(directory: String) throws(StoreError) -> QueueStats {
        let layout = QueueLayout(root: directory)
        let fs = PosixFileSystem()
        var table = QueueTable()
        let recovery = Recovery(fs: fs, layout: layout, readOnly: true, nowMs: 0)
        var newCorrupt = 0
        do {
            let names: [String]
            do {
                names = try fs.contentsOfDirectory(layout.queueDirectory)
            } catch  where error.code == FileSystemError.Code.noEntry {
                names = []
            }
            for pixelID in names where QueueLayout.isValidPixelID(pixelID) {
                guard let outcome = try recovery.recover(pixelID: pixelID) else { continue }
                table.pixels[pixelID] = outcome.state
                table.totalBytes += outcome.state.bytes
                table.truncatedTails += outcome.truncatedTails
                newCorrupt += outcome.newCorruptRanges
            }
            do {
                table.deadLetters = try DeadLetterFile.countAll(fs: fs, layout: layout)
            } catch  where error.code == FileSystemError.Code.noEntry {}
        } catch {
            throw .io(error)
        }
        table.quarantined = Quarantine.count(fs: fs, layout: layout) + newCorrupt
        return makeStats(table, maxBytes: 0, diskAvailable: try? fs.availableBytes(layout.root))
    }

    /// Reads the timestamps of the first valid record at or after the cursor.
    static func readOldest(fs: any FileSystem, layout: QueueLayout, pixelID: String, state: PixelState) -> OldestRecord?
    {
        let cursor = state.normalized(state.cursor)
        for segment in state.segments where segment.number >= cursor.segment {
            let from = segment.number == cursor.segment ? cursor.offset : 0
            guard from < segment.size,
                var scanner = try? SegmentScanner(
                    fs: fs, path: layout.segmentPath(pixelID, segment.number), limit: segment.size)
            else { continue }
            defer { scanner.close() }
            var at: Int64? = from
            if (try? scanner.probe(at: from)) ?? nil == nil { at = (try? scanner.nextRecord(after: from)) ?? nil }
            guard let at, let end = (try? scanner.probe(at: at)) ?? nil,
                let times = scanner.withPayload(at: at, end: end, { RecordFormat.decodeTimes($0) })
            else { continue }
            return OldestRecord(position: cursor, eventTime: times.eventTime, enqueuedAtMs: times.enqueuedAtMs)
        }
        return nil
    }

    static func makeStats(_ t: QueueTable, maxBytes: Int64, diskAvailable: Int64?) -> QueueStats {
        let ids = Set(t.pixels.keys).union(t.deadLetters.keys).sorted()
        let rows = ids.map { id in
            let p = t.pixels[id]
            let empty = (p?.depth ?? 0) == 0
            return PixelQueueStats(
                pixelID: id, depth: p?.depth ?? 0, bytes: p?.bytes ?? 0,
                oldestEnqueuedAtMs: empty ? nil : p?.oldest?.enqueuedAtMs,
                oldestEventTime: empty ? nil : p?.oldest?.eventTime,
                deadLetters: t.deadLetters[id] ?? 0, segments: p?.segments.count ?? 0)
        }
        return QueueStats(
            pixels: rows, totalDepth: rows.reduce(0) { $0 + $1.depth }, totalBytes: t.totalBytes, maxBytes: maxBytes,
            totalDeadLetters: rows.reduce(0) { $0 + $1.deadLetters }, quarantined: t.quarantined,
            truncatedTails: t.truncatedTails, diskFull: t.diskFull, queueFull: t.queueFull, fatalError: t.fatal,
            syncs: t.syncs, groupCommits: t.groups, appendsAcknowledged: t.appendsAcknowledged,
            eventsAcknowledged: t.eventsAcknowledged, diskAvailableBytes: diskAvailable)
    }
}
