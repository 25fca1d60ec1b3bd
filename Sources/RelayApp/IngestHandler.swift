// SPDX-License-Identifier: Apache-2.0
import RelayCore
import RelayHTTP
import RelayStore

/// `POST /events` and `/tr`: the hot path. Runs on the HTTP loop thread (it owns the processor's
/// SHA-256 context and the rate limiter), and answers after the queue's group commit fsynced.
final class IngestHandler: @unchecked Sendable {
    let gateway: GatewayContext
    /// Remade when the calendar year turns (its `db` rule accepts birth years up to the current one).
    private(set) var processor: EventProcessor
    /// When `processor`'s year ends, Unix milliseconds.
    private var processorYearEndsMs: Int64
    let rateLimiter: RateLimiter
    let resolver: ClientAddressResolver
    let bots: BotDetector
    let eventsAccepted: Metrics.CounterHandle
    /// Loop-thread only (see `botVerdict`).
    private var lastUserAgent: (userAgent: String?, verdict: String?)?
    /// Loop-thread only: the event ids of the request being handled, reused (one allocation less per beacon).
    private var ids: [String] = []

    init(gateway: GatewayContext) {
        self.gateway = gateway
        let config = gateway.config
        let year = Clock.year(atMs: Clock.nowMs())
        processor = EventProcessor(currentYear: year.year)
        processorYearEndsMs = year.endsAtMs
        rateLimiter = RateLimiter(perSecond: config.server.rateLimit.perSecond, burst: config.server.rateLimit.burst)
        resolver = ClientAddressResolver(
            trustedProxies: config.server.trustedProxies, header: config.server.clientIPHeader)
        bots = BotDetector(enabled: config.bots.drop, extraPatterns: config.bots.extraPatterns)
        eventsAccepted = gateway.metrics.counterHandle("pixelrelay_events_accepted_total")
    }

    struct Outcome {
        var status: Int
        var body: [UInt8]
        var headers: [(name: String, value: String)]
    }

