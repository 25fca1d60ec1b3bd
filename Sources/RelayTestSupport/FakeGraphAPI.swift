import Dispatch
// SPDX-License-Identifier: Apache-2.0
public import RelayCore
import RelayHTTP
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A fake Graph API on the project's own HTTP server (port 0), for tests: validates requests the way
/// Meta does (capi.md §1–3, §10) and can be scripted to fail (5xx, throttling, token errors, code 100,
/// hangs, resets, slow answers).
public final class FakeGraphAPI: HTTPResponder, @unchecked Sendable {
    /// One scripted answer, used for the next request.
    public enum Behaviour: Sendable {
        case status(Int, body: String)
        case graphError(http: Int, code: Int, subcode: Int? = nil, transient: Bool = false)
        case hang(ms: Int)
        case reset
        case slow(ms: Int)
        /// Answers `status` with extra headers (e.g. `Retry-After`) and `body`, without validating.
        case respond(status: Int, headers: [(String, String)], body: String)
        /// Validates and records like a normal request, and adds these headers to the answer
        /// (e.g. `X-App-Usage` near the limit).
        case validWithHeaders([(String, String)])
    }

    /// An event Meta "received".
    public struct Received: Sendable {
        public var pixelID: String
        public var eventID: String
        public var eventName: String
        public var event: JSONValue
        public var testEventCode: String?
        public var partnerAgent: String?
    }

    struct State {
        var script: [Behaviour] = []
        var always: Behaviour?
        var received: [Received] = []
        var requests = 0
        var rejectEventIDs: Set<String> = []
        var rawBodies: [String] = []
        var counted = 0
    }

    private let state = Mutex(State())
    private var server: HTTPServer!
    /// The token the fake accepts.
    public let validToken: String
    /// Benchmark mode: see `init`.
    let countOnly: Bool
    private let tokenMember: [UInt8]
    private static let eventMarker = Array("{\"event_name\":".utf8)

    /// - Parameters:
    ///   - validToken: the only access token accepted (others get code 190).
    ///   - port: 0 for any free port; a fixed one lets a test start the fake where a client already
    ///     points (connection refused until then).
    ///   - countOnly: for `make bench`, where the fake shares the load generator's core: it checks the
    ///     token, counts the events and answers like Meta, and keeps and validates nothing (parsing
    ///     and keeping every event cost ≈ 5 µs each there, taken from the load generator).
    public init(validToken: String = "test-token", port: Int = 0, countOnly: Bool = false) throws {
        self.validToken = validToken
        self.countOnly = countOnly
        tokenMember = Array("\"access_token\":\"\(validToken)\"".utf8)
        var config = HTTPServer.Configuration()
        config.host = "127.0.0.1"
        config.port = port
        config.limits.maxBodyBytes = 8 << 20
        server = HTTPServer(configuration: config, responder: self)
        try server.start()
    }

    /// `http://127.0.0.1:PORT`
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    public func stop() { server.shutdown(graceMs: 100) }

    /// Queues behaviours for the next requests (then back to normal, or to `always`).
    public func script(_ behaviours: [Behaviour]) { state.withLock { $0.script.append(contentsOf: behaviours) } }
    /// A behaviour for every request until cleared with nil.
    public func setAlways(_ b: Behaviour?) { state.withLock { $0.always = b } }
    /// Requests containing any of these event ids are rejected with code 100 (like one invalid event).
    public func rejectEvents(_ ids: Set<String>) { state.withLock { $0.rejectEventIDs = ids } }

    public var received: [Received] { state.withLock { $0.received } }
    /// Events answered as received in count-only mode.
    public var countedEvents: Int { state.withLock { $0.counted } }
    public var requestCount: Int { state.withLock { $0.requests } }
    public var rawBodies: [String] { state.withLock { $0.rawBodies } }

