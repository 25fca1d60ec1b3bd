// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

/// `_fbp` / `_fbc` over the wire (interface.md §3): minted, set as first-party cookies, used on the very
/// event that caused them, and passed through byte-for-byte when the browser already has them.
@Suite("_fbp and _fbc cookies (real binary)")
struct CookieTests {
    struct Placement: Sendable, CustomTestStringConvertible {
        var label: String
        var origin: String
        var host: String
        var url: String
        var index: Int
        var domain: String?
        var secure: Bool
        var testDescription: String { label }
    }

    static let placements: [Placement] = [
        Placement(
            label: "cookie_domain example.com", origin: E2E.shopOrigin, host: "track.example.com",
            url: "https://shop.example.com/a",
            index: 1, domain: "example.com", secure: true),
        Placement(
            label: "host-only localhost", origin: E2E.localOrigin, host: "localhost:8080",
            url: "http://localhost:8000/a",
            index: 0, domain: nil, secure: false),
        Placement(
            label: "host-only IP literal", origin: E2E.localOrigin, host: "127.0.0.1", url: "http://localhost:8000/a",
            index: 0, domain: nil, secure: false),
        Placement(
            label: "host-only four-label host", origin: E2E.localOrigin, host: "t.a.example.net",
            url: "http://localhost:8000/a",
            index: 3, domain: nil, secure: true),
    ]

    /// The attributes every server-set cookie carries after its value.
    static func attributes(domain: String?, secure: Bool) -> String {
        "; Max-Age=7776000; Path=/; SameSite=Lax" + (domain.map { "; Domain=\($0)" } ?? "") + (secure ? "; Secure" : "")
    }

    /// Splits `fb.{index}.{ms}.{payload}`.
    static func parts(_ value: String) -> (index: Int, ms: Int64, payload: String)? {
        let p = value.split(separator: ".", maxSplits: 3).map(String.init)
        guard p.count == 4, p[0] == "fb", let i = Int(p[1]), let ms = Int64(p[2]) else { return nil }
        return (i, ms, p[3])
    }

