// SPDX-License-Identifier: Apache-2.0
import Logging
import Testing

@testable import RelayApp

/// `logging.format: text`: client text (an event id in a dead-letter warning, Meta's message) cannot
/// break the line or forge another.
@Suite("Text log lines")
struct TextLogFormatTests {
    @Test(
        "line breaks and other control characters in messages and values are escaped; the line stays one line",
        arguments: [
            ("x\nT ERROR forged", #"x\nT ERROR forged"#),
            ("a\r\nb", #"a\r\nb"#),
            ("tab\there", #"tab\there"#),
            ("back\\slash", #"back\\slash"#),
            ("nul\u{0}bell\u{7}del\u{7F}", #"nul\u{0}bell\u{7}del\u{7f}"#),
            ("next\u{85}line\u{2028}sep\u{2029}", #"next\u{85}line\u{2028}sep\u{2029}"#),
            ("plain ascii and café ✓", "plain ascii and café ✓"),
        ])
    func controlCharactersAreEscaped(raw: String, escaped: String) {
        let line = StderrLogHandler.textLine(
            timestamp: "T", level: .warning, message: raw, metadata: [("event.id", raw), ("k\nk", "v")])
        #expect(line == "T WARNING \(escaped) event.id=\(escaped) k\\nk=v\n")
        #expect(line.utf8.filter { $0 == 0x0A }.count == 1)
        #expect(!line.unicodeScalars.contains { [0x0D, 0x85, 0x2028, 0x2029].contains($0.value) })
    }
}
