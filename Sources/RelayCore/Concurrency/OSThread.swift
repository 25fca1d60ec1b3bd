// SPDX-License-Identifier: Apache-2.0
internal import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// A dedicated OS thread that runs one closure: the owner of a resource that must stay on one thread
/// (the epoll loop, the queue committer, the curl multi handle). FoundationEssentials has no `Thread`.
public final class OSThread: @unchecked Sendable {
    private var handle = pthread_t()
    private let body: @Sendable () -> Void
    private let name: String

    /// Starts `body` on a new thread named `name` (visible in `top -H` and backtraces).
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        self.body = body
        self.name = name
        let box = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(
            &handle, nil,
            { arg in
                let thread = Unmanaged<OSThread>.fromOpaque(arg!).takeRetainedValue()
                OSThread.nameCurrentThread(thread.name)
                thread.body()
                return nil
            }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
    }

    /// Names the calling thread (Linux keeps 15 bytes: what `top -H`, `ps -L` and `perf` show).
    public static func nameCurrentThread(_ name: String) {
        _ = pr_set_thread_name(name)
    }

    /// Waits for the thread's closure to return.
    public func join() {
        pthread_join(handle, nil)
    }

    /// Lets the thread's resources go when it ends, for a thread nobody joins. Call once, instead of `join`.
    public func detach() {
        pthread_detach(handle)
    }
}
