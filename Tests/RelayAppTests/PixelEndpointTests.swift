// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

/// `GET /tr` and `POST /tr` with Meta-Pixel parameters, end to end.
@Suite("The /tr pixel endpoint (real binary)")
struct PixelEndpointTests {
    static let emailHash = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"

    /// Pixel parameters for one Purchase, percent-encoded as the Meta Pixel sends them (or with raw brackets).
    static func query(id: String, encodeBrackets: Bool) -> String {
        let pairs = [
            ("id", E2E.shopPixel), ("ev", "Purchase"), ("eid", id), ("dl", "https://shop.example.com/thank-you?o=1"),
            ("rl", "https://shop.example.com/cart"), ("cd[value]", "12.50"), ("cd[currency]", "EUR"),
            ("cd[content_ids]", "[\"sku-1\",\"sku-2\"]"), ("ud[em]", "John_Smith@gmail.com"),
            ("fbp", "fb.1.1700000000000.42424242"),
        ]
        return pairs.map { key, value in
            (encodeBrackets ? QueryString.encode(key) : key) + "=" + QueryString.encode(value)
        }.joined(separator: "&")
    }

    @Test(
        "GET /tr answers a 1x1 GIF and forwards the event with numeric cd[value] and hashed ud[em]",
        arguments: [true, false])
    func getPixel(encodeBrackets: Bool) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let r = try await E2EClient.send(
            port: gw.port, "GET", "/tr?" + Self.query(id: id, encodeBrackets: encodeBrackets),
            headers: [("Host", "track.example.com"), ("User-Agent", E2E.browserUA)])
        #expect(r.status == 200, "\(r.text)")
        #expect(r.header("Content-Type") == "image/gif")
        #expect(r.body.starts(with: Array("GIF89a".utf8)))
        let event = try #require(await gw.dryRun.find(eventID: id)?.event)
        #expect(event["event_name"]?.stringValue == "Purchase")
        #expect(event["event_source_url"]?.stringValue == "https://shop.example.com/thank-you?o=1")
        #expect(event["referrer_url"]?.stringValue == "https://shop.example.com/cart")
        #expect(event["custom_data"]?["value"] == .number("12.50"))
        #expect(event["custom_data"]?["currency"]?.stringValue == "EUR")
        #expect(event["custom_data"]?["content_ids"]?.strings == ["sku-1", "sku-2"])
        #expect(event["user_data"]?["em"] == .array([.string(Self.emailHash)]))
        #expect(event["user_data"]?["fbp"]?.stringValue == "fb.1.1700000000000.42424242")
        #expect(event["user_data"]?["client_user_agent"]?.stringValue == E2E.browserUA)
    }

    @Test("POST /tr with a form body answers 204 and forwards the event")
    func postPixel() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let r = try await E2EClient.send(
            port: gw.port, "POST", "/tr",
            headers: [
                ("Host", "track.example.com"), ("User-Agent", E2E.browserUA),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body: Array(Self.query(id: id, encodeBrackets: true).utf8))
        #expect(r.status == 204, "\(r.text)")
        #expect(r.body.isEmpty)
        #expect(await gw.dryRun.find(eventID: id)?.event["custom_data"]?["value"] == .number("12.50"))
    }

    @Test(
        "POST /tr with id and ev in the URL and the rest as a form body forwards the event; the body wins a repeated name"
    )
    func postPixelWithQuery() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let body = Self.query(id: id, encodeBrackets: true).split(separator: "&")
            .filter { !$0.hasPrefix("id=") && !$0.hasPrefix("ev=") }.joined(separator: "&")
        let r = try await E2EClient.send(
            port: gw.port, "POST", "/tr?id=\(E2E.shopPixel)&ev=Lead&cd%5Bcurrency%5D=USD",
            headers: [
                ("Host", "track.example.com"), ("User-Agent", E2E.browserUA),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body: Array(body.utf8))
        #expect(r.status == 204, "\(r.text)")
        let event = try #require(await gw.dryRun.find(eventID: id)?.event)
        #expect(event["event_name"]?.stringValue == "Lead")
        #expect(event["custom_data"]?["currency"]?.stringValue == "EUR")
        #expect(event["user_data"]?["em"] == .array([.string(Self.emailHash)]))
    }

    @Test("HEAD /tr answers the GIF's headers without a body and records no event")
    func headPixel() async throws {
        let gw = try await E2E.main.get()
        let headID = E2EJSON.uniqueID()
        let getID = E2EJSON.uniqueID()
        let head = try await E2EClient.send(
            port: gw.port, "HEAD", "/tr?" + Self.query(id: headID, encodeBrackets: true),
            headers: [("Host", "track.example.com"), ("User-Agent", E2E.browserUA)])
        #expect(head.status == 200)
        #expect(head.header("Content-Type") == "image/gif")
        #expect(head.body.isEmpty)
        // Same pixel, sent after: forwarding is FIFO per pixel, so a recorded HEAD would show up first.
        let get = try await E2EClient.send(
            port: gw.port, "GET", "/tr?" + Self.query(id: getID, encodeBrackets: true),
            headers: [("Host", "track.example.com"), ("User-Agent", E2E.browserUA)])
        #expect(get.status == 200)
        #expect(await gw.dryRun.find(eventID: getID) != nil)
        #expect(await gw.dryRun.find(eventID: headID, timeoutMs: 200) == nil)
    }

    @Test("GET /tr without an event name is answered 400 with a JSON error")
    func missingEventName() async throws {
        let gw = try await E2E.main.get()
        let r = try await E2EClient.send(
            port: gw.port, "GET", "/tr?id=\(E2E.shopPixel)&dl=https%3A%2F%2Fshop.example.com%2F",
            headers: [("User-Agent", E2E.browserUA)])
        #expect(r.status == 400)
        #expect(r.json?["error"]?.stringValue?.contains("ev") == true, "\(r.text)")
    }

    @Test(
        "a /tr ts that is not a number is ignored: the event gets the receive time",
        arguments: ["abc", "", "-5", "1e9"])
    func badTimestamp(ts: String) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let before = wallSeconds()
        let r = try await E2EClient.send(
            port: gw.port, "GET",
            "/tr?ev=PageView&eid=\(id)&ts=\(QueryString.encode(ts))&dl=\(QueryString.encode("https://shop.example.com/"))",
            headers: [("User-Agent", E2E.browserUA)])
        #expect(r.status == 200, "\(r.text)")
        let sent = try #require(await gw.dryRun.find(eventID: id)?.event["event_time"]?.int64Value)
        #expect((before - 1...wallSeconds() + 1).contains(sent))
    }

    @Test("a /tr ts in milliseconds becomes seconds")
    func millisecondTimestamp() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let ms = E2EJSON.nowMs() - 30_000
        let r = try await E2EClient.send(
            port: gw.port, "GET",
            "/tr?ev=PageView&eid=\(id)&ts=\(ms)&dl=\(QueryString.encode("https://shop.example.com/"))",
            headers: [("User-Agent", E2E.browserUA)])
        #expect(r.status == 200, "\(r.text)")
        #expect(await gw.dryRun.find(eventID: id)?.event["event_time"]?.int64Value == ms / 1000)
    }
}
