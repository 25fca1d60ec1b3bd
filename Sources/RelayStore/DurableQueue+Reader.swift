// SPDX-License-Identifier: Apache-2.0

extension DurableQueue {
    /// Pixels that have a queue (possibly empty), sorted.
    public func pixelIDs() -> [String] {
        table.withLock { $0.pixels.keys.sorted() }
    }

    /// Reads the oldest undelivered events of `pixelID` without consuming them; nil when there are none.
    ///
    /// Only durable (fsynced) records are visible. Records that fail their checksum are copied to
    /// quarantine and skipped. Reading again before a commit returns the same events.
    /// - Parameters:
    ///   - maxEvents: at most this many events (CAPI accepts 1,000 per request).
    ///   - maxBytes: stop before the sum of payload sizes would pass this (one event is always returned).
    public func readBatch(pixelID: String, maxEvents: Int, maxBytes: Int) throws(StoreError) -> QueueBatch? {
        guard QueueLayout.isValidPixelID(pixelID) else { throw .invalidPixelID(pixelID) }
        let result: Result<QueueBatch?, StoreError> = readerLock.withLock { lastRead in
            Result { () throws(StoreError) in
                try readBatchLocked(
                    pixelID: pixelID, maxEvents: max(1, maxEvents), maxBytes: maxBytes, lastRead: &lastRead)
            }
        }
        return try result.get()
    }

    /// Marks the first `count` events of `batch` (all of them by default) as delivered: advances the
    /// cursor past them, persists it, deletes fully consumed segments and updates the accounting.
    ///
    /// Committing what is already committed does nothing, so a batch may be committed in parts.
    public func commit(_ batch: QueueBatch, count: Int? = nil) throws(StoreError) {
        let count = count ?? batch.events.count
        guard count >= 0, count <= batch.events.count, batch.positions.count == batch.events.count else {
            throw .invalidPosition("count \(count) for a batch of \(batch.events.count) events")
        }
        let target = batch.position(after: count)
        let positions = batch.positions[..<count]
        let result: Result<Void, StoreError> = readerLock.withLock { _ in
            Result { () throws(StoreError) in
                try advance(pixelID: batch.pixelID, through: target) { cursor in positions.count { $0 >= cursor } }
            }
        }
        try result.get()
    }

    /// - Parameter lastRead: the previous batch per pixel. While the cursor has not moved, its records
    ///   are still the head of the queue (durable bytes never change), so the scan resumes after them:
    ///   a forwarder that re-reads a filling batch (linger) decodes and checksums each record once.
    private func readBatchLocked(
        pixelID: String, maxEvents: Int, maxBytes: Int, lastRead: inout [String: QueueBatch]
    ) throws(StoreError) -> QueueBatch? {
        while true {
            guard let state = table.withLock({ $0.pixels[pixelID] }) else { return nil }
            let start = state.normalized(state.cursor)
            var position = start
            var events: [QueuedEvent] = []
            var positions: [QueuePosition] = []
            var payloadBytes = 0
            if let previous = lastRead.removeValue(forKey: pixelID), previous.start == start,
                previous.events.count <= maxEvents, previous.payloadBytes <= maxBytes || previous.events.count == 1
            {
                position = previous.end
                events = previous.events
                positions = previous.positions
                payloadBytes = previous.payloadBytes
            }
            scan: while events.count < maxEvents {
                guard let k = state.segments.firstIndex(where: { $0.number == position.segment }) else { break }
                let segment = state.segments[k]
                if position.offset >= segment.size {
                    if k + 1 == state.segments.count { break }
                    position = QueuePosition(segment: state.segments[k + 1].number, offset: 0)
                    continue
                }
                var scanner: SegmentScanner
                do {
                    scanner = try SegmentScanner(
                        fs: fs, path: layout.segmentPath(pixelID, segment.number), limit: segment.size)
                } catch {
                    throw .io(error)
                }
                defer { scanner.close() }
                while position.offset < segment.size && events.count < maxEvents {
                    do {
                        if let end = try scanner.probe(at: position.offset) {
                            let event = scanner.withPayload(at: position.offset, end: end) {
                                RecordFormat.decodePayload($0, pixelID: pixelID)
                            }
                            if let event {
                                if !events.isEmpty && payloadBytes + event.payload.count > maxBytes { break scan }
                                events.append(event)
                                positions.append(position)
                                payloadBytes += event.payload.count
                            } else {
                                quarantine(pixelID, segment.number, position.offset..<end)
                            }
                            position.offset = end
                        } else {
                            let next = try scanner.nextRecord(after: position.offset) ?? segment.size
                            quarantine(pixelID, segment.number, position.offset..<next)
                            position.offset = next
                        }
                    } catch {
                        throw .io(error)
                    }
                }
            }
            let end = state.normalized(position)
            if let first = events.first {
                let oldest = OldestRecord(position: start, eventTime: first.eventTime, enqueuedAtMs: first.enqueuedAtMs)
                table.withLock { t in
                    if let p = t.pixels[pixelID], p.normalized(p.cursor) == start { t.pixels[pixelID]?.oldest = oldest }
                }
                let batch = QueueBatch(
                    pixelID: pixelID, events: events, positions: positions, start: start, end: end,
                    payloadBytes: payloadBytes)
                lastRead[pixelID] = batch
                return batch
            }
            // Only damaged bytes were found: step over them for good, then look again.
            guard end > start else { return nil }
            try advance(pixelID: pixelID, through: end) { _ in 0 }
        }
    }

