// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

/// Valid events that are accepted but never forwarded: consent denied, bots (S6), the site's deny list.
@Suite("Events accepted but not forwarded (real binary)")
struct ForwardingPolicyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var userAgent: String
        var eventName: String
        var extra: String
        var reason: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "consent ad_storage denied", userAgent: E2E.browserUA, eventName: "PageView",
            extra: "\"consent\":{\"ad_storage\":\"denied\"}", reason: "consent"),
        Case(
            label: "Meta's crawler",
            userAgent: "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            eventName: "PageView", extra: "", reason: "bot"),
        Case(
            label: "a search bot",
            userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            eventName: "PageView", extra: "", reason: "bot"),
        Case(
            label: "a bot that also names a Cubot",
            userAgent: "Mozilla/5.0 (Linux; Android 11; CUBOT X30) (compatible; Googlebot/2.1)",
            eventName: "PageView", extra: "", reason: "bot"),
        Case(
            label: "the site's deny list", userAgent: E2E.browserUA, eventName: "InternalTest", extra: "",
            reason: "filtered"),
    ]

    /// A gateway for `notForwarded` alone, whose cases run one at a time: each counter then moves by
    /// exactly this test's event (on the shared gateway other tests' drops would satisfy the check).
    static let gateway = E2EShared {
        try E2EGateway(
            config: """
                { "server": { "rate_limit": { "per_second": 0 } }, "graph_api": { "linger_ms": 0 },
                  "sites": [ { "name": "shop", "domains": ["shop.example.com"], "allowed_origins": ["\(E2E.shopOrigin)"],
                               "pixels": [ { "pixel_id": "\(E2E.shopPixel)" } ], "events": { "deny": ["InternalTest"] } } ] }
                """)
    }

    static func droppedCount(_ reason: String, on gw: E2EGateway) async throws -> Double {
        let lines = try await E2EClient.send(port: gw.port, "GET", "/metrics").text.split(separator: "\n").map(
            String.init)
        return OperationalEndpointTests.sample(lines, "pixelrelay_events_dropped_total{reason=\"\(reason)\"}") ?? 0
    }

    @Test(
        "the event is accepted with 202, listed as dropped with its reason, counted once, and never forwarded",
        .serialized, arguments: cases)
    func notForwarded(_ c: Case) async throws {
        let gw = try await Self.gateway.get()
        let before = try await Self.droppedCount(c.reason, on: gw)
        let id = E2EJSON.uniqueID()
        var headers = E2E.browserHeaders()
        headers[1] = ("User-Agent", c.userAgent)
        let r = try await E2E.post(E2E.event(c.eventName, id: id, extra: c.extra), headers: headers, on: gw)
        #expect(r.status == 202, "\(r.text)")
        let json = try #require(r.json)
        #expect(json["accepted"]?.int64Value == 1)
        #expect(json["event_ids"]?.strings == [id])
        let dropped = json["dropped"]?.arrayValue?.first
        #expect(dropped?["index"]?.int64Value == 0)
        #expect(dropped?["reason"]?.stringValue == c.reason)

        // Per-pixel FIFO: once a later event of the same pixel is out, the dropped one never will be.
        let marker = E2EJSON.uniqueID()
        #expect(try await E2E.post(E2E.event(id: marker), on: gw).status == 202)
        #expect(await gw.dryRun.find(eventID: marker) != nil)
        #expect(!gw.dryRun.mentions(id))

        #expect(try await Self.droppedCount(c.reason, on: gw) == before + 1, "dropped_total{reason=\(c.reason)}")
    }

    @Test("in a batch only the consent-denied event is held back; its sibling is forwarded")
    func mixedConsent() async throws {
        let gw = try await E2E.main.get()
        let denied = E2EJSON.uniqueID()
        let granted = E2EJSON.uniqueID()
        let body =
            "[\(E2E.event(id: denied, extra: "\"consent\":{\"ad_storage\":\"denied\"}")),"
            + "\(E2E.event(id: granted, extra: "\"consent\":{\"ad_storage\":\"granted\"}"))]"
        let r = try await E2E.post(body, on: gw)
        #expect(r.status == 202, "\(r.text)")
        #expect(r.json?["accepted"]?.int64Value == 2)
        #expect(r.json?["dropped"]?.arrayValue?.count == 1)
        #expect(await gw.dryRun.find(eventID: granted) != nil)
        #expect(!gw.dryRun.mentions(denied))
    }

    static func botGateway(_ bots: String) async throws -> E2EGateway {
        try await E2EGateway.start(
            config: """
                { "bots": \(bots),
                  "sites": [ { "name": "shop", "domains": ["shop.example.com"],
                               "allowed_origins": ["\(E2E.shopOrigin)"],
                               "pixels": [ { "pixel_id": "\(E2E.shopPixel)" } ] } ],
                  "graph_api": { "linger_ms": 0 } }
                """)
    }

    /// Posts one event with `userAgent`; its id and the answer's dropped reason (nil: not dropped).
    static func post(userAgent: String, on gw: E2EGateway) async throws -> (id: String, dropped: String?) {
        var headers = E2E.browserHeaders()
        headers[1] = ("User-Agent", userAgent)
        let id = E2EJSON.uniqueID()
        let r = try await E2E.post(E2E.event(id: id), headers: headers, on: gw)
        #expect(r.status == 202, "\(r.text)")
        return (id, r.json?["dropped"]?.arrayValue?.first?["reason"]?.stringValue)
    }

    static let googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

    @Test("with bots.drop false a crawler's event is forwarded like any other")
    func botsForwardedWhenDropIsOff() async throws {
        let gw = try await Self.botGateway(#"{ "drop": false }"#)
        defer { _ = gw.process.stop() }
        let crawler = try await Self.post(userAgent: Self.googlebot, on: gw)
        #expect(crawler.dropped == nil)
        #expect(await gw.dryRun.find(eventID: crawler.id) != nil)
    }

    @Test("bots.extra_patterns mark more user agents as bots (case-insensitive); other agents still pass")
    func extraBotPatterns() async throws {
        let gw = try await Self.botGateway(#"{ "extra_patterns": ["AcmeMonitor"] }"#)
        defer { _ = gw.process.stop() }
        let monitor = try await Self.post(userAgent: "acmemonitor/3.1 (uptime check)", on: gw)
        #expect(monitor.dropped == "bot")
        let crawler = try await Self.post(userAgent: Self.googlebot, on: gw)
        #expect(crawler.dropped == "bot", "the built-in list still applies")
        let human = try await Self.post(userAgent: E2E.browserUA, on: gw)
        #expect(human.dropped == nil)
        // FIFO per pixel: once the later human event is out, the bots' never will be.
        #expect(await gw.dryRun.find(eventID: human.id) != nil)
        #expect(!gw.dryRun.mentions(monitor.id) && !gw.dryRun.mentions(crawler.id))
    }

    static let humanAgents = [
        "Mozilla/5.0 (Linux; Android 11; CUBOT KINGKONG 5 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    ]

    @Test("a phone whose model name merely contains \"bot\" is a human and is forwarded", arguments: humanAgents)
    func humanPhones(userAgent: String) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        var headers = E2E.browserHeaders()
        headers[1] = ("User-Agent", userAgent)
        let r = try await E2E.post(E2E.event(id: id), headers: headers, on: gw)
        #expect(r.status == 202, "\(r.text)")
        #expect(r.json?["dropped"] == nil, "\(r.text)")
        #expect(await gw.dryRun.find(eventID: id)?.event["user_data"]?["client_user_agent"]?.stringValue == userAgent)
    }
}
