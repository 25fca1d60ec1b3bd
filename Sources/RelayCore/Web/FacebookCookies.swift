// SPDX-License-Identifier: Apache-2.0

/// The Meta browser-id (`_fbp`) and click-id (`_fbc`) cookie formats: `fb.{subdomainIndex}.{creationMs}.{value}`.
public enum FacebookCookies {
    /// Max-Age of server-set cookies: 90 days, in seconds.
    public static let maxAgeSeconds = 90 * 24 * 3600

    /// `_fbp` and `_fbc` from a `Cookie` header, byte-for-byte (the first occurrence wins: browsers send
    /// the most specific path first — duplicates are rare).
    public static func fromCookieHeader(_ header: String?) -> (fbp: String?, fbc: String?) {
        guard let header else { return (nil, nil) }
        if let found = header.utf8.withContiguousStorageIfAvailable(fromCookieBytes) { return found }
        return Array(header.utf8).withUnsafeBufferPointer(fromCookieBytes)
    }

    /// `fromCookieHeader` on the header's bytes. Split by Character, a value ending in a prepend mark
    /// would hide the `;` after it (and the next cookie), and U+037E (canonically `;`) would split one.
    static func fromCookieBytes(_ b: UnsafeBufferPointer<UInt8>) -> (fbp: String?, fbc: String?) {
        var fbp: String?
        var fbc: String?
        var start = 0
        // One pass, no array of parts (this runs for every browser request that carries cookies).
        while start < b.count {
            var end = start
            while end < b.count, b[end] != UInt8(ascii: ";") { end += 1 }
            var i = start
            while i < end, b[i] == 0x20 { i += 1 }
            if end - i > 5, b[i] == UInt8(ascii: "_"), b[i + 1] == UInt8(ascii: "f"), b[i + 2] == UInt8(ascii: "b"),
                b[i + 4] == UInt8(ascii: "=")
            {
                let kind = b[i + 3]
                if (kind == UInt8(ascii: "p") && fbp == nil) || (kind == UInt8(ascii: "c") && fbc == nil) {
                    let value = String(decoding: UnsafeBufferPointer(rebasing: b[(i + 5)..<end]), as: UTF8.self)
                        .trimmingSpaces()
                    if kind == UInt8(ascii: "p") { fbp = value } else { fbc = value }
                }
            }
            start = end + 1
        }
        return (fbp, fbc)
    }

    /// The longest value accepted or set (real ones are under 300 bytes; browsers keep up to 4 KiB per cookie).
    public static let maxValueBytes = 1024

    /// The longest `fbclid` that becomes a click id (real ones are under 300 bytes).
    public static let maxClickIDBytes = 512

    /// Whether a value has the `fb.N.MS.X` shape (index digits, 10–13-digit millisecond time, a payload)
    /// and can be a cookie value as it is: ASCII, at most ``maxValueBytes``, and a payload of RFC 6265
    /// cookie-octets only (no control character, space, `"`, `,`, `;` or `\`). Only such values are
    /// ever set as cookies, so what a page or a link supplies can never add a header or an attribute.
    public static func isWellFormed(_ value: String) -> Bool {
        if let result = value.utf8.withContiguousStorageIfAvailable(wellFormed) { return result }
        return Array(value.utf8).withUnsafeBufferPointer(wellFormed)
    }

    /// `isWellFormed` on the bytes of a value.
    static func wellFormed(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let dot = UInt8(ascii: ".")
        guard b.count >= 3, b.count <= maxValueBytes, b[0] == UInt8(ascii: "f"), b[1] == UInt8(ascii: "b"),
            b[2] == dot
        else { return false }
        /// Digits from `i`; returns where they stop.
        func digits(from i: Int) -> Int {
            var j = i
            while j < b.count, b[j] &- 0x30 < 10 { j += 1 }
            return j
        }
        let indexEnd = digits(from: 3)
        guard indexEnd > 3, indexEnd < b.count, b[indexEnd] == dot else { return false }
        let timeEnd = digits(from: indexEnd + 1)
        guard (10...13).contains(timeEnd - indexEnd - 1), timeEnd < b.count, b[timeEnd] == dot else { return false }
        guard timeEnd + 1 < b.count else { return false }
        for i in (timeEnd + 1)..<b.count where !isCookieOctet(b[i]) { return false }
        return true
    }

    /// Whether a `fbclid` can become a click id: 1–``maxClickIDBytes`` cookie-octets without a `.` (the
    /// click id ends at the first dot of an `_fbc` payload, so one with a dot would never match its cookie).
    public static func isValidClickID(_ fbclid: String) -> Bool {
        let count = fbclid.utf8.count
        guard count > 0, count <= maxClickIDBytes else { return false }
        return fbclid.utf8.allSatisfy { $0 != UInt8(ascii: ".") && isCookieOctet($0) }
    }

