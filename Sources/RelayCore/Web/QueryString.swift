// SPDX-License-Identifier: Apache-2.0

/// `application/x-www-form-urlencoded` / URL query parsing (percent-decoding, `+` as space).
public enum QueryString {
    /// Parses `a=1&b=x%20y` into ordered pairs. Invalid percent escapes are kept literally.
    public static func parse<S: StringProtocol>(_ query: S) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        for part in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
                pairs.append((decode(part[part.startIndex..<eq]), decode(part[part.index(after: eq)...])))
            } else {
                pairs.append((decode(part), ""))
            }
        }
        return pairs
    }

    /// The first value of `name` in the query part of `url` (after `?`, before `#`).
    public static func value(named name: String, inURL url: String) -> String? {
        // Runs for every beacon (fbclid): ASCII URLs are scanned on their bytes, decoding only the match.
        if name.utf8.allSatisfy({ $0 < 0x80 }),
            let lookup = url.utf8.withContiguousStorageIfAvailable({ asciiValue(named: name, in: $0) })
        {
            switch lookup {
            case .found(let value): return value
            case .absent: return nil
            case .notASCII: break
            }
        }
        guard let q = url.firstIndex(of: "?") else { return nil }
        var query = url[url.index(after: q)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        for pair in parse(query) where pair.key == name { return pair.value }
        return nil
    }

    enum Lookup {
        case found(String)
        case absent
        case notASCII
    }

    /// `value(named:inURL:)` on the bytes of an ASCII URL; `.notASCII` otherwise (then grapheme clusters
    /// decide where `?` and `#` are).
    static func asciiValue(named name: String, in b: UnsafeBufferPointer<UInt8>) -> Lookup {
        var question = -1
        var end = b.count
        for i in 0..<b.count {
            let c = b[i]
            if c >= 0x80 { return .notASCII }
            if question < 0 {
                if c == UInt8(ascii: "?") { question = i }
            } else if c == UInt8(ascii: "#"), end == b.count {
                end = i
            }
        }
        guard question >= 0 else { return .absent }
        var start = question + 1
        while start < end {
            var stop = start
            while stop < end, b[stop] != UInt8(ascii: "&") { stop += 1 }
            if stop > start {
                var eq = start
                while eq < stop, b[eq] != UInt8(ascii: "=") { eq += 1 }
                let key = b[start..<eq]
                let matches =
                    key.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") })
                    ? decode(key) == name : key.elementsEqual(name.utf8)
                if matches { return .found(eq < stop ? decode(b[(eq + 1)..<stop]) : "") }
            }
            start = stop + 1
        }
        return .absent
    }

    /// Percent-decodes bytes; `+` becomes a space. Result is UTF-8 decoded with replacement.
    public static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(0x20)
            } else if b == UInt8(ascii: "%"), let h1i = bytes.index(i, offsetBy: 1, limitedBy: bytes.endIndex),
                h1i != bytes.endIndex, let h2i = bytes.index(i, offsetBy: 2, limitedBy: bytes.endIndex),
                h2i != bytes.endIndex,
                let h = hexValue(bytes[h1i]), let l = hexValue(bytes[h2i])
            {
                out.append(h << 4 | l)
                i = h2i
            } else {
                out.append(b)
            }
            i = bytes.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-encodes a query component (RFC 3986 unreserved characters stay).
    public static func encode(_ s: String) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Small URL helpers (no Foundation `URL` on the hot path).
public enum URLParts {
    /// The lowercased host of an absolute http(s) URL or origin, without port or brackets; nil if none.
    public static func host(of url: String) -> String? {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        var rest = url[url.index(colon, offsetBy: 3)...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            return String(rest[rest.index(after: rest.startIndex)..<close]).lowercased()
        }
        if let colon = rest.firstIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : rest.lowercased()
    }

    /// `hostHeaderName` on the bytes of an ASCII value; nil when a byte is not ASCII.
    static func asciiHostHeaderName(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        for byte in b where byte >= 0x80 { return nil }
        var start = 0
        var end = b.count
        if end > 0, b[0] == UInt8(ascii: "["), let close = b.firstIndex(of: UInt8(ascii: "]")) {
            start = 1
            end = close
        } else if let colon = b.firstIndex(of: UInt8(ascii: ":")) {
            end = colon
        }
        return String(unsafeUninitializedCapacity: end - start) { out in
            for i in start..<end { out[i - start] = b[i] &- 0x41 < 26 ? b[i] | 0x20 : b[i] }
            return end - start
        }
    }

    /// Host part of a `Host` header value (port and brackets removed), lowercased.
    public static func hostHeaderName(_ value: String) -> String {
        // Runs for every beacon: an ASCII header is cut and lowercased on its bytes.
        if let ascii = value.utf8.withContiguousStorageIfAvailable(asciiHostHeaderName), let name = ascii {
            return name
        }
        var v = Substring(value)
        if v.hasPrefix("["), let close = v.firstIndex(of: "]") {
            return String(v[v.index(after: v.startIndex)..<close]).lowercased()
        }
        if let colon = v.firstIndex(of: ":") { v = v[..<colon] }
        return v.lowercased()
    }
}
