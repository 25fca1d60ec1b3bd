// SPDX-License-Identifier: Apache-2.0

/// An IPv4 or IPv6 address, stored as integers (host byte order) so comparisons and masks are cheap.
///
/// Parsing is strict: dotted-quad IPv4 without leading zeros, IPv6 per RFC 4291 §2.2 (including
/// `::` compression and a trailing embedded IPv4 such as `::ffff:192.0.2.1`). Zone ids (`%eth0`),
/// brackets and ports are rejected; strip them before parsing. `description` is the canonical text:
/// dotted decimal, or RFC 5952 for IPv6 (lowercase, longest zero run compressed, IPv4-mapped
/// addresses as `::ffff:a.b.c.d`).
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 address; `0xC0000201` is 192.0.2.1.
    case v4(UInt32)
    /// An IPv6 address as two 64-bit halves; `high` holds the first eight bytes.
    case v6(high: UInt64, low: UInt64)

    /// Parses an address from text.
    ///
    /// - Parameter text: e.g. `"192.0.2.1"`, `"2001:db8::1"`, `"::ffff:10.0.0.1"`.
    public init?(_ text: some StringProtocol) {
        var s = String(text)
        guard let parsed = s.withUTF8({ IPAddress(utf8: $0) }) else { return nil }
        self = parsed
    }

    /// Parses an address from UTF-8 bytes (no allocation; for headers on the request path).
    ///
    /// - Parameter utf8: the address text, without brackets, port or zone id.
    public init?(utf8: UnsafeBufferPointer<UInt8>) {
        if let v4 = IPAddress.parseV4(utf8, from: 0, to: utf8.count) {
            self = .v4(v4)
        } else if let (high, low) = IPAddress.parseV6(utf8) {
            self = .v6(high: high, low: low)
        } else {
            return nil
        }
    }

    /// An address from the 16 network-order bytes of an IPv6 `sockaddr_in6`.
    ///
    /// - Parameter ipv6Bytes: exactly 16 bytes, most significant first.
    public init(ipv6Bytes: some Collection<UInt8>) {
        precondition(ipv6Bytes.count == 16, "an IPv6 address has 16 bytes")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (i, byte) in ipv6Bytes.enumerated() {
            if i < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self = .v6(high: high, low: low)
    }

    /// True for an IPv6 address in `::ffff:0:0/96` (an IPv4 peer on a dual-stack socket).
    public var isIPv4Mapped: Bool {
        if case .v6(let high, let low) = self { return high == 0 && low >> 32 == 0xFFFF }
        return false
    }

    /// The IPv4 address for an IPv4-mapped IPv6 address; otherwise the address itself.
    public var unmapped: IPAddress {
        if case .v6(_, let low) = self, isIPv4Mapped { return .v4(UInt32(truncatingIfNeeded: low)) }
        return self
    }

    /// True for 127.0.0.0/8, `::1`, and IPv4-mapped loopback.
    public var isLoopback: Bool {
        switch unmapped {
        case .v4(let a): return a >> 24 == 127
        case .v6(let high, let low): return high == 0 && low == 1
        }
    }

    /// The canonical text form (see the type's documentation).
    public var description: String {
        switch self {
        case .v4(let a):
            return "\(a >> 24).\(a >> 16 & 0xFF).\(a >> 8 & 0xFF).\(a & 0xFF)"
        case .v6(let high, let low):
            if isIPv4Mapped { return "::ffff:" + IPAddress.v4(UInt32(truncatingIfNeeded: low)).description }
            return IPAddress.formatV6(high: high, low: low)
        }
    }

    // MARK: - Parsing

    /// Parses `a.b.c.d` in `bytes[from..<to]`.
    static func parseV4(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> UInt32? {
        var result: UInt32 = 0
        var octets = 0
        var i = from
        while i < to {
            var value: UInt32 = 0
            let start = i
            while i < to, bytes[i] >= 0x30, bytes[i] <= 0x39, i - start < 3 {
                value = value * 10 + UInt32(bytes[i] - 0x30)
                i += 1
            }
            let digits = i - start
            // Leading zeros are rejected: "010" is octal to some parsers and decimal to others.
            guard digits > 0, value <= 255, !(digits > 1 && bytes[start] == 0x30) else { return nil }
            result = result << 8 | value
            octets += 1
            if i == to { break }
            guard octets < 4, bytes[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            guard i < to else { return nil }
        }
        return octets == 4 ? result : nil
    }

    /// Parses the RFC 4291 text forms of IPv6.
    static func parseV6(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        let n = bytes.count
        guard n >= 2 else { return nil }
        var groups = InlineArray<8, UInt16>(repeating: 0)
        var count = 0
        var gap: Int? = nil  // index in `groups` where "::" sits
        var i = 0
        if bytes[0] == UInt8(ascii: ":") {
            guard bytes[1] == UInt8(ascii: ":") else { return nil }
            gap = 0
            i = 2
            if i == n { return (0, 0) }
        }
        while i < n {
            guard count < 8 else { return nil }
            // A trailing dotted quad fills the last two groups.
            var j = i
            var value: UInt32 = 0
            while j < n, j - i < 5, let d = hexValue(bytes[j]) {
                value = value << 4 | UInt32(d)
                j += 1
            }
            if j < n, bytes[j] == UInt8(ascii: ".") {
                guard count <= 6, let v4 = parseV4(bytes, from: i, to: n) else { return nil }
                groups[count] = UInt16(v4 >> 16)
                groups[count + 1] = UInt16(v4 & 0xFFFF)
                count += 2
                i = n
                break
            }
            guard j > i, j - i <= 4 else { return nil }
            groups[count] = UInt16(value)
            count += 1
            i = j
            if i == n { break }
            guard bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            if i < n, bytes[i] == UInt8(ascii: ":") {
                guard gap == nil else { return nil }
                gap = count
                i += 1
                if i == n { break }
            } else if i == n {
                return nil  // a single trailing colon
            }
        }
        if let gap {
            // "::" stands for at least one zero group (RFC 4291: one or more).
            guard count < 8 else { return nil }
            let tail = count - gap
            for k in 0..<tail { groups[7 - k] = groups[count - 1 - k] }
            for k in gap..<(8 - tail) { groups[k] = 0 }
        } else {
            guard count == 8 else { return nil }
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for k in 0..<4 { high = high << 16 | UInt64(groups[k]) }
        for k in 4..<8 { low = low << 16 | UInt64(groups[k]) }
        return (high, low)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    // MARK: - Formatting

    /// RFC 5952 §4: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`, first on a tie.
    private static func formatV6(high: UInt64, low: UInt64) -> String {
        var groups = [UInt16](repeating: 0, count: 8)
        for k in 0..<4 {
            groups[k] = UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(k)))
            groups[k + 4] = UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(k)))
        }
        var bestStart = -1
        var bestLength = 1
        var k = 0
        while k < 8 {
            if groups[k] == 0 {
                var e = k
                while e < 8, groups[e] == 0 { e += 1 }
                if e - k > bestLength {
                    bestStart = k
                    bestLength = e - k
                }
                k = e
            } else {
                k += 1
            }
        }
        var out = ""
        k = 0
        while k < 8 {
            if k == bestStart {
                out += "::"
                k += bestLength
                continue
            }
            if k > 0, k != bestStart + bestLength || bestStart < 0 { out += ":" }
            out += String(groups[k], radix: 16)
            k += 1
        }
        return out
    }
}
