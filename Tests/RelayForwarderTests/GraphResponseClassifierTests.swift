// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayForwarder

/// The outcome without its free-text reason, so rows compare decisions and parsed fields.
private enum Decision: Equatable {
    case delivered(GraphSuccess)
    case retry(GraphError?, retryAfterMs: Int?)
    case invalid(GraphError)
    case pause(GraphError)
    case mismatch(expected: Int, received: Int)

    init(_ outcome: GraphOutcome) {
        switch outcome {
        case .delivered(let s): self = .delivered(s)
        case .retry(_, let e, let ms): self = .retry(e, retryAfterMs: ms)
        case .invalidPayload(let e): self = .invalid(e)
        case .pause(_, let e): self = .pause(e)
        case .mismatch(let x, let r): self = .mismatch(expected: x, received: r)
        }
    }
}

private struct Row: CustomTestStringConvertible, Sendable {
    var name: String
    var result: Result<UpstreamResponse, UpstreamError>
    var batchSize = 3
    var expected: @Sendable () -> Decision
    var testDescription: String { name }
}

private func response(_ status: Int, _ body: String, _ headers: [(String, String)] = []) -> Result<
    UpstreamResponse, UpstreamError
> {
    .success(UpstreamResponse(status: status, body: Array(body.utf8), headers: headers))
}

