// SPDX-License-Identifier: Apache-2.0
import RelayCore
import RelayForwarder
import RelayStore

/// Renders `/status`: the self-hosted counterpart of Meta's Test Events tab. Self-contained HTML with
/// inline SVG charts; never shows an identifier's value, only which keys were present.
enum StatusPage {
    static func render(
        snapshot s: StatusStore.Snapshot, queue: QueueStats, pixels: [ForwarderWorker.PixelState], config: RelayConfig,
        version: String, nowMs: Int64
    ) -> String {
        var h = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <meta http-equiv="refresh" content="10"><link rel="icon" href="data:,"><title>pixelrelay status</title><style>
            body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1c1e21}
            header{background:#1c2b4a;color:#fff;padding:14px 24px}header h1{margin:0;font-size:18px}
            main{padding:16px 24px;display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(420px,1fr))}
            section{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px #0002}
            h2{font-size:15px;margin:0 0 10px}table{border-collapse:collapse;width:100%}td,th{padding:4px 6px;border-bottom:1px solid #eee;text-align:left;font-size:13px}
            .ok{color:#1a7f37}.warn{color:#b35900}.bad{color:#c62828}.wide{grid-column:1/-1}code{font-size:12px}
            .kpi{display:flex;gap:24px}.kpi div{font-size:22px;font-weight:600}.kpi span{display:block;font-size:12px;color:#666;font-weight:400}
            </style></head><body><header><h1>pixelrelay \(esc(version))\(config.isDryRun ? " — dry-run (nothing is sent to Meta)" : "")</h1></header><main>
            """
        let totalDrops = s.drops.values.reduce(0, +)
        h += "<section><h2>Delivery</h2><div class=kpi>"
        h += "<div>\(queue.totalDepth)<span>queued</span></div><div class=ok>\(s.delivered)<span>delivered</span></div>"
        h +=
            "<div class=bad>\(s.failed)<span>dead-lettered / expired</span></div><div class=warn>\(totalDrops)<span>not forwarded</span></div></div>"
        h += "<p>Queue: \(queue.totalBytes) bytes\(queue.diskFull ? " — <b class=bad>disk full</b>" : "").</p>"
        h += "<table><tr><th>pixel</th><th>state</th><th>queued</th><th>dead letters</th><th>last error</th></tr>"
        var pixelIDs = Set(pixels.map(\.pixelID))
        for p in queue.pixels { pixelIDs.insert(p.pixelID) }
        for id in pixelIDs.sorted() {
            let st = pixels.first { $0.pixelID == id }
            let q = queue.pixels.first { $0.pixelID == id }
            let state =
                st.map {
                    $0.paused
                        ? "<b class=bad>paused</b>"
                        : ($0.consecutiveFailures > 0 ? "<span class=warn>retrying</span>" : "<span class=ok>ok</span>")
                } ?? "idle"
            h +=
                "<tr><td><code>\(esc(id))</code></td><td>\(state)</td><td>\(q?.depth ?? 0)</td><td>\(q?.deadLetters ?? 0)</td><td>\(esc(st?.pauseReason ?? st?.lastError ?? ""))</td></tr>"
        }
        h += "</table></section>"

        h += "<section><h2>Events per minute (last hour)</h2>" + chart(s.perMinute, nowMs: nowMs) + "</section>"

        h +=
            "<section class=wide><h2>Match-key coverage by event (inputs of Event Match Quality)</h2><table><tr><th>event</th><th>count</th>"
        for (_, name) in MatchKeys.reported { h += "<th>\(name)</th>" }
        h += "<th>own event_id</th></tr>"
        for (name, c) in s.coverage.sorted(by: { $0.key < $1.key }) {
            h += "<tr><td>\(esc(name))</td><td>\(c.events)</td>"
            for count in c.perKey { h += "<td>\(bar(count, of: c.events))</td>" }
            h += "<td>\(bar(c.withOwnID, of: c.events))</td></tr>"
        }
        h +=
            "</table><p>Events without their own <code>event_id</code> cannot be deduplicated against the browser pixel. "
        h += "Duplicate ids seen: <b>\(s.duplicates)</b>"
        if !s.duplicateExamples.isEmpty {
            h +=
                " (e.g. " + s.duplicateExamples.prefix(5).map { "<code>\(esc($0))</code>" }.joined(separator: ", ")
                + ")"
        }
        h += ".</p></section>"

        h += "<section><h2>Why events were not forwarded</h2><table>"
        let explain = [
            "origin": "Origin not in a site's allowed_origins", "consent": "consent.ad_storage = denied",
            "bot": "crawler or bot user agent", "too_old": "event_time older than 7 days (less an hour for delivery)",
            "invalid": "failed validation",
            "filtered": "site events allow/deny list", "rate_limited": "per-client rate limit",
            "no_pixel": "site has no pixel",
            "queue_full": "queue at its byte cap", "disk_full": "disk full",
        ]
        if s.drops.isEmpty { h += "<tr><td>nothing dropped</td></tr>" }
        for (k, v) in s.drops.sorted(by: { $0.value > $1.value }) {
            h += "<tr><td>\(esc(k))</td><td>\(v)</td><td>\(esc(explain[k] ?? ""))</td></tr>"
        }
        h += "</table></section>"

        h += "<section><h2>Last errors from Meta</h2><table>"
        if s.lastErrors.isEmpty { h += "<tr><td>none</td></tr>" }
        for e in s.lastErrors.prefix(10) {
            h +=
                "<tr><td>\(ago(e.atMs, nowMs))</td><td><code>\(esc(e.pixel))</code></td><td>\(esc(e.message))</td><td><code>\(esc(e.fbtrace ?? ""))</code></td></tr>"
        }
        h += "</table></section>"

        h +=
            "<section class=wide><h2>Live events</h2><table><tr><th>when</th><th>event</th><th>event_id</th><th>pixel</th><th>match keys</th><th>Meta's answer</th></tr>"
        for e in s.recent.prefix(50) {
            let cls =
                e.outcome == "delivered"
                ? "ok"
                : (e.outcome.hasPrefix("dropped") || e.outcome == "queued" || e.outcome == "retrying" ? "warn" : "bad")
            h +=
                "<tr><td>\(ago(e.receivedAtMs, nowMs))</td><td>\(esc(e.eventName))</td><td><code>\(esc(e.eventID))</code>\(e.mintedID ? " <small>(minted)</small>" : "")</td>"
            h += "<td><code>\(esc(e.pixelID))</code></td><td>\(esc(e.keys.joined(separator: " ")))</td>"
            h +=
                "<td class=\(cls)>\(esc(e.outcome))\(e.fbtraceID.map { " <small><code>\(esc($0))</code></small>" } ?? "")\(e.error.map { "<br><small>\(esc($0))</small>" } ?? "")</td></tr>"
        }
        h += "</table></section>"
        if config.isDryRun, let last = s.dryRunBodies.last {
            h +=
                "<section class=wide><h2>Last dry-run request body (token redacted)</h2><pre style=\"white-space:pre-wrap;font-size:12px\">\(esc(last.utf8Prefix(4000)))</pre></section>"
        }
        h += "</main></body></html>"
        return h
    }

    static func bar(_ n: Int, of total: Int) -> String {
        let pct = total == 0 ? 0 : n * 100 / total
        let color = pct >= 80 ? "#1a7f37" : (pct >= 40 ? "#d08700" : "#c62828")
        return
            "<svg width=60 height=10><rect width=60 height=10 fill=#eee /><rect width=\(pct * 60 / 100) height=10 fill=\(color) /></svg> \(pct)%"
    }

    static func chart(_ perMinute: [Int64: [String: Int]], nowMs: Int64) -> String {
        let now = nowMs / 60_000
        let totals = (0..<60).map { i in perMinute[now - 59 + Int64(i)]?.values.reduce(0, +) ?? 0 }
        let peak = max(totals.max() ?? 0, 1)
        var svg = "<svg viewBox=\"0 0 600 120\" width=\"100%\" height=120 role=img aria-label=\"events per minute\">"
        for (i, v) in totals.enumerated() {
            let height = v * 100 / peak
            svg +=
                "<rect x=\(i * 10 + 1) y=\(110 - height) width=8 height=\(height) fill=#4267b2><title>\(v) events</title></rect>"
        }
        svg += "<text x=0 y=10 font-size=10 fill=#666>peak \(peak)/min</text></svg>"
        return svg
    }

    static func ago(_ ms: Int64, _ now: Int64) -> String {
        let s = max(0, (now - ms) / 1000)
        if s < 60 { return "\(s)s ago" }
        if s < 3600 { return "\(s / 60)m ago" }
        return "\(s / 3600)h ago"
    }

    /// HTML-escapes text for element content and quoted attribute values.
    static func esc(_ s: String) -> String {
        // Byte by byte, not by Character: a grapheme cluster can hold a `<` (after a prepend mark such
        // as U+0600) or a `"` (before a combining mark), and the browser's tokenizer sees the code point.
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