    /// RFC 6265 §4.1.1 `cookie-octet`: `%x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E`.
    @inline(__always)
    static func isCookieOctet(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != 0x22 && byte != 0x2C && byte != 0x3B && byte != 0x5C
    }

    /// The click id inside an `_fbc` value (the fourth component, without a param-builder appendix).
    public static func clickID(ofFbc value: String) -> String? {
        // Runs several times per beacon: ASCII values (all real ones) are split on their bytes.
        if let ascii = value.utf8.withContiguousStorageIfAvailable(asciiClickID), let result = ascii {
            return result
        }
        let parts = value.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let payload = parts[3]
        // The parameter builder may append ".<8-char appendix>"; fbclids contain no dots.
        if let dot = payload.firstIndex(of: ".") { return String(payload[..<dot]) }
        return String(payload)
    }

    /// `clickID(ofFbc:)` on the bytes of an ASCII value; nil when a byte is not ASCII.
    static func asciiClickID(_ b: UnsafeBufferPointer<UInt8>) -> String?? {
        let dot = UInt8(ascii: ".")
        var dots = 0
        var start = -1
        var end = b.count
        for i in b.indices {
            let byte = b[i]
            if byte >= 0x80 { return nil }
            guard byte == dot else { continue }
            if dots < 3 {
                dots += 1
                if dots == 3 { start = i + 1 }
            } else if end == b.count {
                end = i
            }
        }
        guard start >= 0 else { return .some(nil) }
        return .some(String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self))
    }

    /// The subdomain index: labels of the cookie's domain minus one; IP literals and `localhost` → 0.
    public static func subdomainIndex(cookieDomain: String?, requestHost: String) -> Int {
        let source = cookieDomain?.isEmpty == false ? cookieDomain! : requestHost
        // Runs for every beacon: ASCII names (all valid host names) are counted on their bytes.
        if let ascii = source.utf8.withContiguousStorageIfAvailable(asciiSubdomainIndex), let index = ascii {
            return index
        }
        let domain = source.trimmingDots()
        if domain == "localhost" || domain.contains(":") || domain.allSatisfy({ $0.isASCIIDigit || $0 == "." }) {
            return 0
        }
        return max(domain.split(separator: ".").count - 1, 0)
    }

    /// `subdomainIndex` on the bytes of an ASCII name; nil when a byte is not ASCII.
    static func asciiSubdomainIndex(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        for byte in b where byte >= 0x80 { return nil }
        let dot = UInt8(ascii: ".")
        var start = 0
        var end = b.count
        while start < end, b[start] == dot { start += 1 }
        while end > start, b[end - 1] == dot { end -= 1 }
        let name = b[start..<end]
        if name.elementsEqual("localhost".utf8) || name.contains(UInt8(ascii: ":"))
            || name.allSatisfy({ $0 == dot || $0 &- 0x30 < 10 })
        {
            return 0
        }
        var labels = 0
        var inLabel = false
        for byte in name {
            if byte == dot {
                inLabel = false
            } else if !inLabel {
                inLabel = true
                labels += 1
            }
        }
        return max(labels - 1, 0)
    }

    /// A new `_fbp` value.
    public static func mintFbp(index: Int, nowMs: Int64) -> String {
        "fb.\(index).\(nowMs).\(RandomID.fbpRandom())"
    }

    /// A new `_fbc` value for a click id.
    public static func mintFbc(index: Int, nowMs: Int64, fbclid: String) -> String {
        "fb.\(index).\(nowMs).\(fbclid)"
    }

    static let attributes = "; Max-Age=\(maxAgeSeconds); Path=/; SameSite=Lax"

    /// A `Set-Cookie` header value for a first-party cookie.
    public static func setCookie(name: String, value: String, domain: String?, secure: Bool) -> String {
        // Appended piece by piece (two per beacon; interpolation cost more than the rest of it).
        var s = name
        s.reserveCapacity(name.utf8.count + value.utf8.count + 80)
        s += "="
        s += value
        s += attributes
        if let domain, !domain.isEmpty { s += "; Domain=\(domain)" }
        if secure { s += "; Secure" }
        return s
    }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let s = Substring(self)
        // No space or tab byte at either end means no space or tab Character there either.
        guard let first = s.utf8.first, let last = s.utf8.last else { return "" }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return String(s) }
        return String(s.trimmingSpacesSub())
    }

    func trimmingDots() -> String {
        var s = Substring(self)
        while s.first == "." { s.removeFirst() }
        while s.last == "." { s.removeLast() }
        return String(s)
    }
}
