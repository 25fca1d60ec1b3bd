// SPDX-License-Identifier: Apache-2.0

import Glibc

extension FileSystemError {
    /// `errno` values the store reacts to, re-exported so callers and tests need not import Glibc.
    public enum Code {
        /// No space left on device.
        public static let noSpace: Int32 = ENOSPC
        /// Disk quota exceeded.
        public static let quota: Int32 = EDQUOT
        /// Input/output error.
        public static let io: Int32 = EIO
        /// Read-only file system (ext4 remounts read-only after some errors).
        public static let readOnlyFileSystem: Int32 = EROFS
        /// Permission denied.
        public static let accessDenied: Int32 = EACCES
        /// No such file or directory.
        public static let noEntry: Int32 = ENOENT
    }

    /// `strerror` text plus the number, e.g. "No space left on device (errno 28)".
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}

/// The real ``FileSystem``: thin wrappers over the POSIX calls, retrying `EINTR`.
public struct PosixFileSystem: FileSystem {
    /// Creates the file system.
    public init() {}

    public func open(_ path: String, _ flags: OpenFlags, permissions: UInt32) throws(FileSystemError) -> Int32 {
        var oflag: Int32 = O_CLOEXEC
        if flags.contains(.read) && flags.contains(.write) {
            oflag |= O_RDWR
        } else if flags.contains(.write) {
            oflag |= O_WRONLY
        } else {
            oflag |= O_RDONLY
        }
        if flags.contains(.create) { oflag |= O_CREAT }
        if flags.contains(.exclusive) { oflag |= O_EXCL }
        if flags.contains(.truncate) { oflag |= O_TRUNC }
        while true {
            let fd = Glibc.open(path, oflag, mode_t(permissions))
            if fd >= 0 { return fd }
            if errno != EINTR { throw FileSystemError(operation: "open", path: path, code: errno) }
        }
    }

    public func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    public func pwrite(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int {
        while true {
            let n = Glibc.pwrite(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw FileSystemError(operation: "pwrite", code: errno) }
        }
    }

    public func pread(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(FileSystemError)
        -> Int
    {
        while true {
            let n = Glibc.pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw FileSystemError(operation: "pread", code: errno) }
        }
    }

    public func fdatasync(_ fd: Int32) throws(FileSystemError) {
        // No EINTR retry loop: a sync interrupted part-way must not be reported as done, and
        // Linux does not return EINTR from fdatasync in practice.
        if Glibc.fdatasync(fd) != 0 { throw FileSystemError(operation: "fdatasync", code: errno) }
    }

    public func fsync(_ fd: Int32) throws(FileSystemError) {
        if Glibc.fsync(fd) != 0 { throw FileSystemError(operation: "fsync", code: errno) }
    }

    public func ftruncate(_ fd: Int32, to length: Int64) throws(FileSystemError) {
        while Glibc.ftruncate(fd, off_t(length)) != 0 {
            if errno != EINTR { throw FileSystemError(operation: "ftruncate", code: errno) }
        }
    }

    public func size(_ fd: Int32) throws(FileSystemError) -> Int64 {
        var st = stat()
        if fstat(fd, &st) != 0 { throw FileSystemError(operation: "fstat", code: errno) }
        return Int64(st.st_size)
    }

    public func rename(_ from: String, to: String) throws(FileSystemError) {
        if Glibc.rename(from, to) != 0 { throw FileSystemError(operation: "rename", path: to, code: errno) }
    }

    public func unlink(_ path: String) throws(FileSystemError) {
        if Glibc.unlink(path) != 0 { throw FileSystemError(operation: "unlink", path: path, code: errno) }
    }

    public func makeDirectory(_ path: String, permissions: UInt32) throws(FileSystemError) {
        if mkdir(path, mode_t(permissions)) != 0 && errno != EEXIST {
            throw FileSystemError(operation: "mkdir", path: path, code: errno)
        }
    }

    public func setPermissions(_ path: String, _ permissions: UInt32) throws(FileSystemError) {
        if chmod(path, mode_t(permissions)) != 0 { throw FileSystemError(operation: "chmod", path: path, code: errno) }
    }

    public func contentsOfDirectory(_ path: String) throws(FileSystemError) -> [String] {
        guard let dir = opendir(path) else { throw FileSystemError(operation: "opendir", path: path, code: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func syncDirectory(_ path: String) throws(FileSystemError) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw FileSystemError(operation: "open", path: path, code: errno) }
        defer { _ = Glibc.close(fd) }
        if Glibc.fsync(fd) != 0 { throw FileSystemError(operation: "fsync", path: path, code: errno) }
    }

    public func availableBytes(_ path: String) throws(FileSystemError) -> Int64 {
        var st = statvfs()
        if statvfs(path, &st) != 0 { throw FileSystemError(operation: "statvfs", path: path, code: errno) }
        return Self.bytes(blocks: UInt64(st.f_bavail), blockSize: UInt64(st.f_frsize))
    }

    /// `blocks × blockSize`, saturated at `Int64.max`: a filesystem may report "unlimited" as a huge count.
    static func bytes(blocks: UInt64, blockSize: UInt64) -> Int64 {
        let (product, overflow) = blocks.multipliedReportingOverflow(by: blockSize)
        return overflow ? .max : Int64(clamping: product)
    }
}
