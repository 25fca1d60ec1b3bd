// SPDX-License-Identifier: Apache-2.0
import RelayCore
import RelayHTTP
import RelayStore

/// The non-beacon endpoints: health, readiness, metrics, the snippet, status pages and the demo.
final class Pages: @unchecked Sendable {
    let context: GatewayContext
    private var sdkCache: [String: (etag: String, body: [UInt8])] = [:]  // loop thread only

    init(context: GatewayContext) {
        self.context = context
    }

    /// A transparent 1×1 GIF.
    static let gif: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF,
        0xFF,
        0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x02,
        0x02, 0x44, 0x01, 0x00, 0x3B,
    ]

    // MARK: readiness

    /// How long `/readyz` warns of a refusal at the commit backlog's bound.
    static let backlogRefusalMemory: Duration = .seconds(60)

    /// What `/readyz` says: why the gateway cannot take events now (not ready), and what it should
    /// know of without being taken out of rotation.
    struct Readiness: Equatable {
        var reasons: [String] = []
        var warnings: [String] = []
    }

    static func readiness(
        _ stats: QueueStats, maxQueueBytes: Int64, benchAnswerAt: GatewayContext.BenchStage? = nil
    ) -> Readiness {
        var r = Readiness()
        if stats.diskFull { r.reasons.append("disk full: new events are refused until space returns") }
        if stats.fatalError != nil { r.reasons.append("queue I/O error: restart required") }
        // The flag too: the next beacon is refused as soon as it would not fit, before the bytes reach the cap.
        if stats.queueFull || stats.totalBytes >= maxQueueBytes {
            r.reasons.append("queue at its byte cap (storage.max_queue_bytes)")
        }
        if let stage = benchAnswerAt {
            r.reasons.append(
                "PIXELRELAY_BENCH_ANSWER_AT=\(stage.rawValue) is set: beacons are answered without being queued "
                    + "(benchmarks only; unset it)")
        }
        // The disk's syncs fell behind ingest and beacons past the in-memory bound were answered 503
        // (counted as queue_full). A warning, not a reason: it passes once the disk catches up, and taking
        // every replica on a slow storage class out of rotation at once would refuse everything.
        let backlog = stats.commitBacklog
        if let since = backlog.sinceLastRefusal, since < Self.backlogRefusalMemory {
            r.warnings.append(
                "the disk is not keeping up: events waiting for fsync reached their in-memory bound "
                    + "(\(Self.byteSize(backlog.limitBytes))) \(Int(since / .seconds(1))) s ago and "
                    + "\(backlog.refused) beacons in all were refused with 503; check the disk's write latency")
        }
        return r
    }

    /// `64 MiB`, `512 KiB` or `900 bytes`.
    static func byteSize(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    func readiness() -> HTTPResponse {
        let stats = context.queue.stats()
        let readiness = Self.readiness(
            stats, maxQueueBytes: Int64(context.config.storage.maxQueueBytes), benchAnswerAt: context.benchAnswerAt)
        let reasons = readiness.reasons
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.key("status")
        w.string(reasons.isEmpty ? "ready" : "not_ready")
        w.key("reasons")
        w.beginArray()
        for r in reasons { w.string(r) }
        w.endArray()
        w.key("warnings")
        w.beginArray()
        for warning in readiness.warnings { w.string(warning) }
        w.endArray()
        w.key("dry_run")
        w.bool(context.config.isDryRun)
        w.key("queue")
        w.beginObject()
        w.key("events")
        w.int(Int64(stats.totalDepth))
        w.key("bytes")
        w.int(stats.totalBytes)
        w.endObject()
        w.key("pixels")
        w.beginArray()
        for p in context.forwarder?.pixelStates() ?? [] {
            w.beginObject()
            w.key("pixel_id")
            w.string(p.pixelID)
            w.key("state")
            w.string(p.paused ? "paused" : (p.consecutiveFailures > 0 ? "retrying" : "ok"))
            if let r = p.pauseReason {
                w.key("reason")
                w.string(r)
            }
            if let e = p.lastError {
                w.key("last_error")
                w.string(e)
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return HTTPResponse(
            status: reasons.isEmpty ? 200 : 503,
            contentType: "application/json", headers: [("Cache-Control", "no-store")], body: w.bytes)
    }

    // MARK: metrics

    func metrics(server: GatewayContext) -> HTTPResponse {
        let m = context.metrics
        let stats = context.queue.stats()
        m.set("pixelrelay_queue_events", [], Double(stats.totalDepth))
        m.set("pixelrelay_queue_bytes", [], Double(stats.totalBytes))
        m.replaceGauge(
            "pixelrelay_queue_pixel_events", stats.pixels.map { ([("pixel", $0.pixelID)], Double($0.depth)) })
        let now = Clock.nowMs()
        m.replaceGauge(
            "pixelrelay_queue_oldest_age_seconds",
            stats.pixels.compactMap { p in
                p.oldestEnqueuedAtMs.map { ([("pixel", p.pixelID)], Double(now - $0) / 1000) }
            })
        m.set("pixelrelay_dead_letters", [], Double(stats.pixels.reduce(0) { $0 + $1.deadLetters }))
        m.set("pixelrelay_queue_quarantined_records", [], Double(stats.quarantined))
        // Events per group commit and per fdatasync: how well acknowledgements share the disk's syncs.
        m.set("pixelrelay_queue_group_commits_total", [], Double(stats.groupCommits))
        m.set("pixelrelay_queue_fsyncs_total", [], Double(stats.syncs))
        m.set("pixelrelay_queue_commit_backlog_bytes", [], Double(stats.commitBacklog.bytes))
        m.set("pixelrelay_queue_commit_backlog_refused_total", [], Double(stats.commitBacklog.refused))
        let states = context.forwarder?.pixelStates() ?? []
        m.replaceGauge("pixelrelay_pixel_paused", states.map { ([("pixel", $0.pixelID)], $0.paused ? 1 : 0) })
        if let http = context.httpStatistics?() {
            m.set("pixelrelay_http_open_connections", [], Double(http.openConnections))
            m.set("pixelrelay_http_connections_accepted", [], Double(http.acceptedConnections))
            m.set("pixelrelay_http_connections_refused", [], Double(http.refusedConnections))
            m.set("pixelrelay_http_protocol_errors", [], Double(http.protocolErrors))
            m.set("pixelrelay_http_timeouts", [], Double(http.timeouts))
        }
        m.set("pixelrelay_uptime_seconds", [], Double(now - context.startedAtMs) / 1000)
        return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: m.render())
    }

    // MARK: sdk.js

    func sdk(_ request: HTTPRequest) -> HTTPResponse {
        let host = request.headers["host"].map(URLParts.hostHeaderName)
        let explicit = QueryString.parse(request.query).first(where: { $0.key == "site" })?.value
        let (site, byReferer) = context.sites.siteForScript(
            host: host, referer: request.headers["referer"], explicit: explicit)
        let key = site?.name ?? ""
        let entry: (etag: String, body: [UInt8])
        if let cached = sdkCache[key] {
            entry = cached
        } else {
            let eventsPath = context.config.server.eventsPath
            var body = eventsPath == "/events" ? [] : Self.pathPrelude(eventsPath)
            body.append(contentsOf: Array(EmbeddedAssets.sdkJS.utf8))
            let rules = Self.rulesJSON(site?.rules ?? [])
            body.append(contentsOf: Array("\npixelrelay('_rules',".utf8) + rules + Array(");\n".utf8))
            let digest = SHA256Digest().hex(body)
            entry = ("\"" + String(digest.prefix(20)) + "\"", body)
            sdkCache[key] = entry
        }
        var headers: [(name: String, value: String)] = [
            ("ETag", entry.etag), ("Cache-Control", "public, max-age=300"), ("Access-Control-Allow-Origin", "*"),
        ]
        // Chosen by the page: a CDN in front must not hand one site's rules to another's pages.
        if byReferer { headers.append(("Vary", "Referer")) }
        if let inm = request.headers["if-none-match"],
            inm.split(separator: ",").contains(where: { $0.trimmingSpacesSub() == entry.etag })
        {
            return HTTPResponse(status: 304, headers: headers)
        }
        return HTTPResponse(
            status: 200, contentType: "application/javascript; charset=utf-8", headers: headers, body: entry.body)
    }

    /// Puts `pixelrelay('_path', …)` first in the stub's queue (creating the stub if the page has none), so
    /// calls queued before the script loaded already go to a configured `events_path`; appended after the
    /// script like `_rules`, it would come after them.
    static func pathPrelude(_ path: String) -> [UInt8] {
        var w = JSONWriter(capacity: 64)
        w.string(path)
        let quoted = String(
            decoding: w.bytes.flatMap { $0 == UInt8(ascii: "<") ? Array("\\u003c".utf8) : [$0] }, as: UTF8.self)
        return Array(
            ("(function(w){try{var p=w.pixelrelay;if(p&&p._pr)return p('_path',\(quoted));"
                + "if(!p)p=w.pixelrelay=function(){(p.q=p.q||[]).push(arguments)};"
                + "(p.q=p.q||[]).unshift(['_path',\(quoted)])}catch(x){}})(window);\n").utf8)
    }

    static func rulesJSON(_ rules: [SiteConfig.Rule]) -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        w.beginArray()
        for r in rules {
            w.beginObject()
            switch r.trigger {
            case .selector(let s):
                w.key("selector")
                w.string(s)
            case .urlContains(let u):
                w.key("url_contains")
                w.string(u)
            }
            w.key("event")
            w.string(r.event)
            if let cd = r.customData {
                w.key("custom_data")
                w.value(cd)
            }
            w.endObject()
        }
        w.endArray()
        // `</script>` can never appear: the writer escapes nothing of '<', so guard it here.
        return w.bytes.flatMap { $0 == UInt8(ascii: "<") ? Array("\\u003c".utf8) : [$0] }
    }

    // MARK: status

    /// nil when allowed; else the 401/403 answer. With no admin token only loopback clients may look,
    /// and only when they came straight in: a request a proxy forwarded (nginx on the same host, a
    /// sidecar) comes from loopback for every visitor on the internet.
    func authorize(_ request: HTTPRequest, connection: ConnectionInfo) -> HTTPResponse? {
        guard let token = context.config.admin.token else {
            if let ip = IPAddress(connection.peerHost), ip.isLoopback, !Self.isProxied(request) { return nil }
            return HTTPResponse(
                status: 403, contentType: "application/json",
                body:
                    "{\"error\":\"without an admin token the status pages are open only to loopback clients that are not proxied; set PIXELRELAY_ADMIN_TOKEN (admin.token) to reach them from elsewhere or through a proxy\"}"
            )
        }
        if let auth = request.headers["authorization"] {
            if let bearer = IngestHandler.bearer(auth), token.matches(Array(bearer.utf8)) { return nil }
            if auth.lowercased().hasPrefix("basic "), let decoded = Base64.decode(String(auth.dropFirst(6))),
                let colon = decoded.firstIndex(of: UInt8(ascii: ":")), token.matches(Array(decoded[(colon + 1)...]))
            {
                return nil
            }
        }
        return HTTPResponse(
            status: 401,
            contentType: "application/json", headers: [("WWW-Authenticate", "Basic realm=\"pixelrelay status\"")],
            body: Array(
                "{\"error\":\"admin token required (Authorization: Bearer <token>, or Basic with the token as password)\"}"
                    .utf8))
    }

    /// The request carries a header proxies add (`Forwarded`, `Via`, any `X-Forwarded-*`, the client
    /// address headers of nginx and CDNs). A proxy that adds none cannot be told from a local client:
    /// the docs say to set an admin token whenever one is in front.
    static func isProxied(_ request: HTTPRequest) -> Bool {
        request.headers.fields.contains { field in
            field.name.hasPrefix("x-forwarded-") || proxyHeaders.contains(field.name)
        }
    }

    static let proxyHeaders: Set<String> = [
        "forwarded", "via", "x-real-ip", "true-client-ip", "cf-connecting-ip", "fastly-client-ip", "x-client-ip",
        "x-cluster-client-ip", "x-original-forwarded-for",
    ]

    func statusEvents() -> HTTPResponse {
        let snap = context.status.snapshot()
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("events")
        w.beginArray()
        for e in snap.recent {
            w.beginObject()
            w.key("event_name"); w.string(e.eventName)
            w.key("event_id"); w.string(e.eventID)
            w.key("pixel_id"); w.string(e.pixelID)
            w.key("site"); w.string(e.site)
            w.key("received_at_ms"); w.int(e.receivedAtMs)
            w.key("match_keys"); w.beginArray(); for k in e.keys { w.string(k) }; w.endArray()
            w.key("outcome"); w.string(e.outcome)
            w.key("event_id_minted"); w.bool(e.mintedID)
            if let f = e.fbtraceID { w.key("fbtrace_id"); w.string(f) }
            if let err = e.error { w.key("error"); w.string(err) }
            w.endObject()
        }
        w.endArray()
        w.key("dropped")
        w.beginObject()
        for (k, v) in snap.drops.sorted(by: { $0.key < $1.key }) { w.key(k); w.int(Int64(v)) }
        w.endObject()
        w.key("duplicate_event_ids"); w.int(Int64(snap.duplicates))
        w.key("delivered"); w.int(Int64(snap.delivered))
        w.key("failed"); w.int(Int64(snap.failed))
        w.endObject()
        return HTTPResponse(
            status: 200, contentType: "application/json", headers: [("Cache-Control", "no-store")], body: w.bytes)
    }

    func statusPage() -> HTTPResponse {
        let html = StatusPage.render(
            snapshot: context.status.snapshot(), queue: context.queue.stats(),
            pixels: context.forwarder?.pixelStates() ?? [],
            config: context.config, version: context.version, nowMs: Clock.nowMs())
        return HTTPResponse(
            status: 200, contentType: "text/html; charset=utf-8", headers: [("Cache-Control", "no-store")],
            body: Array(html.utf8))
    }

    func demo() -> HTTPResponse {
        guard context.config.servesDemo else {
            return HTTPResponse(
                status: 404, contentType: "application/json",
                body: "{\"error\":\"the demo page is served in dry-run mode or with \\\"demo\\\": true\"}")
        }
        return HTTPResponse(
            status: 200, contentType: "text/html; charset=utf-8",
            body: Array(EmbeddedAssets.demoHTML.utf8))
    }
}

/// Minimal base64 decoding for `Authorization: Basic`.
enum Base64 {
    static func decode(_ s: String) -> [UInt8]? {
        var table = [UInt8](repeating: 255, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(i)
        }
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in s.utf8 {
            if c == UInt8(ascii: "=") { break }
            let v = table[Int(c)]
            if v == 255 { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}
