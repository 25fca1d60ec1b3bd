// SPDX-License-Identifier: Apache-2.0

/// Recognises crawlers and bots by user agent (S6), including Meta's own (`facebookexternalhit`,
/// `meta-externalagent`, `facebookcatalog`), so their page views are counted but never forwarded.
///
/// Runs for every beacon: an ASCII user agent (nearly all of them) is matched on its bytes in one
/// pass, with the patterns indexed by first byte; `String.contains` (grapheme-aware) cost about half of
/// a beacon's CPU time. Other user agents keep the Unicode path.
struct BotDetector: Sendable {
    static let builtIn = [
        "bot", "crawler", "spider", "crawling", "slurp", "facebookexternalhit", "facebookcatalog", "meta-externalagent",
        "meta-externalfetcher", "lighthouse", "pingdom", "uptimerobot", "scrapy", "phantomjs", "bingpreview",
        "google-inspectiontool", "adsbot", "mediapartners-google", "petalbot", "yandex", "baiduspider", "duckduckbot",
    ]

    let patterns: [String]
    let enabled: Bool
    /// The patterns' UTF-8 bytes (already lowercase).
    private let patternBytes: [[UInt8]]
    /// For each byte value, the indices of the patterns that start with it.
    private let byFirstByte: [[Int]]

    init(enabled: Bool, extraPatterns: [String]) {
        self.enabled = enabled
        patterns = Self.builtIn + extraPatterns.map { $0.lowercased() }
        patternBytes = patterns.map { Array($0.utf8) }
        var table = [[Int]](repeating: [], count: 256)
        for (i, p) in patternBytes.enumerated() {
            if let first = p.first { table[Int(first)].append(i) }
        }
        byFirstByte = table
    }

    /// The matching pattern, or nil for a human browser (or when detection is off). A missing user agent is a bot
    /// (browsers always send one; server-to-server sources with an ingest key are not checked).
    func match(userAgent: String?) -> String? {
        guard enabled else { return nil }
        guard let ua = userAgent, !ua.isEmpty else { return "no user agent" }
        switch ua.utf8.withContiguousStorageIfAvailable(asciiMatch) ?? .notASCII {
        // A plain "bot" hit (rare in real traffic) takes the general path too, where any exception
        // for human user agents that merely contain "bot" lives.
        case .pattern(let index) where patterns[index] != "bot": return patterns[index]
        case .none: return nil
        case .pattern, .notASCII: return unicodeMatch(ua)
        }
    }

    /// The general definition: Unicode lowercasing, then the first contained pattern in list order.
    /// Contained as bytes: by Character, a combining mark after a pattern's last letter
    /// ("Googlebot\u{034F}/2.1") would hide it.
    private func unicodeMatch(_ ua: String) -> String? {
        let lower = Array(ua.lowercased().utf8)
        for (k, p) in patterns.enumerated() where p.isEmpty || lower.firstRange(of: patternBytes[k]) != nil {
            if p == "bot", Self.botOnlyInHumanWords(lower) { continue }
            return p
        }
        return nil
    }

    /// Human user agents whose device names contain "bot" (the Cubot phone brand: "CUBOT KINGKONG 5 Pro").
    static let humanWordsWithBot = ["cubot"]

    /// Whether every "bot" in `lower` (lowercase UTF-8) is inside one of `humanWordsWithBot`.
    static func botOnlyInHumanWords(_ lower: [UInt8]) -> Bool {
        var rest = lower
        for word in humanWordsWithBot { rest = rest.replacing(Array(word.utf8), with: [UInt8]()) }
        return rest.firstRange(of: Array("bot".utf8)) == nil
    }

    private enum ASCIIMatch {
        case pattern(Int)
        case none
        case notASCII
    }

    /// The first pattern (in list order) contained in `bytes`, compared ASCII-case-insensitively;
    /// `.notASCII` as soon as a byte is not ASCII (Unicode lowercasing could then differ).
    private func asciiMatch(_ bytes: UnsafeBufferPointer<UInt8>) -> ASCIIMatch {
        var best = patterns.firstIndex(where: \.isEmpty) ?? Int.max
        let count = bytes.count
        for i in 0..<count {
            let b = bytes[i]
            if b >= 0x80 { return .notASCII }
            for k in byFirstByte[Int(Self.lower(b))] where k < best {
                let p = patternBytes[k]
                guard i + p.count <= count else { continue }
                var j = 1
                while j < p.count && Self.lower(bytes[i + j]) == p[j] { j += 1 }
                if j == p.count { best = k }
            }
        }
        return best == Int.max ? .none : .pattern(best)
    }

    @inline(__always)
    private static func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
}
