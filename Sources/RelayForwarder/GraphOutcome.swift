// SPDX-License-Identifier: Apache-2.0

/// Meta's error object (`{"error": {...}}`, capi.md §10.2), plus the HTTP status it came with.
///
/// Every field except `httpStatus` is optional: bodies from proxies or malformed bodies carry none.
/// Branch on `code`/`subcode` only; `message` wording changes without notice.
public struct GraphError: Sendable, Equatable {
    /// The HTTP status of the response.
    public var httpStatus: Int
    /// `error.code`.
    public var code: Int?
    /// `error.error_subcode`.
    public var subcode: Int?
    /// `error.type`, e.g. `OAuthException`.
    public var type: String?
    /// `error.message` (for logs and dead letters; never branch on it).
    public var message: String?
    /// `error.is_transient`.
    public var isTransient: Bool?
    /// `error.fbtrace_id` (or the top-level one): quote it to Meta support.
    public var fbtraceID: String?
    /// `error.error_user_title`.
    public var userTitle: String?
    /// `error.error_user_msg`.
    public var userMessage: String?

    /// Memberwise initialiser; all Graph fields default to nil.
    public init(
        httpStatus: Int, code: Int? = nil, subcode: Int? = nil, type: String? = nil, message: String? = nil,
        isTransient: Bool? = nil, fbtraceID: String? = nil, userTitle: String? = nil, userMessage: String? = nil
    ) {
        self.httpStatus = httpStatus
        self.code = code
        self.subcode = subcode
        self.type = type
        self.message = message
        self.isTransient = isTransient
        self.fbtraceID = fbtraceID
        self.userTitle = userTitle
        self.userMessage = userMessage
    }

    /// True for rate limiting (HTTP 429 or Graph codes 4, 17, 32, 341, 613, 80000–80014): retry with
    /// `RetryPolicy.throttle` rather than `RetryPolicy.standard`.
    public var isThrottling: Bool {
        if httpStatus == 429 { return true }
        guard let code else { return false }
        return Self.throttlingCodes.contains(code) || (80000...80014).contains(code)
    }

    static let throttlingCodes: Set<Int> = [4, 17, 32, 341, 613]

    /// A one-line description for logs and dead letters: `HTTP 400, code 100/2804050 (OAuthException): …`.
    public var summary: String {
        var text = "HTTP \(httpStatus)"
        if let code { text += ", code \(code)" + (subcode.map { "/\($0)" } ?? "") }
        if let type { text += " (\(type))" }
        if let message { text += ": " + message }
        return text
    }
}

/// A successful CAPI response: `{"events_received": n, "messages": [...], "fbtrace_id": "..."}`.
public struct GraphSuccess: Sendable, Equatable {
    /// `events_received`; nil when a 2xx body did not carry it (unparseable or unexpected body).
    public var eventsReceived: Int?
    /// `messages`: warnings from Meta; log them.
    public var messages: [String]
    /// `fbtrace_id`.
    public var fbtraceID: String?

    /// Memberwise initialiser.
    public init(eventsReceived: Int?, messages: [String] = [], fbtraceID: String? = nil) {
        self.eventsReceived = eventsReceived
        self.messages = messages
        self.fbtraceID = fbtraceID
    }
}

/// What the forwarder should do with a batch after one POST (capi.md §10.3, reliability.md F1–F4).
public enum GraphOutcome: Sendable, Equatable {
    /// 2xx and `events_received` equals the batch size. (A 2xx without `events_received` is no
    /// Graph answer: it is a ``pause(reason:error:)``, so nothing is dropped on a stranger's word.)
    case delivered(GraphSuccess)
    /// Send the same batch again later (5xx, timeout, transport error, `is_transient`, codes 1/2,
    /// throttling). `error` is nil only when no response arrived. `retryAfterMs` is the server's
    /// hint (Retry-After, `estimated_time_to_regain_access`, usage ≥ 95 %); pick
    /// `RetryPolicy.throttle` when `error?.isThrottling == true`, else `RetryPolicy.standard`.
    case retry(reason: String, error: GraphError?, retryAfterMs: Int?)
    /// Meta rejected the payload (code 100 except subcode 33, other client errors): one bad event
    /// fails the whole batch, so bisect it and dead-letter the events that fail alone.
    case invalidPayload(GraphError)
    /// Configuration or account problem (token 190/102, permissions 10/3/294/200–299, 100/33,
    /// policy block 368, or an endpoint that refuses us): keep the events, pause the pixel, alert.
    case pause(reason: String, error: GraphError)
    /// 2xx but `events_received` differs from the batch size. Meta accepted the request, so do not
    /// resend (it would loop if Meta keeps counting differently): treat the batch as delivered,
    /// and log the difference and count it in a metric.
    case mismatch(expected: Int, received: Int)
}
