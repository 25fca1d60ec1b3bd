// SPDX-License-Identifier: Apache-2.0
import Logging
import RelayCore
import RelayHTTP

/// Maps method and path to a handler. Runs on the HTTP loop thread; handlers that wait for the disk
/// (beacons) answer later through the `ResponseWriter`.
final class Router: HTTPResponder, @unchecked Sendable {
    let context: GatewayContext
    let ingest: IngestHandler
    let pages: Pages
    let eventsPath: String
    /// Loop-thread only.
    private var requestCounter: UInt64 = 0
    /// `http_requests_total{route="events",status="202"}` and the ack latency, resolved once (every beacon counts them).
    let acceptedBeacons: Metrics.CounterHandle
    let ackLatency: Metrics.HistogramHandle

    init(context: GatewayContext) {
        self.context = context
        self.ingest = IngestHandler(gateway: context)
        self.pages = Pages(context: context)
        self.eventsPath = context.config.server.eventsPath
        acceptedBeacons = context.metrics.counterHandle(
            "pixelrelay_http_requests_total", [("route", "events"), ("status", "202")])
        ackLatency = context.metrics.histogramHandle(
            "pixelrelay_ack_latency_seconds", buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1])
    }

    /// Beacons of one pass were appended with `deferCommit`: one group commit for all of them.
    func passDidEnd() {
        context.queue.commitDeferred()
    }

    func respond(to request: HTTPRequest, connection: ConnectionInfo, writer: ResponseWriter) {
        let path = request.path
        let route = routeName(path)
        let metrics = context.metrics
        let started = Clock.nowMs()
        // A request id ties a client's error to a log line: the client's own `X-Request-Id` when it sent a
        // sane one, else connection id + a counter. Only errors are logged (a log line per beacon would
        // cost more than the beacon).
        let clientRequestID = request.headers["x-request-id"].flatMap(Self.saneRequestID)
        requestCounter &+= 1
        let counter = requestCounter
        let connectionID = connection.id
        let logger = context.logger
        let method = request.method
        let acceptedBeacons = acceptedBeacons
        let ackLatency = ackLatency
        let send: @Sendable (HTTPResponse) -> Void = { original in
            var response = original
            if clientRequestID != nil || response.status >= 400 {
                // Built only when used: formatting an id for every beacon would cost more than counting it.
                let requestID = clientRequestID ?? "\(connectionID)-\(counter)"
                response.headers.append(("X-Request-Id", requestID))
                if response.status >= 400 {
                    let level: Logger.Level = response.status >= 500 ? .warning : .info
                    logger.log(
                        level: level, "request refused",
                        metadata: [
                            "request.id": "\(requestID)", "http.method": "\(method.name)", "http.route": "\(route)",
                            "http.status": "\(response.status)",
                        ])
                }
            }
            if route == "events" && response.status == 202 {
                metrics.increment(acceptedBeacons)  // the common case: no label formatting
            } else {
                metrics.increment(
                    "pixelrelay_http_requests_total", [("route", route), ("status", "\(response.status)")])
            }
            if route == "events" { metrics.observe(ackLatency, Double(Clock.nowMs() - started) / 1000) }
            writer.send(response)
        }
        switch (request.method, route) {
        case (.post, "events") where context.benchAnswerAt == .parse:
            send(HTTPResponse(status: 202, contentType: "application/json", body: #"{"received":1,"accepted":1}"#))
        case (.post, "events"):
            ingest.ingest(
                request, connection: connection,
                events: {
                    // Most beacons are one event object: scanned without a tree (same events).
                    if let event = request.body.withUnsafeBytes(BeaconEvent.scan) { return .success([event]) }
                    let parsed: JSONValue
                    do {
                        parsed = try JSONParser.parse(request.body)
                    } catch {
                        return .failure(EventRejection("invalid JSON: \(error)"))
                    }
                    return BeaconBody.events(in: parsed).map { $0.map(BeaconEvent.value) }
                },
                answer: .json, send: send)
        case (.options, "events"), (.options, "tr"):
            send(preflight(request))
        case (.head, "tr"):
            // What a GET would answer, without recording an event: HEAD is safe (link checkers and
            // prefetchers send it), and a HEAD carries no event to count.
            send(Self.pixelGIF(headers: []))
        case (.get, "tr"), (.post, "tr"):
            // A POST carries its parameters as a form body, and may carry some (`id`, `ev`) in the URL as
            // the pixel's own requests do; the body's come first, so they win a repeated name.
            let pairs =
                request.method == .post
                ? QueryString.parse(String(decoding: request.body, as: UTF8.self)) + QueryString.parse(request.query)
                : QueryString.parse(request.query)
            ingest.ingest(
                request, connection: connection,
                events: { TrackingParameters.event(from: pairs).map { $0.map(BeaconEvent.value) } },
                answer: request.method == .get ? .pixelImage : .pixelForm, send: send)
        case (.get, "healthz"), (.head, "healthz"):
            send(HTTPResponse(status: 200, contentType: "application/json", body: "{\"status\":\"ok\"}"))
        case (.get, "readyz"), (.head, "readyz"):
            send(pages.readiness())
        case (.get, "metrics"):
            send(pages.metrics(server: context))
        case (.get, "sdk.js"), (.head, "sdk.js"):
            send(pages.sdk(request))
        case (.get, "status"), (.get, "status/events"):
            if let denied = pages.authorize(request, connection: connection) {
                send(denied)
            } else {
                send(route == "status" ? pages.statusPage() : pages.statusEvents())
            }
        case (.get, "demo"):
            send(pages.demo())
        case (_, "unknown"):
            send(
                HTTPResponse(
                    status: 404, contentType: "application/json", body: "{\"error\":\"not found: \(Self.safe(path))\"}")
            )
        default:
            // RFC 9110 §15.5.6: a 405 lists the methods the resource does support.
            send(
                HTTPResponse(
                    status: 405, contentType: "application/json",
                    body: "{\"error\":\"method \(Self.safe(request.method.name)) not allowed on \(Self.safe(path))\"}",
                    headers: [("Allow", Self.allowedMethods(route))]))
        }
    }

    /// The `Allow` header value for a known route.
    static func allowedMethods(_ route: String) -> String {
        switch route {
        case "events": return "POST, OPTIONS"
        case "tr": return "GET, HEAD, POST, OPTIONS"
        case "healthz", "readyz", "sdk.js": return "GET, HEAD"
        default: return "GET"
        }
    }

    /// A client-supplied request id, if it is short printable ASCII without separators that could forge log fields.
    static func saneRequestID(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= 64,
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return value
    }

    func routeName(_ path: String) -> String {
        if path == eventsPath { return "events" }
        switch path {
        case "/tr", "/tr/": return "tr"
        case "/healthz": return "healthz"
        case "/readyz": return "readyz"
        case "/metrics": return "metrics"
        case "/sdk.js": return "sdk.js"
        case "/status", "/status/": return "status"
        case "/status/events": return "status/events"
        case "/demo", "/demo/", "/": return context.config.servesDemo ? "demo" : (path == "/" ? "unknown" : "demo")
        default: return "unknown"
        }
    }

    func preflight(_ request: HTTPRequest) -> HTTPResponse {
        guard let origin = request.headers["origin"] else {
            return HTTPResponse(
                status: 400, contentType: "application/json", body: "{\"error\":\"a preflight needs an Origin header\"}"
            )
        }
        guard case .site = context.sites.resolve(origin: origin, bearer: nil, pageURL: nil, requestHost: nil) else {
            return HTTPResponse(
                status: 403, contentType: "application/json", headers: [("Vary", "Origin")],
                body: Array("{\"error\":\"origin not allowed\"}".utf8))
        }
        let requested = request.headers["access-control-request-headers"] ?? "Content-Type"
        return HTTPResponse(
            status: 204,
            headers: [
                ("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "POST, GET, OPTIONS"),
                ("Access-Control-Allow-Headers", requested.utf8Prefix(512)), ("Access-Control-Max-Age", "86400"),
                ("Vary", "Origin"),
            ])
    }

    /// Path text safe to echo inside a JSON string.
    static func safe(_ s: String) -> String {
        let kept = s.utf8Prefix(100).unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }
        return String(String.UnicodeScalarView(kept))
    }

    /// The 1×1 GIF `/tr` answers to an image request, never cached, with `headers` (cookies, CORS) added.
    static func pixelGIF(headers: [(name: String, value: String)]) -> HTTPResponse {
        HTTPResponse(
            status: 200, contentType: "image/gif", headers: [("Cache-Control", "no-store")] + headers,
            body: Pages.gif)
    }
}
