// SPDX-License-Identifier: Apache-2.0

/// Reads and validates records of one segment file, up to a byte limit, through a window buffer.
///
/// The limit is the segment's durable size: bytes past it may be mid-write by the committer and
/// are never looked at. The window keeps a scan of a large backlog to one `pread` per MiB.
struct SegmentScanner {
    static let chunkSize = 1 << 20

    let fs: any FileSystem
    let path: String
    let limit: Int64
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var bufferStart: Int64 = 0
    private var bufferCount = 0

    /// Opens `path` read-only; `limit` is the number of bytes that may be read.
    init(fs: any FileSystem, path: String, limit: Int64) throws(FileSystemError) {
        self.fs = fs
        self.path = path
        self.limit = limit
        do {
            self.fd = try fs.open(path, .read, permissions: 0)
        } catch {
            throw error.at(path)
        }
    }

    func close() { fs.close(fd) }

    /// Makes `[offset, offset + length)` addressable in the window; false when it lies past the
    /// limit or the file is shorter than expected.
    private mutating func load(_ offset: Int64, _ length: Int) throws(FileSystemError) -> Bool {
        if offset >= bufferStart && offset + Int64(length) <= bufferStart + Int64(bufferCount) { return true }
        guard offset >= 0, offset + Int64(length) <= limit else { return false }
        let want = Int(min(Int64(max(Self.chunkSize, length)), limit - offset))
        if buffer.count < want { buffer = [UInt8](repeating: 0, count: want) }
        var got = 0
        while got < want {
            let n: Int
            do {
                n = try FileIO.pread(fs, fd, into: &buffer, got..<want, at: offset + Int64(got))
            } catch {
                throw error.at(path)
            }
            if n == 0 { break }
            got += n
        }
        bufferStart = offset
        bufferCount = got
        return got >= length
    }

    /// The end offset of the valid record starting at `offset`, or nil when there is none there
    /// (bad magic, impossible length, incomplete, or CRC mismatch).
    mutating func probe(at offset: Int64) throws(FileSystemError) -> Int64? {
        let h = RecordFormat.headerSize
        guard try load(offset, h) else { return nil }
        let start = Int(offset - bufferStart)
        let header: (Bool, Int) = buffer.withUnsafeBytes { raw in
            let p = raw.baseAddress! + start
            return (RecordFormat.hasMagic(p), Int(UInt32(littleEndian: (p + 4).loadUnaligned(as: UInt32.self))))
        }
        let length = header.1
        guard header.0, length <= RecordFormat.maxPayloadBytes, offset + Int64(h + length) <= limit else { return nil }
        guard try load(offset, h + length) else { return nil }
        let begin = Int(offset - bufferStart)
        let valid = buffer.withUnsafeBytes { raw in
            let p = raw.baseAddress! + begin
            return UInt32(littleEndian: (p + 8).loadUnaligned(as: UInt32.self)) == RecordFormat.checksum(p)
        }
        return valid ? offset + Int64(h + length) : nil
    }

    /// Calls `body` with the payload of the record at `offset`, which a successful `probe(at:)`
    /// just validated (so it is in the window).
    func withPayload<R>(at offset: Int64, end: Int64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let begin = Int(offset - bufferStart) + RecordFormat.headerSize
        let count = Int(end - offset) - RecordFormat.headerSize
        return buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[begin..<begin + count])) }
    }

    /// The first offset after `offset` where a valid record starts (resynchronisation after
    /// corruption), or nil when none does before the limit.
    mutating func nextRecord(after offset: Int64) throws(FileSystemError) -> Int64? {
        var at = offset + 1
        while at + Int64(RecordFormat.headerSize) <= limit {
            guard try load(at, RecordFormat.headerSize) else { return nil }
            let windowEnd = bufferStart + Int64(bufferCount) - 3  // last offset with 4 bytes in the window
            let from = Int(at - bufferStart)
            let to = Int(windowEnd - bufferStart)
            let found: Int? = buffer.withUnsafeBytes { raw in
                let base = raw.baseAddress!
                var i = from
                while i < to {
                    if base.load(fromByteOffset: i, as: UInt8.self) == RecordFormat.magic.0
                        && RecordFormat.hasMagic(base + i)
                    {
                        return i
                    }
                    i += 1
                }
                return nil
            }
            if let found {
                let candidate = bufferStart + Int64(found)
                if try probe(at: candidate) != nil { return candidate }
                at = candidate + 1
            } else {
                at = max(at + 1, windowEnd)
            }
        }
        return nil
    }

    /// Walks records from `offset` to the limit, calling `onRecord` with each valid record's start,
    /// end and payload (it returns false when the payload does not decode) and `onCorrupt` with each
    /// damaged range that is followed by a valid record. Returns where unrecoverable trailing bytes
    /// begin (a torn tail), or nil when the walk reached the limit cleanly.
    mutating func walk(
        from offset: Int64,
        onRecord: (Int64, Int64, UnsafeRawBufferPointer) -> Bool,
        onCorrupt: (Range<Int64>) -> Void
    ) throws(FileSystemError) -> Int64? {
        var at = offset
        while at < limit {
            if let end = try probe(at: at) {
                if !withPayload(at: at, end: end, { onRecord(at, end, $0) }) { onCorrupt(at..<end) }
                at = end
            } else if let next = try nextRecord(after: at) {
                onCorrupt(at..<next)
                at = next
            } else {
                return at
            }
        }
        return nil
    }
}
