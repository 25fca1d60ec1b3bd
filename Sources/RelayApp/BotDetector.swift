// SPDX-License-Identifier: Apache-2.0

/// Recognises crawlers and bots by user agent (S6), including Meta's own (`facebookexternalhit`,
/// `meta-externalagent`, `facebookcatalog`), so their page views are counted but never forwarded.
struct BotDetector: Sendable {
    static let builtIn = [
        "bot", "crawler", "spider", "crawling", "slurp", "facebookexternalhit", "facebookcatalog", "meta-externalagent",
        "meta-externalfetcher", "lighthouse", "pingdom", "uptimerobot", "scrapy", "phantomjs", "bingpreview",
        "google-inspectiontool", "adsbot", "mediapartners-google", "petalbot", "yandex", "baiduspider", "duckduckbot",
    ]

    let patterns: [String]
    let enabled: Bool

    init(enabled: Bool, extraPatterns: [String]) {
        self.enabled = enabled
        patterns = Self.builtIn + extraPatterns.map { $0.lowercased() }
    }

    /// The matching pattern, or nil for a human browser (or when detection is off). A missing user agent is a bot
    /// (browsers always send one; server-to-server sources with an ingest key are not checked).
    func match(userAgent: String?) -> String? {
        guard enabled else { return nil }
        guard let ua = userAgent, !ua.isEmpty else { return "no user agent" }
        let lower = ua.lowercased()
        for p in patterns where lower.contains(p) {
            if p == "bot", Self.botOnlyInHumanWords(lower) { continue }
            return p
        }
        return nil
    }

    /// Human user agents whose device names contain "bot" (the Cubot phone brand: "CUBOT KINGKONG 5 Pro").
    static let humanWordsWithBot = ["cubot"]

    /// Whether every "bot" in `lower` is inside one of `humanWordsWithBot`.
    static func botOnlyInHumanWords(_ lower: String) -> Bool {
        var rest = lower
        for word in humanWordsWithBot where rest.contains(word) { rest = rest.replacing(word, with: "") }
        return !rest.contains("bot")
    }
}
