// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayCore

/// `utf8Prefix`: client text quoted in answers and headers is cut by bytes, on a scalar boundary.
@Suite("Quoting client text within a byte limit")
struct TextLimitTests {
    @Test(
        "the prefix has at most the limit in bytes, whole scalars only, and is the text itself when short",
        arguments: [
            ("short", 10, "short"), ("exactly10!", 10, "exactly10!"), ("abcdef", 3, "abc"), ("", 0, ""),
            ("abc", 0, ""),
            // "é" is two bytes: a cut inside it backs off to before it.
            ("aé", 2, "a"), ("aé", 3, "aé"),
            // One Character of 2 + 2×100 bytes: prefix(n) would keep all of it.
            ("a" + String(repeating: "\u{0301}", count: 100), 7, "a\u{0301}\u{0301}\u{0301}"),
            ("€€", 5, "€"),
        ] as [(String, Int, String)])
    func prefixByBytes(text: String, limit: Int, expected: String) {
        let cut = text.utf8Prefix(limit)
        #expect(cut.utf8.count <= limit)
        #expect(Array(cut.utf8) == Array(expected.utf8))
    }
}
