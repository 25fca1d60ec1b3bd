// SPDX-License-Identifier: Apache-2.0

/// An event the forwarder gave up on, with Meta's reason. Stored one JSON object per line in
/// `dead/<pixel>.jsonl`; the event JSON is embedded as is (it is already-hashed CAPI JSON, and
/// access tokens are never part of it).
public struct DeadLetter: Sendable, Equatable {
    /// The event as it was queued.
    public var event: QueuedEvent
    /// Why it was dead-lettered, e.g. `"invalid_parameter"` or `"expired"`.
    public var reason: String
    /// Meta's `error.message` (or `error_user_msg`), when Meta rejected it.
    public var metaMessage: String?
    /// Meta's `fbtrace_id`, when there was one.
    public var fbtraceID: String?
    /// When it was dead-lettered, Unix milliseconds.
    public var deadAtMs: Int64

    /// Creates a dead letter.
    public init(
        event: QueuedEvent, reason: String, metaMessage: String? = nil, fbtraceID: String? = nil, deadAtMs: Int64
    ) {
        self.event = event
        self.reason = reason
        self.metaMessage = metaMessage
        self.fbtraceID = fbtraceID
        self.deadAtMs = deadAtMs
    }

    /// The line for the dead-letter file, newline included.
    func encodeLine() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(event.payload.count + 256)
        func key(_ k: String) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            JSONLine.appendString(k, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        func optional(_ s: String?) {
            if let s { JSONLine.appendString(s, to: &out) } else { out.append(contentsOf: Array("null".utf8)) }
        }
        key("pixel_id")
        JSONLine.appendString(event.pixelID, to: &out)
        key("event_id")
        JSONLine.appendString(event.eventID, to: &out)
        key("event_name")
        JSONLine.appendString(event.eventName, to: &out)
        key("event_time")
        out.append(contentsOf: Array(String(event.eventTime).utf8))
        key("enqueued_at_ms")
        out.append(contentsOf: Array(String(event.enqueuedAtMs).utf8))
        key("dead_at_ms")
        out.append(contentsOf: Array(String(deadAtMs).utf8))
        key("reason")
        JSONLine.appendString(reason, to: &out)
        key("meta_message")
        optional(metaMessage)
        key("fbtrace_id")
        optional(fbtraceID)
        if JSONLine.isObject(event.payload) {
            key("event")
            out.append(contentsOf: event.payload)
        } else {
            // Not expected (payloads are our own JSON), but never let one break the line format.
            key("event_text")
            JSONLine.appendString(String(decoding: event.payload, as: UTF8.self), to: &out)
        }
        out.append(UInt8(ascii: "}"))
        out.append(0x0A)
        return out
    }

    /// Parses one line (without its newline); nil when it is damaged (e.g. torn by a crash).
    static func decodeLine(_ line: ArraySlice<UInt8>) -> DeadLetter? {
        guard let m = JSONLine.parseObject(line),
            case .string(let pixelID) = m["pixel_id"], case .string(let eventID) = m["event_id"],
            case .string(let eventName) = m["event_name"], case .integer(let eventTime) = m["event_time"],
            case .string(let reason) = m["reason"]
        else { return nil }
        func int(_ k: String) -> Int64 {
            if case .integer(let n) = m[k] { return n }
            return 0
        }
        func string(_ k: String) -> String? {
            if case .string(let s) = m[k] { return s }
            return nil
        }
        let payload: [UInt8]
        if case .raw(let bytes) = m["event"] {
            payload = bytes
        } else if let text = string("event_text") {
            payload = Array(text.utf8)
        } else {
            return nil
        }
        let event = QueuedEvent(
            pixelID: pixelID, eventID: eventID, eventName: eventName, eventTime: eventTime,
            enqueuedAtMs: int("enqueued_at_ms"), payload: payload)
        return DeadLetter(
            event: event, reason: reason, metaMessage: string("meta_message"), fbtraceID: string("fbtrace_id"),
            deadAtMs: int("dead_at_ms"))
    }
}

