// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayCore

@Suite("Beacon body shapes (interface.md §4)")
struct BeaconBodyTests {
    @Test(
        "every accepted body form yields its events",
        arguments: [
            (#"{"event_name":"A"}"#, 1),
            (#"[{"event_name":"A"},{"event_name":"B"}]"#, 2),
            (#"{"events":[{"event_name":"A"},{"event_name":"B"},{"event_name":"C"}]}"#, 3),
            (#"{"data":[{"event_name":"A"}]}"#, 1),
        ])
    func forms(json: String, count: Int) throws {
        #expect(try BeaconBody.events(in: JSONParser.parse(json)).get().count == count)
    }

    @Test(
        "other shapes are refused with a message saying what is accepted",
        arguments: ["42", "\"x\"", "[]", #"{"events":{}}"#])
    func refused(json: String) throws {
        guard case .failure(let r) = BeaconBody.events(in: try JSONParser.parse(json)) else {
            Issue.record("accepted \(json)")
            return
        }
        #expect(!r.message.isEmpty)
    }
}

@Suite("Web helpers: query strings, URLs, cookies, client addresses")
struct WebHelperTests {
    @Test("query strings are percent-decoded with + as space, in order")
    func query() {
        let pairs = QueryString.parse("a=1&b=x%20y+z&c&d=%E2%82%AC&e=%zz")
        #expect(pairs.map(\.key) == ["a", "b", "c", "d", "e"])
        #expect(pairs.map(\.value) == ["1", "x y z", "", "€", "%zz"])
        #expect(QueryString.value(named: "fbclid", inURL: "https://x.com/p?q=1&fbclid=AbC#frag") == "AbC")
        #expect(QueryString.value(named: "fbclid", inURL: "https://x.com/p") == nil)
    }

    @Test(
        "URL hosts are lowercased without port, credentials or brackets",
        arguments: [
            ("https://Shop.Example.com:8443/x?y", "shop.example.com"), ("http://user:pw@a.b/", "a.b"),
            ("http://[2001:DB8::1]:80/", "2001:db8::1"), ("not a url", nil),
        ] as [(String, String?)])
    func hosts(url: String, host: String?) {
        #expect(URLParts.host(of: url) == host)
    }

    @Test("cookie header parsing returns _fbp and _fbc byte-for-byte")
    func cookies() {
        let c = FacebookCookies.fromCookieHeader(
            "a=1; _fbp=fb.1.1700000000000.123; _fbc=fb.1.1700000000000.IwAR.AQQC; z=2")
        #expect(c.fbp == "fb.1.1700000000000.123")
        #expect(c.fbc == "fb.1.1700000000000.IwAR.AQQC")
        #expect(FacebookCookies.clickID(ofFbc: "fb.1.1700000000000.IwAR.AQQC") == "IwAR")
        #expect(!FacebookCookies.isWellFormed("fb.x.1.2"))
    }

    @Test(
        "the Cookie header is split on bytes: no mark hides a ; and no look-alike makes one",
        arguments: [
            // A value ending in a prepend mark: "\u{0600};" is one Character, but the ; is still there.
            ("a=x\u{0600}; _fbp=fb.1.1700000000000.123", "fb.1.1700000000000.123", nil),
            ("a=x\u{0600};_fbc=fb.1.1700000000000.IwAR", nil, "fb.1.1700000000000.IwAR"),
            // U+037E is canonically a ; but not one to a browser: no cookie is planted inside another's value.
            ("a=x\u{037E}_fbc=fb.1.1700000000000.FAKE; _fbp=fb.1.1700000000000.9", "fb.1.1700000000000.9", nil),
            ("_fbp=fb.1.1700000000000.1; _fbp=fb.1.1700000000000.2", "fb.1.1700000000000.1", nil),
            ("_fbx=1; _fb=2; _fbp= fb.1.1700000000000.3 ", "fb.1.1700000000000.3", nil),
        ] as [(String, String?, String?)])
    func cookieHeaderBytes(header: String, fbp: String?, fbc: String?) {
        let c = FacebookCookies.fromCookieHeader(header)
        #expect(c.fbp.map { Array($0.utf8) } == fbp.map { Array($0.utf8) })
        #expect(c.fbc.map { Array($0.utf8) } == fbc.map { Array($0.utf8) })
    }

    @Test(
        "the click id of an _fbc value is the part after its third dot, up to an appended suffix",
        arguments: [
            ("fb.1.1700000000000.IwAR2xYz", "IwAR2xYz"), ("fb.1.1700000000000.IwAR.AQQC", "IwAR"),
            ("fb.2.1700000000000.", ""), ("fb.1.1700000000000", nil), ("", nil), ("a.b.c.d.e.f", "d"),
            ("fb.1.1700000000000.Iw\u{E9}AR", "Iw\u{E9}AR"), ("fb.1.17.\u{301}x.y", "y"),
        ] as [(String, String?)])
    func clickIDs(value: String, expected: String?) {
        #expect(FacebookCookies.clickID(ofFbc: value) == expected)
        // The byte fast path agrees with the grapheme definition wherever it answers (ASCII values).
        let slow = value.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        if slow.count == 4, value.utf8.allSatisfy({ $0 < 0x80 }) {
            #expect(expected == String(slow[3].split(separator: ".", omittingEmptySubsequences: false)[0]))
        }
    }

    @Test(
        "the subdomain index counts the cookie domain's labels minus one",
        arguments: [
            ("example.com", "x", 1), ("shop.example.com", "x", 2), (nil, "localhost", 0), (nil, "127.0.0.1", 0),
            (nil, "track.example.com", 2),
        ] as [(String?, String, Int)])
    func subdomainIndex(domain: String?, host: String, index: Int) {
        #expect(FacebookCookies.subdomainIndex(cookieDomain: domain, requestHost: host) == index)
    }

    @Test(
        "the client address walks X-Forwarded-For from the right past trusted proxies",
        arguments: [
            ("10.0.0.5", ["198.51.100.1, 10.0.0.9"], [], "198.51.100.1"),
            ("10.0.0.5", ["198.51.100.1:5555"], [], "198.51.100.1"),
            ("10.0.0.5", ["203.0.113.1, 198.51.100.1"], [], "198.51.100.1"),
            ("10.0.0.5", [], ["for=\"[2001:db8::17]:4711\";proto=https"], "2001:db8::17"),
            ("10.0.0.5", ["garbage"], [], "10.0.0.5"),
            ("203.0.113.9", ["198.51.100.1"], [], "203.0.113.9"),
            ("10.0.0.5", [], [], "10.0.0.5"),
            // An IPv4-mapped address from a header is given as IPv4, like a socket peer's.
            ("10.0.0.5", ["::ffff:203.0.113.7"], [], "203.0.113.7"),
            ("::ffff:10.0.0.5", ["::FFFF:198.51.100.2, ::ffff:10.0.0.9"], [], "198.51.100.2"),
            ("::ffff:203.0.113.9", [], [], "203.0.113.9"),
            // auto: X-Forwarded-For wins when both are present.
            ("10.0.0.5", ["6.6.6.6"], ["for=203.0.113.9"], "6.6.6.6"),
            // A client value ending in a prepend mark cannot swallow the comma (and the element) the proxy
            // appends: "\u{0600}," is one Character, but the chain is split on bytes.
            ("10.0.0.5", ["6.6.6.6:1\u{0600}, 203.0.113.7"], [], "203.0.113.7"),
            ("10.0.0.5", ["6.6.6.6:1\u{0301}, 203.0.113.7"], [], "203.0.113.7"),
            ("10.0.0.5", [], ["for=6.6.6.6;x=\u{0600}, for=203.0.113.7"], "203.0.113.7"),
            ("10.0.0.5", [], ["for=6.6.6.6\u{0600};by=10.0.0.5"], "10.0.0.5"),
            // RFC 7239 parameter names are case-insensitive.
            ("10.0.0.5", [], ["FOR=203.0.113.9"], "203.0.113.9"),
            ("10.0.0.5", [], [" For=\"198.51.100.3:80\" ; proto=http"], "198.51.100.3"),
        ] as [(String, [String], [String], String)])
    func clientAddress(peer: String, xff: [String], forwarded: [String], expected: String) {
        let resolver = ClientAddressResolver(trustedProxies: [CIDR("10.0.0.0/8")!])
        #expect(resolver.resolve(peer: peer, forwardedFor: xff, forwarded: forwarded) == expected)
    }

    @Test(
        "client_ip_header picks the one header the proxy writes; the other, the client's, is ignored",
        arguments: [
            (ServerConfig.ClientIPHeader.forwarded, ["6.6.6.6"], ["for=203.0.113.9"], "203.0.113.9"),
            (.forwarded, ["6.6.6.6"], [], "10.0.0.5"),
            (.xForwardedFor, ["198.51.100.1"], ["for=6.6.6.6"], "198.51.100.1"),
            (.xForwardedFor, [], ["for=6.6.6.6"], "10.0.0.5"),
            (.auto, [], ["for=203.0.113.9"], "203.0.113.9"),
        ] as [(ServerConfig.ClientIPHeader, [String], [String], String)])
    func clientAddressHeader(header: ServerConfig.ClientIPHeader, xff: [String], forwarded: [String], expected: String)
    {
        let resolver = ClientAddressResolver(trustedProxies: [CIDR("10.0.0.0/8")!], header: header)
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: xff, forwarded: forwarded) == expected)
    }
}
