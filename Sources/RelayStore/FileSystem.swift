// SPDX-License-Identifier: Apache-2.0

/// How a file is opened through a ``FileSystem``.
public struct OpenFlags: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Open for reading.
    public static let read = OpenFlags(rawValue: 1 << 0)
    /// Open for writing.
    public static let write = OpenFlags(rawValue: 1 << 1)
    /// Create the file when it does not exist.
    public static let create = OpenFlags(rawValue: 1 << 2)
    /// With `create`: fail with `EEXIST` when the file exists.
    public static let exclusive = OpenFlags(rawValue: 1 << 3)
    /// Truncate the file to zero length on open.
    public static let truncate = OpenFlags(rawValue: 1 << 4)
}

/// A failed system call: which one, on which path (when known), and its `errno`.
public struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The system call, e.g. `"fdatasync"`.
    public var operation: String
    /// The file or directory involved; empty when the call took only a descriptor.
    public var path: String
    /// The `errno` value.
    public var code: Int32

    /// Creates an error value.
    public init(operation: String, path: String = "", code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// True for "no space left on device" and "disk quota exceeded": conditions that clear by themselves.
    public var isNoSpace: Bool { code == FileSystemError.Code.noSpace || code == FileSystemError.Code.quota }

    /// The same error with `path` filled in when it was unknown.
    func at(_ path: String) -> FileSystemError {
        self.path.isEmpty ? FileSystemError(operation: operation, path: path, code: code) : self
    }

    public var description: String {
        let target = path.isEmpty ? "" : " \(path)"
        return "\(operation)\(target): \(FileSystemError.describe(code))"
    }
}

/// The file operations the queue performs, behind a protocol so tests can inject faults
/// (ENOSPC on write, EIO on fdatasync, delays) and trace the order of writes and syncs.
///
/// Descriptors are plain `Int32`s; every call retries `EINTR` itself and reports any other failure
/// as a ``FileSystemError``. ``PosixFileSystem`` is the real implementation.
public protocol FileSystem: Sendable {
    /// Opens `path`; `permissions` applies when the file is created.
    func open(_ path: String, _ flags: OpenFlags, permissions: UInt32) throws(FileSystemError) -> Int32
    /// Closes a descriptor (errors are ignored: nothing useful can be done with them).
    func close(_ fd: Int32)
    /// Writes up to `buffer.count` bytes at `offset`; returns how many were written (may be short).
    func pwrite(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int
    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (0 at end of file).
    func pread(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int
    /// Flushes the file's data and the metadata needed to read it back (its size).
    func fdatasync(_ fd: Int32) throws(FileSystemError)
    /// Flushes the file's data and all its metadata.
    func fsync(_ fd: Int32) throws(FileSystemError)
    /// Sets the file's length.
    func ftruncate(_ fd: Int32, to length: Int64) throws(FileSystemError)
    /// The file's current length.
    func size(_ fd: Int32) throws(FileSystemError) -> Int64
    /// Atomically replaces `to` with `from`.
    func rename(_ from: String, to: String) throws(FileSystemError)
    /// Removes a file.
    func unlink(_ path: String) throws(FileSystemError)
    /// Creates a directory; an existing directory is not an error.
    func makeDirectory(_ path: String, permissions: UInt32) throws(FileSystemError)
    /// Sets a file's or directory's permission bits.
    func setPermissions(_ path: String, _ permissions: UInt32) throws(FileSystemError)
    /// The names in a directory, without `.` and `..`.
    func contentsOfDirectory(_ path: String) throws(FileSystemError) -> [String]
    /// Flushes a directory, making created, renamed and removed entries durable.
    func syncDirectory(_ path: String) throws(FileSystemError)
    /// Bytes available to an unprivileged user on the file system holding `path`.
    func availableBytes(_ path: String) throws(FileSystemError) -> Int64
}
