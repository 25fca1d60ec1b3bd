// SPDX-License-Identifier: Apache-2.0
import RelayStore
import Synchronization

/// The real file system, except that writes to paths containing `failWritesTo` fail with `EIO`
/// while `failing` is true (adapted from RelayStoreTests' FaultyFileSystem).
final class FaultyFileSystem: FileSystem {
    private let real = PosixFileSystem()
    private let paths = Mutex<[Int32: String]>([:])
    private let failingFlag = Atomic<Bool>(false)
    let failWritesTo: String

    init(failWritesTo: String) {
        self.failWritesTo = failWritesTo
    }

    var failing: Bool {
        get { failingFlag.load(ordering: .acquiring) }
        set { failingFlag.store(newValue, ordering: .releasing) }
    }

    func open(_ path: String, _ flags: OpenFlags, permissions: UInt32) throws(FileSystemError) -> Int32 {
        let fd = try real.open(path, flags, permissions: permissions)
        paths.withLock { $0[fd] = path }
        return fd
    }

    func close(_ fd: Int32) {
        paths.withLock { _ = $0.removeValue(forKey: fd) }
        real.close(fd)
    }

    func pwrite(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int {
        let path = paths.withLock { $0[fd] ?? "" }
        if failing && path.contains(failWritesTo) { throw FileSystemError(operation: "pwrite", path: path, code: 5) }
        return try real.pwrite(fd, buffer, at: offset)
    }

    func pread(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int {
        try real.pread(fd, buffer, at: offset)
    }
    func fdatasync(_ fd: Int32) throws(FileSystemError) { try real.fdatasync(fd) }
    func fsync(_ fd: Int32) throws(FileSystemError) { try real.fsync(fd) }
    func ftruncate(_ fd: Int32, to length: Int64) throws(FileSystemError) { try real.ftruncate(fd, to: length) }
    func size(_ fd: Int32) throws(FileSystemError) -> Int64 { try real.size(fd) }
    func rename(_ from: String, to: String) throws(FileSystemError) { try real.rename(from, to: to) }
    func unlink(_ path: String) throws(FileSystemError) { try real.unlink(path) }
    func makeDirectory(_ path: String, permissions: UInt32) throws(FileSystemError) {
        try real.makeDirectory(path, permissions: permissions)
    }
    func setPermissions(_ path: String, _ permissions: UInt32) throws(FileSystemError) {
        try real.setPermissions(path, permissions)
    }
    func contentsOfDirectory(_ path: String) throws(FileSystemError) -> [String] { try real.contentsOfDirectory(path) }
    func syncDirectory(_ path: String) throws(FileSystemError) { try real.syncDirectory(path) }
    func availableBytes(_ path: String) throws(FileSystemError) -> Int64 { try real.availableBytes(path) }
}
