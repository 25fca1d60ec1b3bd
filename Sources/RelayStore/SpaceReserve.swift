// SPDX-License-Identifier: Apache-2.0

internal import Synchronization

/// A file of zeros kept in the data directory so that draining the queue still works on a full disk.
///
/// Delivery frees space only by moving a cursor (a new small file, renamed into place) and dead-letter
/// appends; both need a free block. On a volume full to the last block neither could happen, nothing
/// would ever be deleted, and the queue would stay stuck at `503`. So on `ENOSPC` in that drain path
/// the reserve is deleted and the write tried once more — under the reserve's lock, so the committer
/// cannot take the freed blocks back in between. While the reserve is missing, appends are refused as
/// disk-full (their bytes would take the room the drain needs); each group first tries to set it aside
/// again, which succeeds as soon as delivery or the operator freed space.
///
/// Only a full disk makes the reserve "missing". When it cannot be made for another reason (a file
/// left by another user, a read-only directory) the queue goes on without one, as before it existed.
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

    /// True after the reserve was used (or could not be made for lack of space) and until it is made again.
    var isMissing: Bool { missing.load(ordering: .acquiring) }

    /// Makes the reserve when it is missing or short. Returns false only while it is missing (the disk
    /// had no room for it, or a passing error such as `EMFILE` kept it from being made again).
    @discardableResult
    func ensure() -> Bool {
        guard bytes > 0 else { return true }
        return lock.withLock { _ in ensureLocked() }
    }

    /// Runs `body` (the committer's writes) while the reserve is in place, under its lock: the drain
    /// cannot release it in between and see the freed blocks taken. nil, without running `body`, when
    /// the reserve is missing and cannot be made again.
    func whileAvailable<T: Sendable>(_ body: () -> T) -> T? {
        guard bytes > 0 else { return body() }
        // In place unless the drain gave it up (under this lock): no file check on the hot path.
        return lock.withLock { _ -> T? in !isMissing || ensureLocked() ? body() : nil }
    }

    private func ensureLocked() -> Bool {
        switch make() {
        case .made:
            missing.store(false, ordering: .releasing)
            return true
        case .noSpace:
            missing.store(true, ordering: .releasing)
            return false
        case .unusable:
            // Not a full disk (another user's file, a read-only directory): no reserve, and no reason
            // to refuse appends — unless it was given up for lack of space and is not back yet.
            return !isMissing
        }
    }

    /// Runs `write`; when it fails for lack of space, deletes the reserve and runs it once more, both
    /// under the lock (``ensure()`` waits, so the freed blocks go to this write).
    func withFallback(_ write: () throws(FileSystemError) -> Void) throws(FileSystemError) {
        do {
            return try write()
        } catch  where error.isNoSpace && bytes > 0 {
            let outcome: Result<Void, FileSystemError> = lock.withLock { _ in
                do throws(FileSystemError) {
                    try fs.unlink(path)
                } catch {
                    return .failure(error)
                }
                // (The committer writes only under this lock after seeing it in place: none can be
                // between its check and its write now.)
                missing.store(true, ordering: .releasing)
                do throws(FileSystemError) {
                    try write()
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            if case .failure(let failure) = outcome {
                // No reserve to give up: the first error says what happened.
                throw failure.code == FileSystemError.Code.noEntry ? error : failure
            }
        }
    }

    private enum Made { case made, noSpace, unusable }

    private func make() -> Made {
        // A whole reserve is only looked at: it may belong to someone else (a `queue` command run as
        // root), and it is still a reserve this process can delete.
        if let fd = try? fs.open(path, .read, permissions: 0) {
            let size = (try? fs.size(fd)) ?? 0
            fs.close(fd)
            if size >= Int64(bytes) { return .made }
        }
        let fd: Int32
        do {
            fd = try fs.open(path, [.read, .write, .create], permissions: QueueLayout.filePermissions)
        } catch {
            return error.isNoSpace ? .noSpace : .unusable
        }
        defer { fs.close(fd) }
        do {
            let size = try fs.size(fd)
            guard size < Int64(bytes) else { return .made }
            let zeros = [UInt8](repeating: 0, count: bytes - Int(size))
            try FileIO.writeAll(fs, fd, zeros, at: size)
            try fs.fdatasync(fd)
            return .made
        } catch {
            try? fs.ftruncate(fd, to: 0)  // half a reserve is no reserve; leave nothing taken
            return error.isNoSpace ? .noSpace : .unusable
        }
    }
}
