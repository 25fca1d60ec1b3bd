// SPDX-License-Identifier: Apache-2.0

internal import Synchronization

/// A file of zeros kept in the data directory so that draining the queue still works on a full disk.
///
/// Delivery frees space only by moving a cursor (a new small file, renamed into place) and dead-letter
/// appends; both need a free block. On a volume full to the last block neither could happen, nothing
/// would ever be deleted, and the queue would stay stuck at `503`. So on `ENOSPC` in that drain path
/// the reserve is deleted and the write tried once more. While it is missing, appends are refused as
/// disk-full (their bytes would take the room the drain needs); each group first tries to set it
/// aside again, which succeeds as soon as delivery or the operator freed space.
///
/// Shared by the committer (``isMissing``, ``ensure()``) and the reader side (``withFallback(_:)``,
/// ``ensure()``); file operations are serialised by a lock.
final class SpaceReserve: Sendable {
    let fs: any FileSystem
    let path: String
    let bytes: Int
    private let missing = Atomic<Bool>(false)
    private let lock = Mutex<Void>(())

    init(fs: any FileSystem, path: String, bytes: Int) {
        self.fs = fs
        self.path = path
        self.bytes = bytes
    }

    /// True after the reserve was used (or could not be made) and until it is made again.
    var isMissing: Bool { missing.load(ordering: .acquiring) }

    /// Makes the reserve when it is missing or short. Returns false when the disk has no room for it.
    @discardableResult
    func ensure() -> Bool {
        guard bytes > 0 else { return true }
        return lock.withLock { _ in
            let made = make()
            missing.store(!made, ordering: .releasing)
            return made
        }
    }

    /// Runs `write`; when it fails for lack of space and the reserve could be released, runs it once more.
    func withFallback<T>(_ write: () throws(FileSystemError) -> T) throws(FileSystemError) -> T {
        do {
            return try write()
        } catch  where error.isNoSpace {
            guard release() else { throw error }
            return try write()
        }
    }

    /// Deletes the reserve; true when there was one to free.
    private func release() -> Bool {
        guard bytes > 0 else { return false }
        return lock.withLock { _ in
            do {
                try fs.unlink(path)
            } catch {
                return false
            }
            missing.store(true, ordering: .releasing)
            return true
        }
    }

    private func make() -> Bool {
        let fd: Int32
        do {
            fd = try fs.open(path, [.read, .write, .create], permissions: QueueLayout.filePermissions)
        } catch {
            return false
        }
        defer { fs.close(fd) }
        do {
            let size = try fs.size(fd)
            guard size < Int64(bytes) else { return true }
            let zeros = [UInt8](repeating: 0, count: bytes - Int(size))
            try FileIO.writeAll(fs, fd, zeros, at: size)
            try fs.fdatasync(fd)
            return true
        } catch {
            try? fs.ftruncate(fd, to: 0)  // half a reserve is no reserve; leave nothing taken
            return false
        }
    }
}