/// Reading and counting dead-letter files.
enum DeadLetterFile {
    /// The lines of a file (a torn last line included; callers skip what does not parse).
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
    }

    /// The pixel ids that have a dead-letter file.
    static func pixels(fs: any FileSystem, layout: QueueLayout) throws(FileSystemError) -> [String] {
        try fs.contentsOfDirectory(layout.deadDirectory).compactMap { name in
            guard name.hasSuffix(".jsonl") else { return nil }
            let id = String(name.dropLast(6))
            return QueueLayout.isValidPixelID(id) ? id : nil
        }.sorted()
    }

    /// Dead letters per pixel, counting lines that parse.
    static func countAll(fs: any FileSystem, layout: QueueLayout) throws(FileSystemError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for pixelID in try pixels(fs: fs, layout: layout) {
            counts[pixelID] = try count(fs: fs, path: layout.deadLetterPath(pixelID))
        }
        return counts
    }

    /// Bytes read at a time by ``forEachLine(fs:path:chunkBytes:_:)``.
    static let chunkBytes = 1 << 20
    /// A line longer than this is not a dead letter this code wrote (a record is at most 16 MiB, see
    /// `RecordFormat`, plus Meta's message); it is skipped rather than held.
    static let maxLineBytes = 20 << 20

    /// Calls `body` with each non-empty line of a file (a last line without a newline too: torn, usually),
    /// read a chunk at a time: memory stays at one chunk and one line however large the file grew (a
    /// pixel paused for days may leave gigabytes). A missing file has no lines.
    static func forEachLine<E: Error>(
        fs: any FileSystem, path: String, chunkBytes: Int = chunkBytes,
        _ body: (ArraySlice<UInt8>) throws(E) -> Void
    ) throws(DeadLetterReadError<E>) {
        let fd: Int32
        do {
            fd = try fs.open(path, .read, permissions: 0)
        } catch {
            if error.code == FileSystemError.Code.noEntry { return }
            throw .file(error.at(path))
        }
        defer { fs.close(fd) }
        var line: [UInt8] = []
        var skipping = false
        func finish() throws(DeadLetterReadError<E>) {
            defer {
                line.removeAll(keepingCapacity: true)
                skipping = false
            }
            guard !skipping, !line.isEmpty else { return }
            do {
                try body(line[...])
            } catch {
                throw .body(error)
            }
        }
        var offset: Int64 = 0
        while true {
            let chunk: [UInt8]
            do {
                chunk = try FileIO.readAll(fs, fd, count: chunkBytes, at: offset)
            } catch {
                throw .file(error.at(path))
            }
            if chunk.isEmpty { break }
            offset += Int64(chunk.count)
            var start = 0
            while start < chunk.count {
                let end = chunk[start...].firstIndex(of: 0x0A)
                if !skipping { line.append(contentsOf: chunk[start..<(end ?? chunk.count)]) }
                if line.count > maxLineBytes {
                    line.removeAll()
                    skipping = true
                }
                guard let end else { break }
                try finish()
                start = end + 1
            }
        }
        try finish()
    }

    /// The lines of one file that parse (see ``forEachLine(fs:path:chunkBytes:_:)``).
    static func count(
        fs: any FileSystem, path: String, chunkBytes: Int = chunkBytes
    ) throws(FileSystemError) -> Int {
        var total = 0
        do {
            try forEachLine(fs: fs, path: path, chunkBytes: chunkBytes) { (line) throws(Never) in
                if DeadLetter.decodeLine(line) != nil { total += 1 }
            }
        } catch {
            throw error.fileError
        }
        return total
    }

}

/// A failure of ``DeadLetterFile/forEachLine(fs:path:chunkBytes:_:)``: reading the file, or the caller's body.
enum DeadLetterReadError<E: Error>: Error {
    case file(FileSystemError)
    case body(E)
}

extension DeadLetterReadError where E == Never {
    /// The file error (the body cannot fail).
    var fileError: FileSystemError {
        switch self {
        case .file(let error): return error
        }
    }
}