/// A Graph error body with the usual fields.
private func errorBody(code: Int, subcode: Int? = nil, transient: Bool? = nil) -> String {
    var fields = [#""message":"msg""#, #""type":"OAuthException""#, "\"code\":\(code)", #""fbtrace_id":"TRACE""#]
    if let subcode { fields.append("\"error_subcode\":\(subcode)") }
    if let transient { fields.append("\"is_transient\":\(transient)") }
    return "{\"error\":{" + fields.joined(separator: ",") + "}}"
}

/// The GraphError `errorBody` parses to.
private func parsed(_ status: Int, code: Int, subcode: Int? = nil, transient: Bool? = nil) -> GraphError {
    GraphError(
        httpStatus: status, code: code, subcode: subcode, type: "OAuthException", message: "msg",
        isTransient: transient, fbtraceID: "TRACE")
}

private func graphRow(
    _ status: Int, code: Int, subcode: Int? = nil, transient: Bool? = nil,
    _ decision: @escaping @Sendable (GraphError) -> Decision
) -> Row {
    let label =
        "HTTP \(status) code \(code)" + (subcode.map { "/\($0)" } ?? "") + (transient.map { " transient=\($0)" } ?? "")
    return Row(name: label, result: response(status, errorBody(code: code, subcode: subcode, transient: transient))) {
        decision(parsed(status, code: code, subcode: subcode, transient: transient))
    }
}

private let retryRow: @Sendable (GraphError) -> Decision = { .retry($0, retryAfterMs: nil) }
private let pauseRow: @Sendable (GraphError) -> Decision = { .pause($0) }
private let invalidRow: @Sendable (GraphError) -> Decision = { .invalid($0) }

/// capi.md §10.3, one or more rows per table line, plus edge cases.
private let rows: [Row] = [
    // HTTP 5xx, timeout, connection error → retry.
    Row(name: "timeout", result: .failure(.timeout)) { .retry(nil, retryAfterMs: nil) },
    Row(name: "connection refused", result: .failure(.connect("refused"))) { .retry(nil, retryAfterMs: nil) },
    Row(name: "reset", result: .failure(.transport(code: 56, message: "reset"))) { .retry(nil, retryAfterMs: nil) },
    Row(name: "client shut down", result: .failure(.cancelled)) { .retry(nil, retryAfterMs: nil) },
    Row(name: "HTTP 500 empty", result: response(500, "")) { .retry(GraphError(httpStatus: 500), retryAfterMs: nil) },
    Row(name: "HTTP 502 html", result: response(502, "<html>bad gateway</html>")) {
        .retry(GraphError(httpStatus: 502), retryAfterMs: nil)
    },
    Row(name: "HTTP 503 Retry-After", result: response(503, "", [("retry-after", "7")])) {
        .retry(GraphError(httpStatus: 503), retryAfterMs: 7000)
    },
    graphRow(500, code: 2, retryRow),
    // is_transient → retry (even over code 100).
    graphRow(400, code: 9999, transient: true, retryRow),
    graphRow(400, code: 100, subcode: 2804050, transient: true, retryRow),
    // 1, 2 → retry.
    graphRow(400, code: 1, retryRow),
    graphRow(400, code: 2, retryRow),
    // Throttling → retry.
    graphRow(400, code: 4, retryRow),
    graphRow(400, code: 17, subcode: 2446079, retryRow),
    graphRow(400, code: 32, retryRow),
    graphRow(400, code: 341, retryRow),
    graphRow(400, code: 613, subcode: 1487742, retryRow),
    graphRow(400, code: 80000, retryRow),
    graphRow(400, code: 80004, retryRow),
    graphRow(400, code: 80014, retryRow),
    graphRow(400, code: 80015, invalidRow),
    Row(name: "HTTP 429 empty", result: response(429, "")) { .retry(GraphError(httpStatus: 429), retryAfterMs: nil) },
    // Pause rows.
    graphRow(400, code: 368, pauseRow),
    graphRow(400, code: 190, pauseRow),
    graphRow(400, code: 190, subcode: 458, pauseRow),
    graphRow(400, code: 190, subcode: 459, pauseRow),
    graphRow(400, code: 190, subcode: 460, pauseRow),
    graphRow(401, code: 190, subcode: 463, pauseRow),
    graphRow(400, code: 190, subcode: 464, pauseRow),
    graphRow(400, code: 190, subcode: 467, pauseRow),
    graphRow(400, code: 102, pauseRow),
    graphRow(403, code: 10, pauseRow),
    graphRow(403, code: 200, pauseRow),
    graphRow(403, code: 250, pauseRow),
    graphRow(403, code: 299, pauseRow),
    graphRow(400, code: 3, pauseRow),
    graphRow(400, code: 294, pauseRow),
    graphRow(400, code: 100, subcode: 33, pauseRow),
    graphRow(500, code: 190, pauseRow),
    // Code 100 (other subcodes) → invalid payload.
    graphRow(400, code: 100, subcode: 2804050, invalidRow),
    graphRow(400, code: 100, invalidRow),
    graphRow(400, code: 100, subcode: 33, transient: false, pauseRow),
    // Other 4xx → invalid payload.
    graphRow(400, code: 12345, invalidRow),
    graphRow(403, code: 12345, invalidRow),
    // A 4xx without a Graph error is no verdict on the events (a proxy, a firewall): pause, except 413.
    Row(name: "HTTP 400 empty", result: response(400, "")) { .pause(GraphError(httpStatus: 400)) },
    Row(name: "HTTP 413 empty", result: response(413, "")) { .invalid(GraphError(httpStatus: 413)) },
    Row(name: "HTTP 422 text", result: response(422, "nope")) { .pause(GraphError(httpStatus: 422)) },
    Row(name: "HTTP 415 empty", result: response(415, "")) { .pause(GraphError(httpStatus: 415)) },
    // Not a Graph answer: wrong URL or credentials at a proxy → pause, never bisect.
    Row(name: "HTTP 401 empty", result: response(401, "")) { .pause(GraphError(httpStatus: 401)) },
    Row(name: "HTTP 403 html", result: response(403, "<h1>Forbidden</h1>")) { .pause(GraphError(httpStatus: 403)) },
    Row(name: "HTTP 404 empty", result: response(404, "")) { .pause(GraphError(httpStatus: 404)) },
    Row(name: "HTTP 405 empty", result: response(405, "")) { .pause(GraphError(httpStatus: 405)) },
    Row(name: "HTTP 407 empty", result: response(407, "")) { .pause(GraphError(httpStatus: 407)) },
    Row(name: "HTTP 301 redirect", result: response(301, "", [("location", "https://x")])) {
        .pause(GraphError(httpStatus: 301))
    },
    Row(name: "HTTP 408", result: response(408, "")) { .retry(GraphError(httpStatus: 408), retryAfterMs: nil) },
    // Success and mismatch.
    Row(name: "200 all received", result: response(200, #"{"events_received":3,"messages":["w1"],"fbtrace_id":"T1"}"#))
    {
        .delivered(GraphSuccess(eventsReceived: 3, messages: ["w1"], fbtraceID: "T1"))
    },
    Row(name: "200 fewer received", result: response(200, #"{"events_received":2}"#)) {
        .mismatch(expected: 3, received: 2)
    },
    Row(name: "200 more received", result: response(200, #"{"events_received":4}"#)) {
        .mismatch(expected: 3, received: 4)
    },
    // A 2xx that does not count events is no Graph answer (a proxy, a wrong base URL): pause, drop nothing.
    Row(name: "200 empty body", result: response(200, "")) { .pause(GraphError(httpStatus: 200)) },
    Row(name: "204 no content", result: response(204, "")) { .pause(GraphError(httpStatus: 204)) },
    Row(name: "200 html", result: response(200, "<html>ok</html>")) { .pause(GraphError(httpStatus: 200)) },
    Row(name: "200 JSON without events_received", result: response(200, #"{"success":true,"fbtrace_id":"F"}"#)) {
        .pause(GraphError(httpStatus: 200, fbtraceID: "F"))
    },
    Row(name: "200 events_received as string", result: response(200, #"{"events_received":"3"}"#)) {
        .delivered(GraphSuccess(eventsReceived: 3))
    },
    graphRow(200, code: 190, pauseRow),
    graphRow(200, code: 99999, retryRow),
    // Malformed bodies: classified by status, never a crash.
    Row(name: "400 truncated JSON", result: response(400, #"{"error":{"code":19"#)) {
        .pause(GraphError(httpStatus: 400))
    },
    Row(name: "500 truncated JSON", result: response(500, #"{"error":"#)) {
        .retry(GraphError(httpStatus: 500), retryAfterMs: nil)
    },
    Row(name: "400 error is a string", result: response(400, #"{"error":"bad"}"#)) {
        .pause(GraphError(httpStatus: 400))
    },
    Row(name: "400 body is an array", result: response(400, "[1,2]")) { .pause(GraphError(httpStatus: 400)) },
    Row(name: "400 code is a boolean", result: response(400, #"{"error":{"code":true}}"#)) {
        .pause(GraphError(httpStatus: 400))
    },
    Row(name: "400 code as string", result: response(400, #"{"error":{"code":"190"}}"#)) {
        .pause(GraphError(httpStatus: 400, code: 190))
    },
    Row(name: "400 is_transient as string", result: response(400, #"{"error":{"code":5000,"is_transient":"true"}}"#)) {
        .retry(GraphError(httpStatus: 400, code: 5000, isTransient: true), retryAfterMs: nil)
    },
    Row(
        name: "400 all fields, trace at top level",
        result: response(
            400,
            #"{"error":{"code":100,"error_subcode":2804050,"error_user_title":"T","error_user_msg":"U","error_data":{"blame_field_specs":[["user_data"]]}},"fbtrace_id":"TOP"}"#
        )
    ) {
        .invalid(
            GraphError(httpStatus: 400, code: 100, subcode: 2804050, fbtraceID: "TOP", userTitle: "T", userMessage: "U")
        )
    },
    Row(name: "200 binary garbage", result: .success(UpstreamResponse(status: 200, body: [0xFF, 0xFE, 0x00, 0x7B]))) {
        .pause(GraphError(httpStatus: 200))
    },
    Row(name: "400 binary garbage", result: .success(UpstreamResponse(status: 400, body: [0xFF, 0xFE, 0x00, 0x7B]))) {
        .pause(GraphError(httpStatus: 400))
    },
    // Usage headers feed retryAfterMs.
    Row(
        name: "429 with business use case estimate",
        result: response(
            429, "",
            [
                (
                    "x-business-use-case-usage",
                    #"{"123":[{"type":"ads_management","call_count":100,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":5}]}"#
                )
            ])
    ) {
        .retry(GraphError(httpStatus: 429), retryAfterMs: 300_000)
    },
    Row(
        name: "613 with app usage at 96 %",
        result: response(
            400, errorBody(code: 613), [("x-app-usage", #"{"call_count":96,"total_cputime":10,"total_time":12}"#)])
    ) {
        .retry(parsed(400, code: 613), retryAfterMs: 60_000)
    },
    Row(
        name: "80004 with Retry-After and estimate takes the longer",
        result: response(
            400, errorBody(code: 80004),
            [("retry-after", "600"), ("x-business-use-case-usage", #"{"1":[{"estimated_time_to_regain_access":2}]}"#)])
    ) {
        .retry(parsed(400, code: 80004), retryAfterMs: 600_000)
    },
    Row(
        name: "429 with malformed usage headers",
        result: response(
            429, "",
            [
                ("x-app-usage", "{call_count"), ("x-business-use-case-usage", "[]"),
                ("retry-after", "Wed, 21 Oct 2026 07:28:00 GMT"),
            ])
    ) {
        .retry(GraphError(httpStatus: 429), retryAfterMs: nil)
    },
]

@Suite("Graph response classification (capi.md §10.3)")
struct GraphResponseClassifierTests {
    @Test("each response maps to the documented action", arguments: rows)
    fileprivate func classify(row: Row) {
        let outcome = GraphResponseClassifier.classify(row.result, batchSize: row.batchSize)
        #expect(Decision(outcome) == row.expected())
        switch outcome {
        case .retry(let reason, _, _), .pause(let reason, _): #expect(!reason.isEmpty)
        default: break
        }
    }

    @Test(
        "throttling errors are flagged so the worker picks the throttle policy",
        arguments: [
            (429, nil, true), (400, 4, true), (400, 17, true), (400, 32, true), (400, 341, true), (400, 613, true),
            (400, 80000, true), (400, 80014, true), (400, 80015, false), (400, 1, false), (500, nil, false),
            (400, 100, false),
        ] as [(Int, Int?, Bool)])
    func throttling(status: Int, code: Int?, expected: Bool) {
        #expect(GraphError(httpStatus: status, code: code).isThrottling == expected)
    }

    @Test("the error summary names status, code, subcode and type but is built only from the response")
    func summary() {
        let error = parsed(400, code: 100, subcode: 2804050)
        #expect(error.summary == "HTTP 400, code 100/2804050 (OAuthException): msg")
        #expect(GraphError(httpStatus: 503).summary == "HTTP 503")
    }
}

@Suite("Graph usage headers (capi.md §10.4)")
struct GraphUsageTests {
    @Test(
        "usage percentages and estimates turn into a suggested delay",
        arguments: [
            ([("x-app-usage", #"{"call_count":50,"total_cputime":10,"total_time":12}"#)], nil),
            ([("x-app-usage", #"{"call_count":50,"total_cputime":95,"total_time":12}"#)], 60_000),
            ([("x-app-usage", #"{"call_count":100,"total_cputime":10,"total_time":12}"#)], 300_000),
            ([("x-business-use-case-usage", #"{"1":[{"call_count":10,"estimated_time_to_regain_access":0}]}"#)], nil),
            (
                [
                    (
                        "x-business-use-case-usage",
                        #"{"1":[{"estimated_time_to_regain_access":0}],"2":[{"call_count":97,"estimated_time_to_regain_access":3}]}"#
                    )
                ], 180_000
            ),
            ([("x-business-use-case-usage", #"{"1":{"estimated_time_to_regain_access":"4"}}"#)], 240_000),
            ([("retry-after", " 30 ")], 30_000),
            ([("retry-after", "-5")], nil),
            // A hint too large to multiply saturates (the forwarder then waits its longest), not wraps.
            ([("retry-after", "9223372036854775807")], Int.max),
            (
                [("x-business-use-case-usage", #"{"1":[{"estimated_time_to_regain_access":9223372036854775807}]}"#)],
                Int.max
            ),
            ([("x-app-usage", "not json"), ("x-business-use-case-usage", "{\"1\": 7}")], nil),
            ([], nil),
        ] as [([(String, String)], Int?)])
    func suggestedDelay(headers: [(String, String)], expected: Int?) {
        #expect(GraphUsage(headers: headers).suggestedDelayMs == expected)
    }

    @Test("parsed fields keep the highest value seen")
    func fields() {
        let usage = GraphUsage(headers: [
            ("x-app-usage", #"{"call_count":12.5,"total_cputime":40,"total_time":3}"#),
            (
                "x-business-use-case-usage",
                #"{"1":[{"call_count":20,"estimated_time_to_regain_access":1},{"total_time":70,"estimated_time_to_regain_access":9}]}"#
            ),
            ("retry-after", "12"),
        ])
        #expect(usage == GraphUsage(headers: []).with(app: 40, business: 70, regain: 9, retryAfter: 12))
    }
}

extension GraphUsage {
    fileprivate func with(app: Double?, business: Double?, regain: Int?, retryAfter: Int?) -> GraphUsage {
        var copy = self
        copy.appUsagePercent = app
        copy.businessUsagePercent = business
        copy.regainAccessMinutes = regain
        copy.retryAfterSeconds = retryAfter
        return copy
    }
}
