// SPDX-License-Identifier: Apache-2.0
internal import CCurl
import RelayCore
internal import Synchronization

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// The production `UpstreamClient`: libcurl's multi interface driven by one dedicated thread.
///
/// Model: `send` puts the request in a `Mutex`-protected inbox and calls `curl_multi_wakeup`.
/// The loop thread owns the multi handle, every easy handle and every in-flight transfer; it
/// runs `curl_multi_perform` → `curl_multi_info_read` → `curl_multi_poll(…, 1000 ms)`.
/// Completions run **on that thread**: they must not block (hand the result to another queue or
/// signal a waiter), or all transfers stall. Calling `send` from a completion is fine.
///
/// Connections are reused across requests (the multi handle's cache, at most `maxConnections`
/// per host); HTTP/2 is negotiated over TLS, HTTP/1.1 otherwise. Redirects are never followed.
///
/// The application must ignore SIGPIPE (`signal(SIGPIPE, SIG_IGN)` first thing in `main`):
/// with `CURLOPT_NOSIGNAL` set, libcurl no longer does it, and OpenSSL can still write to a
/// closed socket.
public final class CurlClient: UpstreamClient, @unchecked Sendable {
    /// Options fixed for the client's lifetime (read by the loop thread only).
    struct Settings {
        var userAgent: String
        var protocols: String
        var connectTimeoutMs: Int
        var responseBodyLimit: Int
        var maxConnections: Int
    }

    private let loop: CurlLoop
    private let loopThread: pthread_t
    /// Set once the loop thread has been joined (guards against joining twice).
    private let joined = Mutex(false)

    /// Creates the client and starts its thread.
    ///
    /// - Parameters:
    ///   - maxConnections: connections per host (`CURLMOPT_MAX_HOST_CONNECTIONS`); more requests queue.
    ///   - allowPlainHTTP: also allow `http://` URLs (tests and local fakes); otherwise HTTPS only.
    ///   - userAgent: the `User-Agent` header, e.g. `pixelrelay/1.2.0`.
    ///   - connectTimeoutMs: connect deadline (capped by each request's `timeoutMs`).
    ///   - responseBodyLimit: a larger response body fails the transfer with `.transport`.
    /// - Throws: `UpstreamError.transport` when libcurl cannot be initialised or the thread cannot start.
    public init(
        maxConnections: Int = 8, allowPlainHTTP: Bool = false, userAgent: String,
        connectTimeoutMs: Int = 3000, responseBodyLimit: Int = 1 << 20
    ) throws {
        guard CurlGlobal.initResult == 0 else {
            throw UpstreamError.transport(code: CurlGlobal.initResult, message: "curl_global_init failed")
        }
        guard let multi = CurlMulti() else {
            throw UpstreamError.transport(code: -1, message: "curl_multi_init failed")
        }
        let settings = Settings(
            userAgent: userAgent, protocols: allowPlainHTTP ? "https,http" : "https",
            connectTimeoutMs: max(1, connectTimeoutMs), responseBodyLimit: max(0, responseBodyLimit),
            maxConnections: max(1, maxConnections))
        multi.setMaxHostConnections(settings.maxConnections)
        loop = CurlLoop(multi: multi, settings: settings)

        var tid = pthread_t()
        let context = Unmanaged.passRetained(loop).toOpaque()
        let rc = pthread_create(
            &tid, nil,
            { context in
                let loop = Unmanaged<CurlLoop>.fromOpaque(context!).takeRetainedValue()
                OSThread.nameCurrentThread("curl")
                loop.run()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<CurlLoop>.fromOpaque(context).release()
            throw UpstreamError.transport(code: -1, message: "pthread_create failed: \(rc)")
        }
        loopThread = tid
    }

    deinit {
        if pthread_equal(loopThread, pthread_self()) != 0 {
            // The last reference went away inside a completion: nobody is left to join the thread,
            // so let it finish and clean up on its own.
            loop.close()
            pthread_detach(loopThread)
        } else {
            shutdown()
        }
    }

    /// Queues `request`; `completion` runs once on the client's thread (or right here with
    /// `.cancelled` after `shutdown`). It must not block.
    public func send(
        _ request: UpstreamRequest, completion: @escaping @Sendable (Result<UpstreamResponse, UpstreamError>) -> Void
    ) {
        if !loop.submit(request, completion: completion) {
            completion(.failure(.cancelled))
        }
    }

    /// Aborts in-flight transfers with `.cancelled`, stops and joins the thread. Idempotent.
    /// Called from inside a completion it only asks the loop to stop (a thread cannot join itself).
    public func shutdown() {
        loop.close()
        // Checked before taking the lock: a completion calling shutdown while another thread holds
        // the lock to join this very thread must not wait for it.
        guard pthread_equal(loopThread, pthread_self()) == 0 else { return }
        joined.withLock { joined in
            guard !joined else { return }
            pthread_join(loopThread, nil)
            joined = true
        }
    }
}
