// SPDX-License-Identifier: Apache-2.0

/// What one group writes for one pixel: usually one chunk on the active segment, plus new
/// segments when the group crosses the roll size.
struct PixelPlan {
    struct Chunk {
        var segment: UInt64
        var offset: Int64
        var bytes: [UInt8]
        var isNew: Bool
        /// The descriptor of a segment created by this group; -1 otherwise.
        var fd: Int32 = -1
        /// True once a write was attempted (so a failure must be rolled back).
        var touched = false
        /// The file's size after the group, including zero-filled room past `end`.
        var allocated: Int64 = 0
        var end: Int64 { offset + Int64(bytes.count) }
    }

    let pixelID: String
    /// The active segment before the group (0: the pixel has none yet).
    let baseSegment: UInt64
    let baseSize: Int64
    var chunks: [Chunk] = []
    var events = 0
    var bytes: Int64 = 0

    /// Adds one append's records, starting a new segment first when they would overflow a non-empty one.
    mutating func add(_ blob: PixelBlob, segmentBytes: Int64) {
        events += blob.events
        bytes += Int64(blob.bytes.count)
        let count = Int64(blob.bytes.count)
        if let last = chunks.last {
            if last.end > 0 && last.end + count > segmentBytes {
                chunks.append(Chunk(segment: last.segment + 1, offset: 0, bytes: blob.bytes, isNew: true))
            } else {
                chunks[chunks.count - 1].bytes.append(contentsOf: blob.bytes)
            }
        } else if baseSegment == 0 {
            chunks.append(Chunk(segment: 1, offset: 0, bytes: blob.bytes, isNew: true))
        } else if baseSize > 0 && baseSize + count > segmentBytes {
            chunks.append(Chunk(segment: baseSegment + 1, offset: 0, bytes: blob.bytes, isNew: true))
        } else {
            chunks.append(Chunk(segment: baseSegment, offset: baseSize, bytes: blob.bytes, isNew: false))
        }
    }
}

extension Committer {
    /// Commits one group: admits appends under the byte cap, writes, syncs, publishes, completes.
    func commit(_ group: [PendingAppend]) {
        let (baseBytes, fatal) = table.withLock { ($0.totalBytes, $0.fatal) }
        if let fatal {
            for append in group { append.completion(.rejected(.ioError(fatal))) }
            return
        }

        var plans: [PixelPlan] = []
        var planIndex: [String: Int] = [:]
        var admitted = [Bool](repeating: false, count: group.count)
        var groupBytes: Int64 = 0
        for (i, append) in group.enumerated() where baseBytes + groupBytes + Int64(append.bytes) <= options.maxBytes {
            admitted[i] = true
            groupBytes += Int64(append.bytes)
            for blob in append.blobs {
                let k: Int
                if let existing = planIndex[blob.pixelID] {
                    k = existing
                } else {
                    let writer = writers[blob.pixelID]
                    plans.append(
                        PixelPlan(pixelID: blob.pixelID, baseSegment: writer?.segment ?? 0, baseSize: writer?.size ?? 0)
                    )
                    k = plans.count - 1
                    planIndex[blob.pixelID] = k
                }
                plans[k].add(blob, segmentBytes: options.segmentBytes)
            }
        }
        let anyRejectedFull = admitted.contains(false)

        var outcome = AppendResult.durable
        var syncs = 0
        var newlyFatal: String?
        if !plans.isEmpty {
            // The reserve went to the drain on a full disk: until it is back, new records would take the
            // room that delivery needs to free space (one try per group; it succeeds once space returned).
            // Checked and written under the reserve's lock, so the drain cannot free it in between.
            let written = reserve.whileAvailable { writeAndSync(&plans) } ?? .failure(.diskFull)
            switch written {
            case .success(let count):
                syncs = count
                adoptWriters(plans)
            case .failure(.diskFull):
                outcome = .rejected(.diskFull)
            case .failure(.transient(let message)):
                outcome = .rejected(.ioError(message))
            case .failure(.fatal(let message)):
                outcome = .rejected(.ioError(message))
                newlyFatal = message
            }
        }

        let durable = outcome == .durable && !plans.isEmpty
        let handler = table.withLock { t -> (@Sendable (QueueArrival) -> Void)? in
            if durable {
                publish(plans, into: &t)
                t.syncs += syncs
                t.groups += 1
                t.appendsAcknowledged += admitted.count { $0 }
                t.eventsAcknowledged += plans.reduce(0) { $0 + $1.events }
                t.diskFull = false
                t.queueFull = false
            }
            if outcome == .rejected(.diskFull) { t.diskFull = true }
            if anyRejectedFull { t.queueFull = true }
            if let newlyFatal, t.fatal == nil { t.fatal = newlyFatal }
            return t.availability
        }

        // Wake the forwarder first: by the time an append completes, its pixel has been announced.
        if durable, let handler {
            for plan in plans {
                handler(QueueArrival(pixelID: plan.pixelID, events: plan.events, bytes: Int(plan.bytes)))
            }
        }
        for (i, append) in group.enumerated() {
            append.completion(admitted[i] ? outcome : .rejected(.queueFull))
        }
        if let newlyFatal, !fatalReported {
            fatalReported = true
            options.onFatal(newlyFatal)
        }
    }

    /// Makes the new segments the active ones and records the synced sizes.
    private func adoptWriters(_ plans: [PixelPlan]) {
        for plan in plans {
            var writer = writers[plan.pixelID] ?? PixelWriter(segment: 0, size: 0)
            for chunk in plan.chunks {
                if chunk.isNew {
                    if writer.fd >= 0 { fs.close(writer.fd) }
                    writer = PixelWriter(segment: chunk.segment, size: chunk.end, fd: chunk.fd)
                } else {
                    writer.size = chunk.end
                }
                writer.allocated = max(chunk.allocated, chunk.end)
            }
            writers[plan.pixelID] = writer
        }
    }

    /// Moves the durable ends forward in the shared table.
    private func publish(_ plans: [PixelPlan], into t: inout QueueTable) {
        for plan in plans {
            var p =
                t.pixels[plan.pixelID]
                ?? PixelState(
                    segments: [], cursor: QueuePosition(segment: plan.chunks[0].segment, offset: 0), depth: 0, bytes: 0,
                    oldest: nil)
            for chunk in plan.chunks {
                if let k = p.segments.lastIndex(where: { $0.number == chunk.segment }) {
                    p.segments[k].size = chunk.end
                } else {
                    p.segments.append(SegmentInfo(number: chunk.segment, size: chunk.end))
                }
            }
            p.depth += plan.events
            p.bytes += plan.bytes
            t.totalBytes += plan.bytes
            t.pixels[plan.pixelID] = p
        }
    }
}
