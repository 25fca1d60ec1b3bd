// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayCore

/// Which `_fbp` / `_fbc` values are taken as cookies and set again, and which `fbclid`s become click ids:
/// only values that are a cookie value as they are, so nothing from a page or a link adds a header or
/// an attribute to a `Set-Cookie`.
@Suite("Cookie values and click ids")
struct CookieValueTests {
    static let wellFormed: [(String, Bool)] = [
        ("fb.1.1767225512345.1234567890", true), ("fb.0.1767225512.x", true), ("fb.12.176722551234.a.b.c", true),
        ("fb.1.1767225512345.IwAR2xYz_-AbC.AbCd", true), ("fb.1.1767225512345.!#$%&'()*+-./:<=>?@[]^_`{|}~", true),
        ("fb.1.1767225512345.", false), ("fb.1.176722551.x", false), ("fb.1.17672255123456.x", false),
        ("fb..1767225512345.x", false), ("fb.1a.1767225512345.x", false), ("fb.1.17672255x2345.x", false),
        ("fx.1.1767225512345.x", false), ("fb", false), ("fb.", false), ("fb.1", false), ("fb.1.", false),
        ("fb.1.1767225512345", false), ("", false), ("FB.1.1767225512345.x", false), (" fb.1.1767225512345.x", false),
        ("fb.1.1767225512345.\u{301}x", false), ("fb.1.1767225512345.é", false), ("fb.1\u{301}.1767225512345.x", false),
        ("fb.1.1767225512345.x\r\nSet-Cookie: a=b", false), ("fb.1.1767225512345.x\nX: 1", false),
        ("fb.1.1767225512345.x; Domain=evil.test", false), ("fb.1.1767225512345.x y", false),
        ("fb.1.1767225512345.x\ty", false), ("fb.1.1767225512345.\"x\"", false), ("fb.1.1767225512345.a,b", false),
        ("fb.1.1767225512345.a\\b", false), ("fb.1.1767225512345.a\u{7F}", false), ("fb.1.1767225512345.a\u{0}", false),
        ("fb.1.1767225512345." + String(repeating: "x", count: 1024 - 19), true),
        ("fb.1.1767225512345." + String(repeating: "x", count: 1025 - 19), false),
    ]

    @Test("isWellFormed takes fb.N.MS.X values whose payload is cookie-octets, up to 1 KiB")
    func wellFormedValues() {
        for (value, expected) in Self.wellFormed {
            #expect(FacebookCookies.isWellFormed(value) == expected, "\(value.debugDescription)")
            // The same answer for a String whose UTF-8 is not contiguous (a bridged or lazy one).
            let sub = Substring(value)
            #expect(FacebookCookies.isWellFormed(String(sub)) == expected)
        }
    }

    static let clickIDs: [(String, Bool)] = [
        ("IwAR2xYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd", true), ("IwZXh0bgNhZW0CMTAAAR_-x", true), ("a", true),
        ("", false), ("a.b", false), ("x\r\nSet-Cookie: sid=evil", false), ("x\nX: 1", false), ("IwAR;Domain=x", false),
        ("a b", false), ("a,b", false), ("\"a\"", false), ("a\\b", false), ("café", false),
        (String(repeating: "x", count: 512), true), (String(repeating: "x", count: 513), false),
    ]

    @Test("isValidClickID takes 1-512 cookie-octets without a dot")
    func clickIDValues() {
        for (value, expected) in Self.clickIDs {
            #expect(FacebookCookies.isValidClickID(value) == expected, "\(value.debugDescription)")
        }
    }

    @Test("a Set-Cookie built from a well-formed value is one line with only our attributes")
    func setCookieOfWellFormedValue() {
        for (value, ok) in Self.wellFormed where ok {
            let header = FacebookCookies.setCookie(name: "_fbc", value: value, domain: "example.com", secure: true)
            #expect(!header.utf8.contains { $0 < 0x20 || $0 == 0x7F })
            #expect(header == "_fbc=\(value); Max-Age=7776000; Path=/; SameSite=Lax; Domain=example.com; Secure")
        }
    }
}