    /// Sets aside a damaged range met while reading (idempotent: recovery may have done it already).
    private func quarantine(_ pixelID: String, _ segment: UInt64, _ range: Range<Int64>) {
        let created = Quarantine.save(
            fs: fs, layout: layout, reason: .corrupt, pixelID: pixelID, segment: segment, range: range, nowMs: clock())
        if created { table.withLock { $0.quarantined += 1 } }
    }

    /// Moves the cursor of `pixelID` forward to `target` (no-op when it is not ahead). `consumed`
    /// tells how many events lie between the current cursor and `target`.
    func advance(pixelID: String, through target: QueuePosition, consumed: (QueuePosition) -> Int) throws(StoreError) {
        guard let state = table.withLock({ $0.pixels[pixelID] }) else {
            throw .invalidPosition("no queue for pixel \(pixelID)")
        }
        let cursor = state.cursor
        let target = state.normalized(target)
        guard target > cursor else { return }
        guard let segment = state.segments.first(where: { $0.number == target.segment }), target.offset <= segment.size
        else {
            throw .invalidPosition("\(target) is past the durable end of pixel \(pixelID)")
        }
        let events = consumed(cursor)
        let bytes = state.distance(from: cursor, to: target)
        do {
            // On a full disk the reserve makes room: this is how the space comes back.
            try reserve.withFallback { () throws(FileSystemError) in
                try FileIO.replace(
                    fs, path: layout.cursorPath(pixelID), tempPath: layout.cursorTempPath(pixelID),
                    bytes: QueueLayout.encodeCursor(target), sync: options.syncCursor)
            }
        } catch {
            throw .io(error)
        }
        let doomed = state.segments.lazy.filter { $0.number < target.segment }.map(\.number)
        table.withLock { t in
            guard var p = t.pixels[pixelID] else { return }
            p.cursor = target
            p.depth = max(0, p.depth - events)
            // Records damaged after they were counted leave the count high; it is exact again once drained.
            if let last = p.segments.last, target == QueuePosition(segment: last.number, offset: last.size) {
                p.depth = 0
            }
            p.bytes -= bytes
            p.segments.removeAll { $0.number < target.segment }
            p.oldest = nil
            t.pixels[pixelID] = p
            t.totalBytes -= bytes
            t.queueFull = false
        }
        // Best effort: a segment left behind is deleted at the next start (it is before the cursor).
        var freed = false
        for number in doomed { freed = (try? fs.unlink(layout.segmentPath(pixelID, number))) != nil || freed }
        if freed, reserve.isMissing { reserve.ensure() }  // space came back: set the reserve aside again
    }
}
