// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayApp

/// `StatusPage.esc`: what /status writes client-sent text (event names, ids) through.
@Suite("HTML escaping of client text on /status")
struct HTMLEscapingTests {
    @Test("escaping works on bytes: every <, >, &, \" and ' becomes an entity, whatever surrounds it")
    func escapingIsByteExact() {
        let marks = ["", "\u{0600}", "\u{0301}", "\u{200D}", "\u{1F1E6}"]
        for before in marks {
            for after in marks {
                let text = before + "<>&\"'" + after
                let out = StatusPage.esc(text)
                let scalars = text.unicodeScalars.map(\.value)
                #expect(!out.utf8.contains { [0x3C, 0x3E, 0x22, 0x27].contains($0) }, "\(scalars)")
                #expect(Array(out.utf8) == Array((before + "&lt;&gt;&amp;&quot;&#39;" + after).utf8))
            }
        }
    }
}
