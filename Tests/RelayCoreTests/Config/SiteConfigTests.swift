// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

@Suite struct SiteConfigTests {
    static let derived = SiteConfig(name: "s", domains: ["shop.example.com", "example.com"])
    static let listed = SiteConfig(name: "s", domains: ["shop.example.com"], allowedOrigins: ["http://localhost:3000"])

    @Test(
        "Without allowed_origins the site's domains are allowed over http and https on default ports",
        arguments: [
            ("https://shop.example.com", true), ("http://shop.example.com", true), ("HTTPS://Example.COM", true),
            ("https://shop.example.com:443", true), ("https://shop.example.com:8443", false),
            ("https://evil.com", false), ("https://sub.shop.example.com", false), ("null", false), ("", false),
            ("https://shop.example.com/path", false), ("chrome-extension://abc", false),
        ])
    func derivedOrigins(origin: String, allowed: Bool) {
        #expect(Self.derived.allowsOrigin(origin) == allowed)
    }

    @Test(
        "With allowed_origins only the listed origins are allowed",
        arguments: [("http://localhost:3000", true), ("https://shop.example.com", false), ("http://localhost", false)])
    func listedOrigins(origin: String, allowed: Bool) {
        #expect(Self.listed.allowsOrigin(origin) == allowed)
    }

    @Test("Any-origin sites accept every origin, including null")
    func anyOrigin() {
        let site = SiteConfig(name: "default", allowAnyOrigin: true)
        #expect(site.allowsOrigin("https://x.y"))
        #expect(site.allowsOrigin("null"))
    }

    @Test(
        "The event filter forwards allowed names not denied",
        arguments: [
            ([], [], "Purchase", true), (["Lead"], [], "Purchase", false), (["Lead"], [], "Lead", true),
            ([], ["PageView"], "PageView", false), ([], ["PageView"], "pageview", true),
            // allow: only these bytes; deny: every canonically equivalent spelling ("\u{212A}" is K).
            (["Café"], [], "Cafe\u{0301}", false), (["Kontakt"], [], "\u{212A}ontakt", false),
            ([], ["Kontakt"], "\u{212A}ontakt", false), ([], ["Café"], "Cafe\u{0301}", false),
        ] as [([String], [String], String, Bool)])
    func eventFilter(allow: [String], deny: [String], name: String, expected: Bool) {
        #expect(SiteConfig.EventFilter(allow: allow, deny: deny).allows(name) == expected)
    }

    @Test("Hosts, pixels and ingest keys are looked up")
    func lookups() {
        let site = SiteConfig(
            name: "s", domains: ["shop.example.com"], pixels: [PixelConfig(pixelID: "42")],
            ingestKeys: [Secret("k-one-0123456789"), Secret("k-two-0123456789")])
        #expect(site.servesHost("Shop.Example.com"))
        #expect(!site.servesHost("example.com"))
        #expect(site.pixel(id: "42") != nil)
        #expect(site.pixel(id: "43") == nil)
        #expect(site.isIngestKey(Array("k-two-0123456789".utf8)))
        #expect(!site.isIngestKey(Array("k-three".utf8)))
    }

    @Test(
        "Web origins parse and normalise, or are rejected",
        arguments: [
            ("https://A.b", "https://a.b"), ("http://a.b:80", "http://a.b"), ("http://a.b:8080", "http://a.b:8080"),
            ("https://[2001:DB8::1]:443", "https://[2001:db8::1]"), ("http://10.0.0.1:81", "http://10.0.0.1:81"),
            ("https://a.b/", nil), ("https://", nil), ("https://a.b:", nil), ("https://user@a.b", nil),
            ("https://[::1", nil), ("https://a.b:0", nil), ("ws://a.b", nil), ("https://a..b", nil),
        ] as [(String, String?)])
    func webOrigin(text: String, normalised: String?) {
        #expect(WebOrigin(text)?.description == normalised)
    }
}
