// SPDX-License-Identifier: Apache-2.0
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
                thread.body()
                return nil
            }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
    }

    /// Waits for the thread's closure to return.
    public func join() {
        pthread_join(handle, nil)
    }
}
