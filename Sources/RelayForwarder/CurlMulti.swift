// SPDX-License-Identifier: Apache-2.0
internal import CCurl

/// A libcurl multi handle: the connection cache and the event loop for many easy handles.
///
/// Driven by one thread with `perform` → `nextCompleted` → `poll`. Only `wakeup()` may be called
/// from other threads (libcurl documents `curl_multi_wakeup` as thread-safe).
final class CurlMulti {
    let raw: UnsafeMutableRawPointer

    init?() {
        guard let handle = curl_multi_init() else { return nil }
        raw = handle
    }

    /// Every easy handle must have been removed (and may then be cleaned up) before this runs.
    deinit {
        curl_multi_cleanup(raw)
    }

    /// `CURLMOPT_MAX_HOST_CONNECTIONS`: transfers beyond it wait in curl's queue (or share an
    /// HTTP/2 connection) instead of opening more connections to the same host.
    /// Also sizes the idle-connection cache (`CURLMOPT_MAXCONNECTS`) to match, so warm connections
    /// survive quiet moments between batches instead of being closed and re-opened.
    func setMaxHostConnections(_ count: Int) {
        _ = pr_multi_setopt_long(raw, CURLMOPT_MAX_HOST_CONNECTIONS, count)
        _ = pr_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, count)
    }

    /// Starts driving `easy`; false when curl refuses it.
    func add(_ easy: CurlEasy) -> Bool {
        curl_multi_add_handle(raw, easy.raw) == CURLM_OK
    }

    func remove(_ easy: CurlEasy) {
        _ = curl_multi_remove_handle(raw, easy.raw)
    }

    /// Does all I/O that is ready now without blocking; callbacks run inside.
    func perform() {
        var running: Int32 = 0
        _ = curl_multi_perform(raw, &running)
    }

    /// The next finished transfer: its easy handle pointer and result code, or nil when none is left.
    func nextCompleted() -> (easy: UnsafeMutableRawPointer, code: CURLcode)? {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(raw, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            return (easy, message.pointee.data.result)
        }
        return nil
    }

    /// Blocks until a socket is ready, curl's next timer is due, `wakeup()` is called,
    /// or `timeoutMs` passes, whichever is first.
    func poll(timeoutMs: Int) {
        var ready: Int32 = 0
        _ = curl_multi_poll(raw, nil, 0, Int32(timeoutMs), &ready)
    }

    /// Interrupts a `poll` in progress (or the next one). Safe from any thread.
    func wakeup() {
        _ = curl_multi_wakeup(raw)
    }
}
