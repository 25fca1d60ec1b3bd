// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayCore

/// The byte-level fast paths of per-beacon helpers must agree with the grapheme-based definitions
/// they shortcut (copied here as the reference).
@Suite("ASCII fast paths agree with the Character-based definitions")
struct ASCIIFastPathTests {
    static func referenceValue(named name: String, inURL url: String) -> String? {
        guard let q = url.firstIndex(of: "?") else { return nil }
        var query = url[url.index(after: q)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        for pair in QueryString.parse(query) where pair.key == name { return pair.value }
        return nil
    }

    static let urls = [
        "https://shop.example.com/checkout?order=1&fbclid=IwAR2x&utm_source=a", "https://x.test/?fbclid=",
        "https://x.test/?fbclid",
        "https://x.test/?a=1&&fbclid=abc#frag", "https://x.test/#frag?fbclid=abc", "https://x.test/?x=1#fbclid=abc",
        "https://x.test/?fbcl%69d=enc&fbclid=plain", "https://x.test/?fbclid=a%20b+c&fbclid=second",
        "https://x.test/?fbclid=%zz",
        "https://x.test/?FBCLID=upper", "https://x.test/?fbclid=caf%C3%A9", "https://x.test/é?fbclid=nonascii",
        "https://x.test/?\u{301}fbclid=mark", "https://x.test/path", "", "?fbclid=only", "https://x.test/?fbclid=1=2",
        "https://x.test/?a=b+c&fb+clid=plus",
    ]

    @Test("value(named:inURL:) matches the reference", arguments: urls)
    func queryValue(url: String) {
        for name in ["fbclid", "fb clid", "a", "é"] {
            #expect(
                QueryString.value(named: name, inURL: url) == Self.referenceValue(named: name, inURL: url), "\(name)")
        }
    }

    static func referenceSubdomainIndex(cookieDomain: String?, requestHost: String) -> Int {
        let domain = (cookieDomain?.isEmpty == false ? cookieDomain! : requestHost).trimmingDots()
        if domain == "localhost" || domain.contains(":") || domain.allSatisfy({ $0.isASCIIDigit || $0 == "." }) {
            return 0
        }
        return max(domain.split(separator: ".").count - 1, 0)
    }

    static let hosts = [
        "shop.example.com", "example.com", "localhost", ".example.com.", "a..b.c", "127.0.0.1", "::1", "[::1]:8080", "",
        "...", "x", "track.shop.example.co.uk", "LOCALHOST", "1.2.3", "1a.2.3", "bücher.de", "例え.jp",
    ]

    @Test("subdomainIndex matches the reference", arguments: hosts)
    func subdomainIndex(host: String) {
        #expect(
            FacebookCookies.subdomainIndex(cookieDomain: nil, requestHost: host)
                == Self.referenceSubdomainIndex(cookieDomain: nil, requestHost: host))
        #expect(
            FacebookCookies.subdomainIndex(cookieDomain: host, requestHost: "a.b")
                == Self.referenceSubdomainIndex(cookieDomain: host, requestHost: "a.b"))
    }

    static func referenceHostHeaderName(_ value: String) -> String {
        var v = Substring(value)
        if v.hasPrefix("["), let close = v.firstIndex(of: "]") {
            return String(v[v.index(after: v.startIndex)..<close]).lowercased()
        }
        if let colon = v.firstIndex(of: ":") { v = v[..<colon] }
        return v.lowercased()
    }

    @Test(
        "hostHeaderName matches the reference",
        arguments: hosts + [
            "Shop.Example.COM:8443", "[::FFFF:1.2.3.4]", "[::1", "[x]:1", ":80", "HOST:", "Bücher.DE:1",
        ])
    func hostHeaderName(value: String) {
        #expect(URLParts.hostHeaderName(value) == Self.referenceHostHeaderName(value))
    }

    @Test(
        "an origin is allowed exactly when its normalised form is listed",
        arguments: [
            ("https://shop.example.com", true), ("https://SHOP.example.com", true),
            ("https://shop.example.com:443", true),
            ("http://shop.example.com", false), ("https://shop.example.com/", false),
            ("https://other.example.com", false),
            ("null", false), ("", false),
        ])
    func origins(origin: String, allowed: Bool) {
        let site = SiteConfig(name: "shop", allowedOrigins: ["https://shop.example.com"])
        #expect(site.allowsOrigin(origin) == allowed)
    }

    @Test(
        "a currency is exactly three ASCII letters",
        arguments: [
            ("EUR", true), ("usd", true), ("UsD", true), ("EU", false), ("EURO", false), ("EU1", false), ("E@R", false),
            ("E[R", false), ("ÉUR", false), ("E\u{301}UR", false), ("€€€", false), ("", false),
        ])
    func currency(code: String, valid: Bool) throws {
        var context = IngestContext(nowMs: 1_795_000_000_000)
        context.userAgent = "Mozilla/5.0"
        context.referer = "https://shop.example.com/"
        let event = JSONValue.object(
            JSONObject([
                ("event_name", .string("Lead")), ("custom_data", .object(JSONObject([("currency", .string(code))]))),
            ]))
        let result = EventProcessor(currentYear: 2026).process(event, context: &context)
        if case .failure(let rejection) = result {
            #expect(!valid)
            #expect(rejection.message.contains("currency"))
        } else {
            #expect(valid)
        }
    }

    static func referenceTrim(_ value: String) -> String {
        var s = Substring(value)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }

    @Test(
        "trimmingSpaces matches the reference",
        arguments: ["a", " a", "a ", "\ta\t", "", " ", "\t \t", "a b", " \u{301}a", "\u{600} ", "é ", " fb.1.2.3 "])
    func trimming(value: String) {
        #expect(value.trimmingSpaces() == Self.referenceTrim(value))
    }
}