    @Test(
        "a beacon without _fbp gets a minted one as Set-Cookie, and the event carries the same value",
        arguments: placements)
    func mintsFbp(_ placement: Placement) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let before = E2EJSON.nowMs()
        let r = try await E2E.post(
            E2E.event(id: id, url: placement.url),
            headers: E2E.browserHeaders(origin: placement.origin, host: placement.host), on: gw)
        let after = E2EJSON.nowMs()
        #expect(r.status == 202, "\(r.text)")
        let header = try #require(r.setCookie("_fbp"), "no _fbp Set-Cookie in \(r.headers)")
        let value = String(header.dropFirst(5).prefix { $0 != ";" })
        #expect(header == "_fbp=" + value + Self.attributes(domain: placement.domain, secure: placement.secure))
        let p = try #require(Self.parts(value), "\(value)")
        #expect(p.index == placement.index)
        #expect((before...after).contains(p.ms))
        #expect(!p.payload.isEmpty && p.payload.allSatisfy(\.isNumber))
        #expect(r.setCookie("_fbc") == nil)
        #expect(await gw.dryRun.find(eventID: id)?.event["user_data"]?["fbp"]?.stringValue == value)
    }

    @Test(
        "a valid _fbp cookie is not set again and reaches Meta byte-for-byte; an invalid one is replaced",
        arguments: [
            ("fb.1.1700000000000.1234567890", true), ("fb.2.1700000000000.AbCdEf.SuffiX", true), ("garbage", false),
        ])
    func keepsFbp(cookie: String, valid: Bool) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let r = try await E2E.post(
            E2E.event(id: id), headers: E2E.browserHeaders() + [("Cookie", "theme=dark; _fbp=\(cookie)")], on: gw)
        #expect(r.status == 202, "\(r.text)")
        let sent = await gw.dryRun.find(eventID: id)?.event["user_data"]?["fbp"]?.stringValue
        if valid {
            #expect(r.setCookie("_fbp") == nil)
            #expect(sent == cookie)
        } else {
            let header = try #require(r.setCookie("_fbp"))
            #expect(sent != nil && header.hasPrefix("_fbp=\(sent ?? "?");"))
        }
    }

    enum ClickCase: String, CaseIterable, Sendable {
        case noCookie, sameClickID, newClickID
    }

    @Test(
        "fbclid mints _fbc; the same click id with the cookie keeps it unchanged; a new click id mints a new one",
        arguments: ClickCase.allCases)
    func fbclid(_ c: ClickCase) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let clickID = "IwAR_e2e" + String(id.suffix(12))
        let oldCookie = "fb.1.1700000000000." + (c == .sameClickID ? clickID : "IwAR_previous")
        var headers = E2E.browserHeaders() + [("Cookie", "_fbp=fb.1.1700000000000.1111111111")]
        if c != .noCookie { headers[headers.count - 1].1 += "; _fbc=\(oldCookie)" }
        let before = E2EJSON.nowMs()
        let r = try await E2E.post(
            E2E.event(id: id, url: "https://shop.example.com/land?utm_source=fb&fbclid=\(clickID)"), headers: headers,
            on: gw)
        let after = E2EJSON.nowMs()
        #expect(r.status == 202, "\(r.text)")
        let sent = await gw.dryRun.find(eventID: id)?.event["user_data"]?["fbc"]?.stringValue
        switch c {
        case .sameClickID:
            #expect(r.setCookie("_fbc") == nil)
            #expect(sent == oldCookie)
        case .noCookie, .newClickID:
            let header = try #require(r.setCookie("_fbc"), "no _fbc Set-Cookie in \(r.headers)")
            let value = String(header.dropFirst(5).prefix { $0 != ";" })
            #expect(header == "_fbc=" + value + Self.attributes(domain: "example.com", secure: true))
            let p = try #require(Self.parts(value))
            #expect(p.index == 1 && p.payload == clickID && (before...after).contains(p.ms))
            #expect(sent == value)
        }
        #expect(r.setCookie("_fbp") == nil)
    }

    struct HostileCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var url: String
        var user: String?
    }

    static let hostile: [HostileCase] = [
        HostileCase(
            testDescription: "a fbclid with CR LF and a second Set-Cookie",
            url: "https://shop.example.com/?fbclid=x%0D%0ASet-Cookie:%20sid%3Devil%3B%20Domain%3Dexample.com"),
        HostileCase(
            testDescription: "a fbclid with a bare LF and another header",
            url: "https://shop.example.com/?fbclid=x%0AX-Injected:%201"),
        HostileCase(
            testDescription: "a fbclid with ; and a Domain attribute",
            url: "https://shop.example.com/?fbclid=IwAR%3B%20Domain%3Dexample.org"),
        HostileCase(
            testDescription: "a body fbp with CR LF and a header",
            url: "https://shop.example.com/a", user: #""fbp":"fb.1.1700000000000.x\r\nX-Injected: 1""#),
        HostileCase(
            testDescription: "a body fbc with ; and an attribute",
            url: "https://shop.example.com/?fbclid=IwAR_ok",
            user: #""fbc":"fb.1.1700000000000.IwAR_ok; Domain=evil.test""#),
    ]

    @Test(
        "a link's fbclid or a page's fbp/fbc that is not a plain cookie value never reaches a Set-Cookie header",
        arguments: hostile)
    func noHeaderInjection(_ c: HostileCase) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let extra = c.user.map { "\"user_data\":{\($0)}" } ?? ""
        let r = try await E2E.post(
            E2E.event(id: id, url: c.url, extra: extra), on: gw)
        #expect(r.status == 202, "\(r.text)")
        #expect(r.headers("X-Injected").isEmpty, "\(r.headers)")
        for cookie in r.headers("Set-Cookie") {
            #expect(cookie.hasPrefix("_fbp=") || cookie.hasPrefix("_fbc="), "\(r.headers)")
            let value = String(cookie.drop { $0 != "=" }.dropFirst().prefix { $0 != ";" })
            #expect(FacebookCookies.isWellFormed(value), "\(cookie)")
            #expect(!cookie.contains("evil") && !cookie.contains("example.org"), "\(cookie)")
        }
        #expect(await gw.dryRun.find(eventID: id) != nil)
    }

    @Test("GET /tr with a fbc parameter holding CR LF answers the GIF without the injected header")
    func noHeaderInjectionFromPixel() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let r = try await E2EClient.send(
            port: gw.port, "GET",
            "/tr?id=\(E2E.shopPixel)&ev=PageView&eid=\(id)&dl=https%3A%2F%2Fshop.example.com%2F"
                + "&fbc=fb.1.1764412700000.x%0D%0AX-Injected:%201",
            headers: [("Host", "track.example.com"), ("User-Agent", E2E.browserUA)])
        #expect(r.status == 200, "\(r.text)")
        #expect(r.headers("X-Injected").isEmpty, "\(r.headers)")
        #expect(r.setCookie("_fbc") == nil, "\(r.headers)")
        #expect(await gw.dryRun.find(eventID: id) != nil)
    }

    @Test("with ad_storage denied no _fbp or _fbc cookie is set, even for a new click id")
    func noCookiesWithoutConsent() async throws {
        let gw = try await E2E.main.get()
        let r = try await E2E.post(
            E2E.event(
                url: "https://shop.example.com/?fbclid=IwAR_denied", extra: "\"consent\":{\"ad_storage\":\"denied\"}"),
            on: gw)
        #expect(r.status == 202, "\(r.text)")
        #expect(r.headers("Set-Cookie").isEmpty, "\(r.headers)")
    }

    @Test("_fbp split across two Cookie header fields is still found and kept")
    func twoCookieFields() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let headers =
            E2E.browserHeaders() + [("Cookie", "theme=dark"), ("Cookie", "_fbp=fb.1.1700000000000.987654321")]
        let r = try await E2E.post(E2E.event(id: id), headers: headers, on: gw)
        #expect(r.status == 202, "\(r.text)")
        #expect(r.setCookie("_fbp") == nil)
        #expect(
            await gw.dryRun.find(eventID: id)?.event["user_data"]?["fbp"]?.stringValue == "fb.1.1700000000000.987654321"
        )
    }

    @Test("fbp and fbc in the body win over the cookies and reach Meta byte-for-byte")
    func bodyWins() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let user =
            "\"user_data\":{\"fbp\":\"fb.1.1700000000001.BodyFbp\",\"fbc\":\"fb.1.1700000000001.BodyClick.AbCd\"}"
        let headers =
            E2E.browserHeaders() + [("Cookie", "_fbp=fb.1.1700000000000.111; _fbc=fb.1.1700000000000.CookieClick")]
        let r = try await E2E.post(E2E.event(id: id, extra: user), headers: headers, on: gw)
        #expect(r.status == 202, "\(r.text)")
        let userData = try #require(await gw.dryRun.find(eventID: id)?.event["user_data"])
        #expect(userData["fbp"]?.stringValue == "fb.1.1700000000001.BodyFbp")
        #expect(userData["fbc"]?.stringValue == "fb.1.1700000000001.BodyClick.AbCd")
    }

    @Test("every event of one request carries the same minted _fbp, set once")
    func oneMintPerRequest() async throws {
        let gw = try await E2E.main.get()
        let ids = [E2EJSON.uniqueID(), E2EJSON.uniqueID(), E2EJSON.uniqueID()]
        let r = try await E2E.post("[" + ids.map { E2E.event(id: $0) }.joined(separator: ",") + "]", on: gw)
        #expect(r.status == 202, "\(r.text)")
        let cookies = r.headers("Set-Cookie").filter { $0.hasPrefix("_fbp=") }
        try #require(cookies.count == 1, "\(r.headers)")
        let value = String(cookies[0].dropFirst(5).prefix { $0 != ";" })
        for id in ids { #expect(await gw.dryRun.find(eventID: id)?.event["user_data"]?["fbp"]?.stringValue == value) }
    }

    @Test(
        "a body fbc holding the page's click id is forwarded as sent (the body wins) and persisted as the cookie"
    )
    func provisionalFbc() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let click = "IwAR_prov" + String(id.suffix(8))
        let provisional = "fb.1.1700000000000.\(click)"
        let before = E2EJSON.nowMs()
        let r = try await E2E.post(
            E2E.event(
                id: id, url: "http://localhost:8000/?fbclid=\(click)",
                extra: "\"user_data\":{\"fbc\":\"\(provisional)\"}"),
            headers: E2E.browserHeaders(origin: E2E.localOrigin, host: "localhost"), on: gw)
        #expect(r.status == 202, "\(r.text)")
        let header = try #require(r.setCookie("_fbc"), "\(r.headers)")
        let value = String(header.dropFirst(5).prefix { $0 != ";" })
        #expect(value == provisional)
        #expect(await gw.dryRun.find(eventID: id)?.event["user_data"]?["fbc"]?.stringValue == provisional)

        // Without a body fbc, a new click id mints one with the cookie's subdomain index and the gateway's clock.
        let mintedID = E2EJSON.uniqueID()
        let fresh = "IwAR_new" + String(mintedID.suffix(8))
        let m = try await E2E.post(
            E2E.event(id: mintedID, url: "http://localhost:8000/?fbclid=\(fresh)"),
            headers: E2E.browserHeaders(origin: E2E.localOrigin, host: "localhost"), on: gw)
        let mintedHeader = try #require(m.setCookie("_fbc"), "\(m.headers)")
        let minted = try #require(Self.parts(String(mintedHeader.dropFirst(5).prefix { $0 != ";" })))
        #expect(minted.index == 0 && minted.payload == fresh && minted.ms >= before)

        // The next beacon of the page view has the cookie: it is not set again, whatever the snippet sends.
        for sent in [provisional, "fb.1.1700000000000.IwAR_stale"] {
            let next = E2EJSON.uniqueID()
            let again = try await E2E.post(
                E2E.event(
                    id: next, url: "http://localhost:8000/?fbclid=\(click)",
                    extra: "\"user_data\":{\"fbc\":\"\(sent)\"}"),
                headers: E2E.browserHeaders(origin: E2E.localOrigin, host: "localhost") + [("Cookie", "_fbc=\(value)")],
                on: gw)
            #expect(again.status == 202)
            #expect(again.setCookie("_fbc") == nil, "\(again.headers)")
            let forwarded = await gw.dryRun.find(eventID: next)?.event["user_data"]?["fbc"]?.stringValue
            #expect(forwarded.flatMap { Self.parts($0)?.payload } == click, "\(forwarded ?? "nil")")
        }
    }
}