    public func respond(to request: HTTPRequest, connection: ConnectionInfo, writer: ResponseWriter) {
        if countOnly {
            writer.send(count(request))
            return
        }
        let behaviour: Behaviour? = state.withLock { s in
            s.requests += 1
            s.rawBodies.append(String(decoding: request.body, as: UTF8.self))
            return s.script.isEmpty ? s.always : s.script.removeFirst()
        }
        switch behaviour {
        case .status(let code, let body)?:
            writer.send(HTTPResponse(status: code, contentType: "application/json", body: body))
        case .graphError(let http, let code, let subcode, let transient)?:
            writer.send(
                Self.error(http: http, code: code, subcode: subcode, message: "scripted error", transient: transient))
        case .hang(let ms)?:
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms)) {
                writer.send(HTTPResponse(status: 500, contentType: "application/json", body: "{}"))
            }
        case .reset?:
            writer.send(HTTPResponse(status: 500, body: [], close: true, abort: true))
        case .slow(let ms)?:
            let answer = validate(request)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms)) { writer.send(answer) }
        case .respond(let status, let headers, let body)?:
            let extra = headers.map { (name: $0.0, value: $0.1) }
            writer.send(HTTPResponse(status: status, contentType: "application/json", body: body, headers: extra))
        case .validWithHeaders(let headers)?:
            var answer = validate(request)
            answer.headers += headers.map { ($0.0, $0.1) }
            writer.send(answer)
        case nil:
            writer.send(validate(request))
        }
    }

    /// Validates like Meta and records the events when the whole request is valid.
    func validate(_ request: HTTPRequest) -> HTTPResponse {
        let parts = request.path.split(separator: "/")
        guard request.method == .post, parts.count == 3, parts[2] == "events" else {
            return Self.error(http: 404, code: 803, message: "Unknown path components")
        }
        let pixel = String(parts[1])
        // Meta documents no body limit; the worker's default byte budget is 2 MiB.
        guard let body = try? JSONParser.parse(request.body, limits: JSONLimits(maxBytes: 8 << 20)) else {
            return Self.error(http: 400, code: 100, message: "Invalid JSON")
        }
        guard case .string(let token)? = body["access_token"], token == validToken else {
            return Self.error(http: 400, code: 190, subcode: 463, message: "Invalid OAuth access token")
        }
        guard case .array(let data)? = body["data"], !data.isEmpty else {
            return Self.error(http: 400, code: 100, message: "The parameter data is required")
        }
        guard data.count <= 1000 else { return Self.error(http: 400, code: 100, message: "Too many events") }
        let rejected = state.withLock { $0.rejectEventIDs }
        var events: [Received] = []
        for event in data {
            guard case .string(let name)? = event["event_name"], case .number(let t)? = event["event_time"],
                let time = Int64(t)
            else {
                return Self.error(
                    http: 400, code: 100, subcode: 2_804_003, message: "event_name and event_time are required")
            }
            if time < wallClockSeconds() - 7 * 24 * 3600 {
                return Self.error(
                    http: 400, code: 100, subcode: 2_804_003, message: "event_time is more than 7 days old")
            }
            guard case .string(let source)? = event["action_source"] else {
                return Self.error(http: 400, code: 100, message: "action_source is required")
            }
            if source == "website" {
                guard event["event_source_url"]?.stringValue != nil,
                    event["user_data"]?["client_user_agent"]?.stringValue != nil
                else {
                    return Self.error(
                        http: 400, code: 100, subcode: 2_804_019,
                        message: "website events need event_source_url and client_user_agent")
                }
            }
            if case .object(let ud)? = event["user_data"] {
                for key in ["em", "ph", "fn", "ln", "db", "ge", "ct", "st", "zp", "country", "external_id"] {
                    guard let v = ud[key] else { continue }
                    guard case .array(let hashes) = v, hashes.allSatisfy({ Self.isHash($0.stringValue) }) else {
                        return Self.error(
                            http: 400, code: 100, subcode: 2_804_050, message: "user_data.\(key) must be SHA-256 hashes"
                        )
                    }
                }
            }
            let id = event["event_id"]?.stringValue ?? ""
            if rejected.contains(id) {
                return Self.error(http: 400, code: 100, subcode: 2_804_050, message: "Invalid parameter in event \(id)")
            }
            events.append(
                Received(
                    pixelID: pixel, eventID: id, eventName: name, event: event,
                    testEventCode: body["test_event_code"]?.stringValue,
                    partnerAgent: body["partner_agent"]?.stringValue))
        }
        state.withLock { $0.received.append(contentsOf: events) }
        return HTTPResponse(
            status: 200, contentType: "application/json",
            body: "{\"events_received\":\(events.count),\"messages\":[],\"fbtrace_id\":\"FAKE\(events.count)\"}")
    }

    /// Count-only mode: the token must be there; each event starts with `{"event_name":` (how the
    /// forwarder writes them).
    func count(_ request: HTTPRequest) -> HTTPResponse {
        let body = request.body
        guard request.method == .post, Self.occurrences(of: tokenMember, in: body, max: 1) == 1 else {
            return Self.error(http: 400, code: 190, subcode: 463, message: "Invalid OAuth access token")
        }
        let events = Self.occurrences(of: Self.eventMarker, in: body, max: .max)
        guard events > 0 else { return Self.error(http: 400, code: 100, message: "The parameter data is required") }
        state.withLock {
            $0.requests += 1
            $0.counted += events
        }
        return HTTPResponse(
            status: 200, contentType: "application/json",
            body: "{\"events_received\":\(events),\"messages\":[],\"fbtrace_id\":\"FAKE\(events)\"}")
    }

    static func occurrences(of needle: [UInt8], in haystack: [UInt8], max: Int) -> Int {
        guard let first = needle.first, haystack.count >= needle.count else { return 0 }
        var found = 0
        var i = 0
        let last = haystack.count - needle.count
        while i <= last, found < max {
            if haystack[i] == first, haystack[i..<i + needle.count].elementsEqual(needle) {
                found += 1
                i += needle.count
            } else {
                i += 1
            }
        }
        return found
    }

    static func isHash(_ s: String?) -> Bool {
        guard let s, s.utf8.count == 64 else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    static func error(http: Int, code: Int, subcode: Int? = nil, message: String, transient: Bool = false)
        -> HTTPResponse
    {
        let sub = subcode.map { ",\"error_subcode\":\($0)" } ?? ""
        return HTTPResponse(
            status: http, contentType: "application/json",
            body:
                "{\"error\":{\"message\":\"\(message)\",\"type\":\"OAuthException\",\"code\":\(code)\(sub),\"is_transient\":\(transient),\"fbtrace_id\":\"FAKETRACE\"}}"
        )
    }
}

/// Wall-clock Unix seconds.
public func wallClockSeconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec)
}
