// SPDX-License-Identifier: Apache-2.0
internal import RelayCore

/// Maps one upstream result to what the forwarder does next (capi.md §10.3).
///
/// Order of decisions: transport failures retry; a 2xx without an `error` object is success when it
/// counts `events_received` (and pauses the pixel when it does not: that is no Graph answer);
/// otherwise Graph's `code`/`error_subcode` decide (pause, throttle, retry, invalid payload), then
/// `is_transient`, then the HTTP status. A body that is not JSON is classified by status alone.
public enum GraphResponseClassifier {
    /// Codes that need a person to act (token, permissions, policy): pause the pixel, keep the events.
    static let pauseCodes: Set<Int> = [190, 102, 10, 3, 294, 368]
    /// "Unknown error, possibly downtime" and "service temporarily unavailable".
    static let retryCodes: Set<Int> = [1, 2]

    /// - Parameters:
    ///   - result: what the `UpstreamClient` returned for the POST.
    ///   - batchSize: how many events the request's `data` array held.
    public static func classify(_ result: Result<UpstreamResponse, UpstreamError>, batchSize: Int) -> GraphOutcome {
        let response: UpstreamResponse
        switch result {
        case .failure(let failure): return .retry(reason: reason(for: failure), error: nil, retryAfterMs: nil)
        case .success(let value): response = value
        }
        let json = try? JSONParser.parse(response.body)
        let errorObject = json?["error"]?.objectValue
        let status = response.status

        if (200...299).contains(status), errorObject == nil {
            let success = GraphSuccess(
                eventsReceived: GraphJSON.int(json?["events_received"]),
                messages: (json?["messages"]?.arrayValue ?? []).compactMap(\.stringValue),
                fbtraceID: GraphJSON.string(json?["fbtrace_id"]))
            guard let received = success.eventsReceived else {
                // Not a Graph answer (a proxy, a captive portal, a wrong base URL): calling it delivered
                // would drop every event without a trace. The pixel pauses and the events stay queued.
                return .pause(
                    reason: "HTTP \(status) without events_received is not a Graph API answer; "
                        + "check graph_api.base_url",
                    error: GraphError(httpStatus: status, fbtraceID: success.fbtraceID))
            }
            if received != batchSize { return .mismatch(expected: batchSize, received: received) }
            return .delivered(success)
        }

        let error = graphError(status: status, object: errorObject, topLevel: json)
        let retryAfterMs = GraphUsage(headers: response.headers).suggestedDelayMs
        if let code = error.code {
            if pauseCodes.contains(code) || (200...299).contains(code) || (code == 100 && error.subcode == 33) {
                return .pause(reason: "graph error code \(code)", error: error)
            }
            if error.isThrottling {
                return .retry(reason: "throttled (code \(code))", error: error, retryAfterMs: retryAfterMs)
            }
            if retryCodes.contains(code) {
                return .retry(reason: "graph error code \(code)", error: error, retryAfterMs: retryAfterMs)
            }
        }
        if error.isTransient == true {
            return .retry(reason: "transient graph error", error: error, retryAfterMs: retryAfterMs)
        }
        if error.code == 100 {
            return .invalidPayload(error)
        }
        return classifyByStatus(error, retryAfterMs: retryAfterMs)
    }

    /// The fallback when Graph's code does not decide: the HTTP status alone.
    private static func classifyByStatus(_ error: GraphError, retryAfterMs: Int?) -> GraphOutcome {
        let status = error.httpStatus
        switch status {
        case 429:
            return .retry(reason: "HTTP 429", error: error, retryAfterMs: retryAfterMs)
        case 408, 500...599:
            return .retry(reason: "HTTP \(status)", error: error, retryAfterMs: retryAfterMs)
        case 300...399:
            // Redirects are not followed: the base URL is wrong, and every batch would fail the same way.
            return .pause(reason: "unexpected redirect (HTTP \(status)); check graph_api.base_url", error: error)
        case 400...499 where error.code == nil && status != 413:
            // Not a Graph answer (a proxy, a firewall, or a wrong URL): bisecting would dead-letter every
            // event. A 413 is about the body's size wherever it came from: halving the batch is the cure.
            return .pause(reason: "endpoint refused the request (HTTP \(status)) without a Graph error", error: error)
        case 400...499:
            return .invalidPayload(error)
        default:
            // 2xx carrying an unknown error, or a status outside HTTP's classes: resending is safe
            // (Meta deduplicates on event_id), dead-lettering good events is not.
            return .retry(reason: "unexpected response (HTTP \(status))", error: error, retryAfterMs: retryAfterMs)
        }
    }

    private static func graphError(status: Int, object: JSONObject?, topLevel: JSONValue?) -> GraphError {
        guard let object else { return GraphError(httpStatus: status) }
        return GraphError(
            httpStatus: status,
            code: GraphJSON.int(object["code"]),
            subcode: GraphJSON.int(object["error_subcode"]),
            type: GraphJSON.string(object["type"]),
            message: GraphJSON.string(object["message"]),
            isTransient: GraphJSON.bool(object["is_transient"]),
            fbtraceID: GraphJSON.string(object["fbtrace_id"]) ?? GraphJSON.string(topLevel?["fbtrace_id"]),
            userTitle: GraphJSON.string(object["error_user_title"]),
            userMessage: GraphJSON.string(object["error_user_msg"]))
    }

    private static func reason(for failure: UpstreamError) -> String {
        switch failure {
        case .timeout: return "timeout"
        case .connect(let message): return "connect failed: " + message
        case .transport(let code, let message): return "transport error \(code): " + message
        case .cancelled: return "cancelled"
        }
    }
}
