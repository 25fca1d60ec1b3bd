// SPDX-License-Identifier: Apache-2.0
internal import CCurl

/// The state of one in-flight request: the body curl reads from, the header list, and the
/// response being collected. Lives on the `CurlClient` loop thread only.
///
/// libcurl's write/header callbacks are C function pointers that cannot capture; they get this
/// object back from `WRITEDATA`/`HEADERDATA` (`Unmanaged.passUnretained`), and the loop keeps it
/// alive in its table of active transfers until curl reports the transfer done.
final class CurlTransfer {
    let easy: CurlEasy
    let completion: @Sendable (Result<UpstreamResponse, UpstreamError>) -> Void
    /// The query part of the URL, to scrub from error messages.
    let urlQuery: Substring?
    private let bodyLimit: Int
    /// A private copy of the request body: `CURLOPT_POSTFIELDS` is not copied by curl and a Swift
    /// array's storage address is not guaranteed stable, so we own the bytes until the end.
    private let postBody: UnsafeMutableRawBufferPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?

    private(set) var responseBody: [UInt8] = []
    private(set) var responseHeaders: [(String, String)] = []
    private var headerBytes = 0
    /// Set when the body exceeded `bodyLimit` and the write callback stopped the transfer.
    private(set) var bodyOverflowed = false

    /// Response header sections beyond this are ignored (Graph responses carry a few hundred bytes).
    static let headerByteLimit = 64 * 1024

    init(
        easy: CurlEasy, request: UpstreamRequest, bodyLimit: Int,
        completion: @escaping @Sendable (Result<UpstreamResponse, UpstreamError>) -> Void
    ) {
        self.easy = easy
        self.completion = completion
        self.bodyLimit = bodyLimit
        self.urlQuery = request.url.firstIndex(of: "?").map { request.url[request.url.index(after: $0)...] }
        postBody = .allocate(byteCount: max(1, request.body.count), alignment: 1)
        request.body.withUnsafeBytes { postBody.copyMemory(from: $0) }
    }

    deinit {
        postBody.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// Sets every per-request option on the (freshly reset) easy handle.
    func configure(_ request: UpstreamRequest, settings: CurlClient.Settings) throws(UpstreamError) {
        let timeout = max(1, request.timeoutMs)
        try easy.armErrorBuffer()
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_NOSIGNAL, 1)
        // A transfer still resolving a name is left to its resolver thread instead of joined: a DNS outage
        // must not hold a shutdown past its 10 s budget (curl ≥ 7.87).
        try easy.set(CURLOPT_QUICK_EXIT, 1)
        try easy.set(CURLOPT_PROTOCOLS_STR, settings.protocols)
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, settings.protocols)
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        try easy.set(CURLOPT_TIMEOUT_MS, timeout)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, min(timeout, settings.connectTimeoutMs))
        try easy.set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        // Over TLS, wait for a connection still being set up (ALPN tells within the handshake whether it
        // multiplexes) rather than opening another. Not for plain HTTP: there curl learns it only from the
        // first response, so one hanging request would hold back all others.
        if request.url.utf8.prefix(6).map({ $0 | 0x20 }) == Array("https:".utf8) {
            try easy.set(CURLOPT_PIPEWAIT, 1)
        }
        try easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        try easy.set(CURLOPT_USERAGENT, settings.userAgent)
        try easy.set(CURLOPT_POST, 1)
        try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(request.body.count))
        try easy.set(CURLOPT_POSTFIELDS, pointer: postBody.baseAddress)
        try setHeaders(request.headers)

        let context = Unmanaged.passUnretained(self).toOpaque()
        try easy.set(CURLOPT_WRITEDATA, pointer: context)
        try easy.set(
            CURLOPT_WRITEFUNCTION,
            callback: { data, size, count, context in
                guard let context else { return 0 }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
                return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
            })
        try easy.set(CURLOPT_HEADERDATA, pointer: context)
        try easy.set(
            CURLOPT_HEADERFUNCTION,
            callback: { data, size, count, context in
                guard let context else { return 0 }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
                return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
            })
    }

    private func setHeaders(_ headers: [(String, String)]) throws(UpstreamError) {
        // "Expect:" stops curl from waiting for "100 Continue" before sending larger bodies.
        var list = curl_slist_append(nil, "Expect:")
        for (name, value) in headers {
            // A CR or LF would let a value inject extra header lines.
            guard !name.isEmpty, !(name + value).utf8.contains(where: { $0 == 13 || $0 == 10 }) else {
                if let list { curl_slist_free_all(list) }
                throw .transport(code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue), message: "invalid request header")
            }
            list = curl_slist_append(list, "\(name): \(value)")
        }
        headerList = list
        try easy.set(CURLOPT_HTTPHEADER, list: list)
    }

    /// Write callback: appends up to the limit; returning less than `bytes.count` makes curl abort.
    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard responseBody.count + bytes.count <= bodyLimit else {
            bodyOverflowed = true
            return 0
        }
        responseBody.append(contentsOf: bytes)
        return bytes.count
    }

    /// Header callback: one complete line per call, including the status line and the final blank line.
    private func receiveHeader(_ line: UnsafeRawBufferPointer) -> Int {
        // A new status line starts a new header section (e.g. after "100 Continue"): keep only the last.
        if line.starts(with: "HTTP/".utf8) {
            responseHeaders.removeAll(keepingCapacity: true)
            return line.count
        }
        headerBytes += line.count
        guard headerBytes <= Self.headerByteLimit, let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            return line.count
        }
        let name = String(decoding: line[..<colon].map { $0 | (($0 >= 65 && $0 <= 90) ? 0x20 : 0) }, as: UTF8.self)
        var start = colon + 1
        var end = line.count
        while start < end, Self.isSpace(line[start]) { start += 1 }
        while end > start, Self.isSpace(line[end - 1]) { end -= 1 }
        responseHeaders.append(
            (name, String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<end]), as: UTF8.self)))
        return line.count
    }

    /// Turns curl's final code into the caller's result. Error text never includes the URL's query.
    func result(for code: CURLcode) -> Result<UpstreamResponse, UpstreamError> {
        if code == CURLE_OK {
            return .success(UpstreamResponse(status: easy.responseCode, body: responseBody, headers: responseHeaders))
        }
        if bodyOverflowed {
            return .failure(.transport(code: Int(code.rawValue), message: "response body exceeds \(bodyLimit) bytes"))
        }
        var message = CurlEasy.describe(code)
        let detail = easy.errorDetail
        if !detail.isEmpty, detail != message { message += ": " + detail }
        if let urlQuery, !urlQuery.isEmpty { message = message.replacing(urlQuery, with: "…") }
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timeout)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failure(.connect(message))
        default:
            return .failure(.transport(code: Int(code.rawValue), message: message))
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == 13 || byte == 10
    }
}
