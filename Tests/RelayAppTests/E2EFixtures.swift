// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import Synchronization

/// The binaries the end-to-end suites share, each started on first use, and the values their configs use.
enum E2E {
    static let shopPixel = "111111111111111"
    static let secondShopPixel = "333333333333333"
    static let secondTestEventCode = "TEST3333"
    static let localPixel = "222222222222222"
    static let shopOrigin = "https://shop.example.com"
    static let localOrigin = "http://localhost:8000"
    static let ingestKey = "e2e-ingest-key-0123456789"
    static let testEventCode = "TEST4242"
    static let browserUA =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"
    static let maxBodyBytes = 4096

    /// A dry-run gateway with two sites: `shop` (two pixels told apart by their test codes, cookie domain
    /// `example.com`, default country `us`, an ingest key, a deny list, a no-code rule) and `local`
    /// (host-only cookies on `localhost`). Only `127.0.0.1` is a trusted proxy, so a client bound to
    /// `127.0.0.2` is an untrusted loopback peer. Bound on all
    /// interfaces so a non-loopback peer can be tried too. No rate limit. Logs at `trace`, so the log checks
    /// (S1) cover every level.
    static let main = E2EShared {
        try E2EGateway(
            config: """
                {
                  "server": { "trusted_proxies": ["127.0.0.1/32"], "max_body_bytes": \(maxBodyBytes),
                              "rate_limit": { "per_second": 0 } },
                  "graph_api": { "linger_ms": 0 },
                  "sites": [
                    { "name": "shop", "domains": ["shop.example.com", "example.com"],
                      "allowed_origins": ["\(shopOrigin)"], "cookie_domain": "example.com", "default_country": "us",
                      "pixels": [ { "pixel_id": "\(shopPixel)", "test_event_code": "\(testEventCode)" },
                                  { "pixel_id": "\(secondShopPixel)", "test_event_code": "\(secondTestEventCode)" } ],
                      "events": { "deny": ["InternalTest"] },
                      "rules": [ { "selector": "#attend", "event": "Lead" } ],
                      "ingest_keys": ["\(ingestKey)"] },
                    { "name": "local", "domains": ["localhost"], "allowed_origins": ["\(localOrigin)"],
                      "pixels": [ { "pixel_id": "\(localPixel)" } ] }
                  ]
                }
                """,
            environment: ["PIXELRELAY_LOG_LEVEL": "trace"], arguments: ["--host", "0.0.0.0"])
    }

    /// A dry-run gateway with a tiny per-client rate limit (burst 2, 1 per second); `127.0.0.1` is trusted,
    /// so clients are told apart by `X-Forwarded-For`. Bodies up to 256 KiB (room for 1,000 events).
    static let rateLimited = E2EShared {
        try E2EGateway(
            config: """
                { "server": { "trusted_proxies": ["127.0.0.1/32"], "rate_limit": { "per_second": 1, "burst": 2 },
                              "max_body_bytes": 262144 } }
                """)
    }

    /// A dry-run gateway configured through the environment (single-site shortcut, admin token), whose file
    /// only moves the beacon endpoint to `/collect`.
    static let adminToken = "e2e-admin-" + UUID().uuidString
    static let envOrigins = ["https://a.example", "https://b.example:8443"]
    static let admin = E2EShared {
        try E2EGateway(
            config: "{ \"server\": { \"events_path\": \"/collect\" }, \"graph_api\": { \"linger_ms\": 0 } }",
            environment: [
                "PIXELRELAY_ADMIN_TOKEN": adminToken, "PIXELRELAY_PIXEL_ID": shopPixel,
                "PIXELRELAY_ALLOWED_ORIGINS": envOrigins.joined(separator: ","),
            ])
    }

    /// One browser event as JSON text.
    static func event(
        _ name: String = "PageView", id: String? = nil, url: String? = "https://shop.example.com/p/1",
        extra: String = ""
    ) -> String {
        var fields = ["\"event_name\":\(E2EJSON.quote(name))"]
        if let id { fields.append("\"event_id\":\(E2EJSON.quote(id))") }
        if let url { fields.append("\"event_source_url\":\(E2EJSON.quote(url))") }
        if !extra.isEmpty { fields.append(extra) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The headers a browser on the shop site sends with a beacon.
    static func browserHeaders(origin: String? = shopOrigin, host: String = "track.example.com") -> [(String, String)] {
        var h: [(String, String)] = [
            ("Host", host), ("User-Agent", browserUA), ("Content-Type", "text/plain;charset=UTF-8"),
        ]
        if let origin { h.append(("Origin", origin)) }
        return h
    }

    /// POSTs a beacon to `/events` on `gateway`.
    static func post(
        _ body: String, headers: [(String, String)] = browserHeaders(), source: String? = nil, on gateway: E2EGateway
    ) async throws -> E2EResponse {
        try await E2EClient.send(
            port: gateway.port, "POST", "/events", headers: headers, body: Array(body.utf8), source: source)
    }
}

/// A shared gateway, started on first use (off the concurrency pool) and then reused by every test.
final class E2EShared: Sendable {
    private let start: @Sendable () throws -> E2EGateway
    private let task = Mutex<Task<E2EGateway, any Error>?>(nil)

    init(_ start: @escaping @Sendable () throws -> E2EGateway) {
        self.start = start
    }

    /// The running gateway; throws when it failed to start.
    func get() async throws -> E2EGateway {
        let start = self.start
        let running = task.withLock { task in
            if let task { return task }
            let started = Task { try await offPool(start) }
            task = started
            return started
        }
        return try await running.value
    }
}