    /// Handles a beacon whose events are already extracted (from JSON or from `/tr` parameters).
    /// `send` is called exactly once (with the response `answer` calls for), possibly on the queue's commit thread.
    func ingest(
        _ request: HTTPRequest, connection: ConnectionInfo,
        events eventsResult: () -> Result<[BeaconEvent], EventRejection>, answer: Answer,
        send: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let respond = Reply(answer: answer, send: send)
        let nowMs = Clock.nowMs()
        let metrics = gateway.metrics
        let origin = request.headers["origin"]
        let bearer = Self.bearer(request.headers["authorization"])
        // CORS headers only for an origin some site allows: reflecting any origin with credentials would let
        // every page read our answers (S3). A bearer request is server-to-server; its origin is not checked.
        // Without a bearer key, the Origin decides the site: this answer is also the site below.
        let originMatch =
            bearer == nil && origin != nil
            ? gateway.sites.resolve(origin: origin, bearer: nil, pageURL: nil, requestHost: nil) : nil
        let originRefused: Bool
        if case .forbidden? = originMatch { originRefused = true } else { originRefused = false }
        var cors: [(name: String, value: String)] = []
        if let origin, !originRefused {
            cors.reserveCapacity(5)  // and the two Set-Cookie fields, in place (see `headers`)
            cors.append(("Access-Control-Allow-Origin", origin))
            cors.append(("Access-Control-Allow-Credentials", "true"))
            cors.append(("Vary", "Origin"))
        } else if origin != nil {
            cors = [("Vary", "Origin")]
        }

        let clientIP = resolver.resolve(
            peer: connection.peerHost, forwardedFor: request.headers.values("x-forwarded-for"),
            forwarded: request.headers.values("forwarded"))
        if !rateLimiter.allow(clientIP, nowMs: nowMs) {
            metrics.increment("pixelrelay_events_dropped_total", [("reason", "rate_limited")])
            gateway.status.dropped(reason: "rate_limited")
            respond(
                Outcome(
                    status: 429, body: Self.error("too many requests from this client; slow down"),
                    headers: cors + [("Retry-After", "1")]))
            return
        }
        let events: [BeaconEvent]
        switch eventsResult() {
        case .success(let list): events = list
        case .failure(let rejection):
            if originRefused {
                // A refused origin learns nothing about its body: the answer is the origin's 403 (S3).
                metrics.increment("pixelrelay_events_dropped_total", [("reason", "origin")])
                gateway.status.dropped(reason: "origin")
                respond(
                    Outcome(
                        status: 403, body: Self.error("origin \(origin?.utf8Prefix(200) ?? "") is not allowed"),
                        headers: cors))
                return
            }
            metrics.increment("pixelrelay_events_rejected_total", [("reason", "bad_body")])
            gateway.status.dropped(reason: "invalid")
            respond(Outcome(status: 400, body: Self.error(rejection.message), headers: cors))
            return
        }
        let referer = request.headers["referer"]
        let firstURL = events.first?.sourceURL ?? referer
        let hostHeader = request.headers["host"].map(URLParts.hostHeaderName)
        let site: SiteDirectory.Site
        var trusted = false
        switch originMatch
            ?? gateway.sites.resolve(origin: origin, bearer: bearer, pageURL: firstURL, requestHost: hostHeader)
        {
        case .forbidden(let why):
            metrics.increment("pixelrelay_events_dropped_total", [("reason", "origin")], by: Double(events.count))
            gateway.status.dropped(reason: "origin", count: events.count)
            respond(Outcome(status: 403, body: Self.error(why), headers: origin == nil ? [] : [("Vary", "Origin")]))
            return
        case .site(let s, let t):
            site = s
            trusted = t
        }

        var context = IngestContext(nowMs: nowMs)
        context.clientIP = clientIP
        context.userAgent = request.headers["user-agent"]
        context.referer = referer
        // A proxy may split cookies over several fields (RFC 9113 §8.2.3); read them as one list.
        let cookieFields = request.headers.values("cookie")
        let cookies = FacebookCookies.fromCookieHeader(
            cookieFields.count > 1 ? cookieFields.joined(separator: "; ") : cookieFields.first)
        context.cookieFbp = cookies.fbp
        context.cookieFbc = cookies.fbc
        context.trustedSource = trusted
        context.defaultCountry = site.config.defaultCountry
        let requestHost = hostHeader ?? "localhost"
        context.cookieIndex = FacebookCookies.subdomainIndex(
            cookieDomain: site.config.cookieDomain, requestHost: requestHost)

        let botMatch = trusted ? nil : botVerdict(userAgent: context.userAgent)
        var queued: [QueuedEvent] = []
        ids.removeAll(keepingCapacity: true)
        var errors: [(Int, String)] = []
        var dropped: [(Int, String)] = []
        var warnings: [(Int, String)] = []
        var accepted: [(ProcessedEvent, [String])] = []
        var consentDenied = false
        if nowMs >= processorYearEndsMs {
            let year = Clock.year(atMs: nowMs)
            processor = EventProcessor(currentYear: year.year)
            processorYearEndsMs = year.endsAtMs
        }
        for (index, value) in events.enumerated() {
            switch processor.process(value, context: &context) {
            case .failure(let rejection):
                errors.append((index, rejection.message))
                metrics.increment("pixelrelay_events_rejected_total", [("reason", rejection.reason)])
                gateway.status.dropped(reason: rejection.reason == "too_old" ? "too_old" : "invalid")
            case .success(let event):
                ids.append(event.eventID)
                for w in event.warnings { warnings.append((index, w)) }
                for d in event.droppedFields {
                    metrics.increment(
                        "pixelrelay_user_data_dropped_total",
                        [("field", d.field.rawValue), ("reason", d.reason.rawValue)])
                }
                var reason: String?
                if event.consentDenied {
                    consentDenied = true
                    reason = "consent"
                } else if let bot = botMatch {
                    reason = "bot"
                    _ = bot
                } else if !site.config.events.allows(event.eventName) {
                    reason = "filtered"
                }
                let pixels = gateway.pixelIDs(for: event, site: site)
                if reason == nil, pixels.isEmpty { reason = "no_pixel" }
                if let reason {
                    dropped.append((index, reason))
                    metrics.increment("pixelrelay_events_dropped_total", [("reason", reason)])
                    gateway.status.dropped(reason: reason)
                    gateway.status.accepted(
                        event, pixelIDs: [], site: site.config.name, nowMs: nowMs, outcome: "dropped: \(reason)")
                    continue
                }
                for pixel in pixels {
                    queued.append(
                        QueuedEvent(
                            pixelID: pixel, eventID: event.eventID, eventName: event.eventName,
                            eventTime: event.eventTime,
                            enqueuedAtMs: nowMs, payload: event.payload))
                }
                accepted.append((event, pixels))
            }
        }

        let received = events.count
        let acceptedCount = received - errors.count
        let body = Self.summary(
            received: received, accepted: acceptedCount, ids: ids, errors: errors, dropped: dropped, warnings: warnings)
        if acceptedCount == 0 {
            // Nothing was accepted: no cookie either (a value minted for a rejected event identifies nothing).
            respond(Outcome(status: 400, body: body, headers: cors))
            return
        }
        let corsCount = cors.count
        var headers = consume cors  // no copy: the cookies go into the same buffer
        // Advertising cookies are set only with consent: a browser that denied ad_storage gets none.
        if consentDenied {
            context.setFbp = nil
            context.setFbc = nil
        }
        if let v = context.setFbp {
            headers.append(
                (
                    "Set-Cookie",
                    FacebookCookies.setCookie(
                        name: "_fbp", value: v, domain: site.config.cookieDomain, secure: !Self.isLocal(requestHost))
                ))
        }
        if let v = context.setFbc {
            headers.append(
                (
                    "Set-Cookie",
                    FacebookCookies.setCookie(
                        name: "_fbc", value: v, domain: site.config.cookieDomain, secure: !Self.isLocal(requestHost))
                ))
        }
        if queued.isEmpty || gateway.benchAnswerAt == .processing {
            respond(Outcome(status: 202, body: body, headers: headers))
            return
        }
        let status = gateway.status
        let siteName = site.config.name
        let acceptedEvents = accepted
        let acceptedHeaders = headers
        let eventsAccepted = eventsAccepted
        // Committed when the loop's pass ends (Router.passDidEnd), together with the pass's other beacons.
        gateway.queue.append(queued, deferCommit: true) { result in
            switch result {
            case .durable:
                metrics.increment(eventsAccepted, by: Double(acceptedEvents.count))
                for (e, pixels) in acceptedEvents {
                    status.accepted(e, pixelIDs: pixels, site: siteName, nowMs: nowMs, outcome: "queued")
                }
                respond(Outcome(status: 202, body: body, headers: acceptedHeaders))
            case .rejected(let failure):
                let reason: String
                switch failure {
                case .queueFull: reason = "queue_full"
                case .diskFull: reason = "disk_full"
                default: reason = "io_error"
                }
                metrics.increment(
                    "pixelrelay_events_rejected_total", [("reason", reason)], by: Double(acceptedEvents.count))
                status.dropped(reason: reason, count: acceptedEvents.count)
                respond(
                    Outcome(
                        status: 503, body: Self.error("not accepted: \(failure); retry later"),
                        headers: acceptedHeaders.prefix(corsCount) + [("Retry-After", "5")]))
            }
        }
    }

