// SPDX-License-Identifier: Apache-2.0

/// Whole-buffer helpers over a ``FileSystem``.
///
/// The array-based wrappers exist because `Array.withUnsafeBytes` is `rethrows` and so erases a
/// typed `FileSystemError`; they carry it out in a `Result` instead.
enum FileIO {
    /// One `pwrite` of `bytes[from..<to]` (to the end without `to`) at `offset`.
    static func pwrite(
        _ fs: any FileSystem, _ fd: Int32, _ bytes: [UInt8], from: Int, to: Int? = nil, at offset: Int64
    ) throws(FileSystemError) -> Int {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(FileSystemError) in
                try fs.pwrite(fd, UnsafeRawBufferPointer(rebasing: raw[from..<(to ?? raw.count)]), at: offset)
            }
        }
        return try result.get()
    }

    /// One `pread` into `bytes[from..<to]` from `offset`.
    static func pread(
        _ fs: any FileSystem, _ fd: Int32, into bytes: inout [UInt8], _ range: Range<Int>, at offset: Int64
    ) throws(FileSystemError) -> Int {
        let result = bytes.withUnsafeMutableBytes { raw in
            Result { () throws(FileSystemError) in
                try fs.pread(fd, UnsafeMutableRawBufferPointer(rebasing: raw[range]), at: offset)
            }
        }
        return try result.get()
    }

    /// Writes all of `bytes` (its first `count` bytes when given) at `offset`, continuing after short writes.
    static func writeAll(
        _ fs: any FileSystem, _ fd: Int32, _ bytes: [UInt8], count: Int? = nil, at offset: Int64
    ) throws(FileSystemError) {
        let total = count ?? bytes.count
        precondition(total <= bytes.count, "writeAll: count beyond the buffer")
        var done = 0
        while done < total {
            let n = try pwrite(fs, fd, bytes, from: done, to: total, at: offset + Int64(done))
            // A zero-byte write of a non-empty buffer makes no progress; report it as out of space.
            if n == 0 { throw FileSystemError(operation: "pwrite", code: FileSystemError.Code.noSpace) }
            done += n
        }
    }

    /// Reads `count` bytes from `offset` (fewer at end of file).
    static func readAll(_ fs: any FileSystem, _ fd: Int32, count: Int, at offset: Int64) throws(FileSystemError)
        -> [UInt8]
    {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = try pread(fs, fd, into: &bytes, got..<count, at: offset + Int64(got))
            if n == 0 { break }
            got += n
        }
        bytes.removeLast(count - got)
        return bytes
    }

    /// Reads a whole file, or its first `maxBytes` when it is longer; nil when it does not exist.
    /// (A small file whose size was damaged must not become an allocation of that size.)
    static func readFile(_ fs: any FileSystem, _ path: String, maxBytes: Int) throws(FileSystemError) -> [UInt8]? {
        let fd: Int32
        do {
            fd = try fs.open(path, .read, permissions: 0)
        } catch {
            if error.code == FileSystemError.Code.noEntry { return nil }
            throw error
        }
        defer { fs.close(fd) }
        do {
            return try readAll(fs, fd, count: Int(min(try fs.size(fd), Int64(maxBytes))), at: 0)
        } catch {
            throw error.at(path)
        }
    }

    /// Replaces `path` atomically: write `tempPath`, optionally fsync it, rename over `path`.
    static func replace(
        _ fs: any FileSystem, path: String, tempPath: String, bytes: [UInt8], sync: Bool
    ) throws(FileSystemError) {
        let fd: Int32
        do {
            fd = try fs.open(tempPath, [.write, .create, .truncate], permissions: QueueLayout.filePermissions)
        } catch {
            throw error.at(tempPath)
        }
        do {
            try writeAll(fs, fd, bytes, at: 0)
            if sync { try fs.fdatasync(fd) }
        } catch {
            fs.close(fd)
            throw error.at(tempPath)
        }
        fs.close(fd)
        try fs.rename(tempPath, to: path)
    }
}
