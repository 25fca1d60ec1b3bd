// SPDX-License-Identifier: Apache-2.0

import Glibc
internal import Synchronization

/// An exclusive `flock` on `dataDir/LOCK`, held by the process that owns the queue.
///
/// `flock` locks belong to the open file description, so a second ``DurableQueue`` on the same
/// directory is refused even inside one process, and the kernel drops the lock when the process
/// dies (no stale lock after `kill -9`).
public final class DataDirLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Mutex<Int32>

    init(path: String, fd: Int32) {
        self.path = path
        self.descriptor = Mutex(fd)
    }

    /// Releases the lock (idempotent; also done on deinit).
    public func release() {
        let fd = descriptor.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    deinit {
        release()
    }
}

extension DurableQueue {
    /// Takes the data directory's lock without blocking, creating the directory (0700) if needed.
    ///
    /// Throws ``StoreError/locked(directory:)`` when another process (normally `pixelrelay serve`)
    /// holds it; offline commands that change the queue must stop there.
    public static func acquireLock(directory: String) throws(StoreError) -> DataDirLock {
        let layout = QueueLayout(root: directory)
        do {
            try PosixFileSystem().makeDirectory(layout.root, permissions: QueueLayout.directoryPermissions)
        } catch {
            throw .io(error)
        }
        let fd = open(layout.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, mode_t(QueueLayout.filePermissions))
        guard fd >= 0 else { throw .io(FileSystemError(operation: "open", path: layout.lockPath, code: errno)) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            _ = Glibc.close(fd)
            if code == EWOULDBLOCK { throw .locked(directory: layout.root) }
            throw .io(FileSystemError(operation: "flock", path: layout.lockPath, code: code))
        }
        // The holder's pid, for a human looking at the directory.
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return DataDirLock(path: layout.lockPath, fd: fd)
    }
}
