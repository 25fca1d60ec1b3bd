// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

/// Step 1 (NFC, White_Space trim, JavaScript-compatible lowercasing) and the category helpers.
@Suite struct UnicodeTextTests {
    @Test(
        "lowercasing applies the final-sigma rule as JavaScript's toLowerCase does",
        arguments: [
            ("ΟΔΟΣ", "οδο\u{3C2}"),
            ("ΟΔΟΣ ΑΘΗΝΩΝ", "οδο\u{3C2} αθηνων"),
            ("ΣΟΦΙΑ", "\u{3C3}οφια"),  // initial sigma
            ("Σ", "\u{3C3}"),  // no cased letter before it
            ("ΑΣ.", "α\u{3C2}."),  // punctuation after is not a letter
            ("ΑΣ'Β", "α\u{3C3}'β"),  // apostrophe is case-ignorable, so a letter follows
            ("Α\u{AD}Σ", "α\u{AD}\u{3C2}"),  // soft hyphen (case-ignorable) before is skipped
            ("ΑΣ\u{AD}Β", "α\u{3C3}\u{AD}β"),  // … and after
            ("1Σ", "1\u{3C3}"),
        ])
    func finalSigma(input: String, expected: String) {
        let prepared = UnicodeText.prepare(input)
        #expect(Array(prepared.text.unicodeScalars) == Array(expected.unicodeScalars))
    }

    @Test("NFC turns a decomposed é into the 7-byte precomposed valéry")
    func nfcBytes() {
        let prepared = UnicodeText.prepare("Vale\u{301}ry")
        #expect(Array(prepared.text.utf8) == [0x76, 0x61, 0x6C, 0xC3, 0xA9, 0x72, 0x79])
        #expect(!prepared.isASCII)
    }

    @Test(
        "the NFC wrapper pins the stdlib's composition, including Hangul and singleton mappings",
        arguments: [
            ("A\u{30A}", "\u{C5}"),
            ("\u{212B}", "\u{C5}"),  // ANGSTROM SIGN → Å
            ("\u{1100}\u{1161}\u{11A8}", "\u{AC01}"),  // Hangul jamo → 각
            ("e\u{301}\u{323}", "\u{1EB9}\u{301}"),  // canonical reordering, then composition
            ("plain ascii", "plain ascii"),
        ])
    func nfc(input: String, expected: String) {
        #expect(Array(UnicodeText.nfc(input).utf8) == Array(expected.utf8))
    }

    @Test(
        "trimming removes every White_Space character at the ends and keeps inner ones",
        arguments: [
            ("\u{A0}\u{2003}Mary Jane\u{3000}\u{85}", "mary jane"),
            ("\t\n\u{0B}\u{0C}\r x \r\n", "x"),
            ("\u{200B}x", "\u{200B}x"),  // zero-width space is not White_Space
            ("   ", ""),
        ])
    func trimming(input: String, expected: String) {
        #expect(Array(UnicodeText.prepare(input).text.unicodeScalars) == Array(expected.unicodeScalars))
    }

    @Test(
        "lowercasing is full and locale-independent",
        arguments: [
            ("\u{130}LKER", "i\u{307}lker"),  // no Turkish dotless rule
            ("STRASSE", "strasse"),
            ("ǅEMAL", "ǆemal"),
            ("\u{212A}ELVIN", "kelvin"),  // KELVIN SIGN → ASCII k
            ("ÆØÅ", "æøå"),
        ])
    func lowercasing(input: String, expected: String) {
        let prepared = UnicodeText.prepare(input)
        #expect(Array(prepared.text.unicodeScalars) == Array(expected.unicodeScalars))
        #expect(prepared.isASCII == expected.utf8.allSatisfy { $0 < 0x80 })
    }

    @Test("an already trimmed lowercase ASCII value comes back unchanged and flagged ASCII")
    func asciiFastPath() {
        let prepared = UnicodeText.prepare("jane.doe+shop@example.com")
        #expect(prepared.text == "jane.doe+shop@example.com")
        #expect(prepared.isASCII)
        #expect(UnicodeText.prepare("  JANE@EXAMPLE.COM\t").text == "jane@example.com")
    }

    @Test("general categories follow Unicode, not ASCII")
    func categories() {
        #expect(UnicodeText.isLetter("정") && UnicodeText.isLetter("ß") && !UnicodeText.isLetter("1"))
        #expect(UnicodeText.isMark("\u{301}") && !UnicodeText.isMark("e"))
        #expect(UnicodeText.isDecimalDigit("٣") && UnicodeText.isDecimalDigit("7") && !UnicodeText.isDecimalDigit("½"))
        #expect(UnicodeText.asciiDigit("٣") == UInt8(ascii: "3"))
        #expect(UnicodeText.asciiDigit("३") == UInt8(ascii: "3"))  // Devanagari
        #expect(UnicodeText.asciiDigit("½") == nil)
        #expect(UnicodeText.isWhiteSpace("\u{A0}") && !UnicodeText.isWhiteSpace("\u{200B}"))
    }
}
