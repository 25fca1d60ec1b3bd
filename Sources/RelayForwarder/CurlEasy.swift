// SPDX-License-Identifier: Apache-2.0
internal import CCurl

/// `curl_global_init` exactly once per process, before the first handle is made.
///
/// Swift initialises a static `let` lazily under `swift_once`, which makes this thread-safe.
enum CurlGlobal {
    /// The `CURLcode` of the one `curl_global_init` call (0 = OK).
    static let initResult: Int = Int(curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue)
}

/// A libcurl easy handle: one transfer's options and state.
///
/// `CURL *` and `CURLM *` both import as `UnsafeMutableRawPointer`, so each gets its own type to
/// keep them apart. Not thread-safe: only the `CurlClient` loop thread touches an easy handle.
/// Handles are pooled and `reset()` between transfers (connections live in the multi handle's
/// cache, so reuse does not depend on the easy handle, but pooling avoids re-allocating).
final class CurlEasy {
    let raw: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER`: curl writes a detailed message here on failure; lives as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        raw = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Clears every option (curl keeps its DNS and TLS session caches) so the handle can be reused.
    func reset() {
        curl_easy_reset(raw)
    }

    func set(_ option: CURLoption, _ value: Int) throws(UpstreamError) {
        try check(pr_easy_setopt_long(raw, option, value), option)
    }

    /// String options are copied by libcurl (since 7.17), so the Swift string may go away after the call.
    func set(_ option: CURLoption, _ value: String) throws(UpstreamError) {
        let code = value.withCString { pr_easy_setopt_str(raw, option, $0) }
        try check(code, option)
    }

    /// The pointer is not copied: the caller keeps the memory alive until the transfer ends.
    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(UpstreamError) {
        try check(pr_easy_setopt_ptr(raw, option, pointer), option)
    }

    func set(_ option: CURLoption, offset: Int64) throws(UpstreamError) {
        try check(pr_easy_setopt_off(raw, option, curl_off_t(offset)), option)
    }

    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) throws(UpstreamError) {
        try check(pr_easy_setopt_slist(raw, option, list), option)
    }

    func set(_ option: CURLoption, callback: pr_write_cb) throws(UpstreamError) {
        try check(pr_easy_setopt_writefn(raw, option, callback), option)
    }

    /// Points `CURLOPT_ERRORBUFFER` at this handle's buffer and clears it (needed again after `reset`).
    func armErrorBuffer() throws(UpstreamError) {
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    /// The detailed message of the last failure, or "" when curl wrote none.
    var errorDetail: String {
        errorBuffer[Int(CURL_ERROR_SIZE) - 1] = 0
        return String(cString: errorBuffer)
    }

    /// The last response's HTTP status (0 when none was received).
    var responseCode: Int {
        var code = 0
        _ = pr_easy_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(UpstreamError) {
        guard code != CURLE_OK else { return }
        throw .transport(code: Int(code.rawValue), message: "\(CurlEasy.describe(code)) (option \(option.rawValue))")
    }

    /// `curl_easy_strerror` as a Swift string.
    static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}
