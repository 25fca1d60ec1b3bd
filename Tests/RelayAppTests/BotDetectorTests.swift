import Testing

// SPDX-License-Identifier: Apache-2.0
@testable import RelayApp

/// The byte-level matcher must find exactly what Unicode lowercasing plus a search of the bytes finds.
@Suite("Bot detection by user agent")
struct BotDetectorTests {
    /// The straightforward definition the fast path replaces.
    static func reference(_ detector: BotDetector, _ ua: String?) -> String? {
        guard detector.enabled else { return nil }
        guard let ua, !ua.isEmpty else { return "no user agent" }
        let lower = Array(ua.lowercased().utf8)
        return detector.patterns.first { lower.firstRange(of: Array($0.utf8)) != nil }
    }

    static let userAgents: [String?] = [
        nil, "",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "META-EXTERNALAGENT/1.1", "Mozilla/5.0 (compatible; YandexBot/3.0)", "DuckDuckBot/1.0", "b", "bo", "BOT",
        "crawlin", "crawling", "xx spide", "Mozilla/5.0 HeadlessChrome/120.0", "Mozilla/5.0 Lighthouse",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 [FBAN/FBIOS]",
        "Mözilla/5.0 Bot", "Mozilla ☃ spider", "\u{212A}", "robot\u{301}", "ÀÉÎ crawler", "Agent/1.0 BОТ",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) PetalBot", "curl/8.5.0", "scrapy-redis", "mediapartners-google",
    ]

    static let detectors: [(String, BotDetector)] = [
        ("built-in", BotDetector(enabled: true, extraPatterns: [])),
        ("with extras", BotDetector(enabled: true, extraPatterns: ["HeadlessChrome", "FBAN", "Ünïcode", "k"])),
        ("disabled", BotDetector(enabled: false, extraPatterns: [])),
    ]

    @Test("matches the Unicode reference for every user agent", arguments: 0..<detectors.count)
    func matchesReference(detectorIndex: Int) {
        let (name, detector) = Self.detectors[detectorIndex]
        for ua in Self.userAgents {
            #expect(detector.match(userAgent: ua) == Self.reference(detector, ua), "\(name): \(ua ?? "nil")")
        }
    }

    @Test(
        "reports the first pattern in list order, not the first position",
        arguments: [
            ("spider bot", "bot"), ("Slurp crawler", "crawler"), ("x facebookexternalhit bot", "bot"),
            ("Mozilla/5.0 Chrome", nil),
            // A mark after a pattern's last letter makes one Character with it; the bytes still match.
            ("Mozilla/5.0 (compatible; Googlebot\u{034F}/2.1)", "bot"),
            ("facebookexternalhit\u{0301}/1.1", "facebookexternalhit"), ("Ünïcode Crawler\u{0300}", "crawler"),
            ("CUBOT KINGKONG 5 Pro \u{00E9}", nil), ("Cubot robot\u{0301}", "bot"),
        ] as [(String, String?)])
    func firstPatternWins(ua: String, expected: String?) {
        #expect(BotDetector(enabled: true, extraPatterns: []).match(userAgent: ua) == expected)
    }

    @Test("a random ASCII user agent matches like the reference")
    func randomASCII() {
        var rng = SystemRandomNumberGenerator()
        let detector = BotDetector(enabled: true, extraPatterns: ["zz-Top"])
        let alphabet = Array("abotBOTcrawlerSPIDERyandex zZ-/()0123456789;.")
        for _ in 0..<2000 {
            let ua = String((0..<Int.random(in: 1...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            #expect(detector.match(userAgent: ua) == Self.reference(detector, ua), "\(ua)")
        }
    }
}
