// SPDX-License-Identifier: Apache-2.0

/// The Meta browser-id (`_fbp`) and click-id (`_fbc`) cookie formats: `fb.{subdomainIndex}.{creationMs}.{value}`.
public enum FacebookCookies {
    /// Max-Age of server-set cookies: 90 days, in seconds.
    public static let maxAgeSeconds = 90 * 24 * 3600

    /// `_fbp` and `_fbc` from a `Cookie` header, byte-for-byte (the last occurrence wins, like browsers send
    /// the most specific path first — duplicates are rare).
    public static func fromCookieHeader(_ header: String?) -> (fbp: String?, fbc: String?) {
        guard let header, header.contains("_fb") else { return (nil, nil) }
        var fbp: String?
        var fbc: String?
        for part in header.split(separator: ";") {
            let trimmed = part.drop(while: { $0 == " " })
            if trimmed.hasPrefix("_fbp=") {
                if fbp == nil { fbp = String(trimmed.dropFirst(5)).trimmingSpaces() }
            } else if trimmed.hasPrefix("_fbc=") {
                if fbc == nil { fbc = String(trimmed.dropFirst(5)).trimmingSpaces() }
            }
        }
        return (fbp, fbc)
    }

    /// Whether a value has the `fb.N.MS.X` shape (index digits, 13-digit-ish millisecond time, a payload).
    public static func isWellFormed(_ value: String) -> Bool {
        // Runs for every beacon: ASCII values (all real ones) are checked on their bytes.
        if let ascii = value.utf8.withContiguousStorageIfAvailable(asciiWellFormed), let result = ascii {
            return result
        }
        let parts = value.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "fb", !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit),
            parts[2].count >= 10, parts[2].count <= 13, parts[2].allSatisfy(\.isASCIIDigit), !parts[3].isEmpty
        else { return false }
        return true
    }

    /// `isWellFormed` on the bytes of an ASCII value; nil when a byte is not ASCII (then grapheme
    /// clusters, e.g. a `.` followed by a combining mark, decide where the parts are).
    static func asciiWellFormed(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        for byte in b where byte >= 0x80 { return nil }
        let dot = UInt8(ascii: ".")
        guard b.count >= 3, b[0] == UInt8(ascii: "f"), b[1] == UInt8(ascii: "b"), b[2] == dot else { return false }
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
        return timeEnd + 1 < b.count
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
