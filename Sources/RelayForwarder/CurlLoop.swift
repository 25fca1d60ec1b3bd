// SPDX-License-Identifier: Apache-2.0
internal import CCurl
internal import Synchronization

/// The `CurlClient` loop: everything except `submit`/`close` runs on the client's one thread.
///
/// `@unchecked Sendable` because the object is handed to that thread once; the only state other
/// threads touch is the `Mutex` inbox and `CurlMulti.wakeup()`.
final class CurlLoop: @unchecked Sendable {
    private struct Pending {
        var request: UpstreamRequest
        var completion: @Sendable (Result<UpstreamResponse, UpstreamError>) -> Void
    }

    private struct Inbox {
        var pending: [Pending] = []
        var closed = false
    }

    private let inbox = Mutex(Inbox())
    private let multi: CurlMulti
    private let settings: CurlClient.Settings
    // Loop-thread state.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [CurlEasy] = []

    init(multi: CurlMulti, settings: CurlClient.Settings) {
        self.multi = multi
        self.settings = settings
    }

    /// Queues a request from any thread; false once the loop is closed.
    func submit(
        _ request: UpstreamRequest, completion: @escaping @Sendable (Result<UpstreamResponse, UpstreamError>) -> Void
    ) -> Bool {
        let accepted = inbox.withLock { inbox in
            guard !inbox.closed else { return false }
            inbox.pending.append(Pending(request: request, completion: completion))
            return true
        }
        // The multi handle lives until this object is deinitialised, so waking it is always safe.
        if accepted { multi.wakeup() }
        return accepted
    }

    /// Asks the loop to abort everything and return. Safe from any thread, idempotent.
    func close() {
        inbox.withLock { $0.closed = true }
        multi.wakeup()
    }

    /// The thread body; returns after `close()` once every transfer has been completed.
    func run() {
        while true {
            let (batch, closed) = inbox.withLock { inbox in
                defer { inbox.pending.removeAll() }
                return (inbox.pending, inbox.closed)
            }
            if closed {
                for pending in batch { pending.completion(.failure(.cancelled)) }
                break
            }
            for pending in batch { start(pending) }
            multi.perform()
            while let (easy, code) = multi.nextCompleted() { finish(easy, code) }
            multi.poll(timeoutMs: 1000)
        }
        for (_, transfer) in active {
            multi.remove(transfer.easy)
            transfer.completion(.failure(.cancelled))
        }
        active.removeAll()
        idleHandles.removeAll()
    }

    private func start(_ pending: Pending) {
        guard let easy = idleHandles.popLast() ?? CurlEasy() else {
            pending.completion(.failure(.transport(code: -1, message: "curl_easy_init failed")))
            return
        }
        let transfer = CurlTransfer(
            easy: easy, request: pending.request, bodyLimit: settings.responseBodyLimit, completion: pending.completion)
        do {
            try transfer.configure(pending.request, settings: settings)
        } catch {
            recycle(easy)
            pending.completion(.failure(error))
            return
        }
        guard multi.add(easy) else {
            recycle(easy)
            pending.completion(.failure(.transport(code: -1, message: "curl_multi_add_handle failed")))
            return
        }
        active[easy.raw] = transfer
    }

    private func finish(_ handle: UnsafeMutableRawPointer, _ code: CURLcode) {
        guard let transfer = active.removeValue(forKey: handle) else { return }
        multi.remove(transfer.easy)
        let result = transfer.result(for: code)
        recycle(transfer.easy)
        transfer.completion(result)
    }

    /// Resets and keeps a handle for the next request; surplus handles are freed.
    private func recycle(_ easy: CurlEasy) {
        guard idleHandles.count < settings.maxConnections * 2 else { return }
        easy.reset()
        idleHandles.append(easy)
    }
}