    /// How a route answers: `/events` in JSON; `/tr` with the GIF (GET) or 204 (POST) when accepted.
    enum Answer {
        case json, pixelImage, pixelForm
    }

    /// Sends outcomes the way the route answers (a value: capturing it allocates nothing more).
    struct Reply: Sendable {
        let answer: Answer
        let send: @Sendable (HTTPResponse) -> Void

        func callAsFunction(_ outcome: Outcome) { send(IngestHandler.render(answer, outcome)) }
    }

    /// The response for an outcome.
    static func render(_ answer: Answer, _ o: Outcome) -> HTTPResponse {
        if o.status == 202 {
            switch answer {
            case .json: break
            case .pixelImage: return Router.pixelGIF(headers: o.headers)
            case .pixelForm: return HTTPResponse(status: 204, headers: o.headers)
            }
        }
        return HTTPResponse(status: o.status, contentType: "application/json", headers: o.headers, body: o.body)
    }

    /// The bot check, remembering the last user agent: a client's beacons (and most of a site's
    /// traffic at any moment) repeat the same one, and matching costs ~0.3 µs per pattern scan.
    func botVerdict(userAgent: String?) -> String? {
        if let last = lastUserAgent, last.userAgent == userAgent { return last.verdict }
        let verdict = bots.match(userAgent: userAgent)
        lastUserAgent = (userAgent, verdict)
        return verdict
    }

    static func isLocal(_ host: String) -> Bool {
        host == "localhost" || host == "127.0.0.1" || host == "::1" || host.hasSuffix(".localhost")
    }

    static func bearer(_ header: String?) -> String? {
        guard let h = header, h.count > 7, h.prefix(7).lowercased() == "bearer " else { return nil }
        return String(h.dropFirst(7).trimmingSpacesSub())
    }

    static func error(_ message: String) -> [UInt8] {
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.key("error")
        w.string(message)
        w.endObject()
        return w.bytes
    }

    static func summary(
        received: Int, accepted: Int, ids: [String], errors: [(Int, String)], dropped: [(Int, String)],
        warnings: [(Int, String)]
    ) -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.key("received")
        w.int(Int64(received))
        w.key("accepted")
        w.int(Int64(accepted))
        w.key("event_ids")
        w.beginArray()
        for id in ids { w.string(id) }
        w.endArray()
        writeIndexed(&w, "errors", errors, field: "message", always: true)
        writeIndexed(&w, "dropped", dropped, field: "reason")
        writeIndexed(&w, "warnings", warnings, field: "message")
        w.endObject()
        return w.bytes
    }
}

extension IngestHandler {
    /// Writes `"key":[{"index":i,"<field>":text},…]` (omitted when empty unless `always`).
    static func writeIndexed(
        _ w: inout JSONWriter, _ key: String, _ items: [(Int, String)], field: String, always: Bool = false
    ) {
        guard always || !items.isEmpty else { return }
        w.key(key)
        w.beginArray()
        for (i, text) in items {
            w.beginObject()
            w.key("index")
            w.int(Int64(i))
            w.key(field)
            w.string(text)
            w.endObject()
        }
        w.endArray()
    }
}
