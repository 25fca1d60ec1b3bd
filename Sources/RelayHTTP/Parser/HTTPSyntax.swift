// SPDX-License-Identifier: Apache-2.0

/// Byte classes and small scanners from RFC 9110/9112, written as bit tests and comparisons so
/// that the hot loops do not call through tables or closures.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    /// `tchar`: `!#$%&'*+-.^_`|~`, DIGIT, ALPHA (RFC 9110 §5.6.2), as a 128-bit mask.
    @inline(__always)
    static func isTokenByte(_ c: UInt8) -> Bool {
        inMask(c, low: 0x03FF_6CFA_0000_0000, high: 0x57FF_FFFF_C7FF_FFFE)
    }

    /// Characters of `Host`: unreserved, sub-delims, `%`, `:`, `[`, `]` (RFC 3986 authority).
    @inline(__always)
    static func isHostByte(_ c: UInt8) -> Bool {
        inMask(c, low: 0x2FFF_7FF2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE)
    }

    @inline(__always)
    static func inMask(_ c: UInt8, low: UInt64, high: UInt64) -> Bool {
        let word = c < 64 ? low : (c < 128 ? high : 0)
        return (word >> UInt64(c & 63)) & 1 == 1
    }

    /// `field-vchar / SP / HTAB` (VCHAR, obs-text, SP, HTAB): anything but CTLs and DEL.
    @inline(__always)
    static func isFieldValueByte(_ c: UInt8) -> Bool {
        c == htab || (c >= 0x20 && c != 0x7F)
    }

    /// Index of the first byte in `p[start..<end]` that may not appear in a field value, or nil.
    /// Checks 8 bytes per step (no CTL, no DEL in the word) and falls back to a byte loop at the
    /// first suspicious word, which is then exact (an HTAB is suspicious but allowed).
    @inline(__always)
    static func firstInvalidValueByte(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var k = start
        while end - k >= 8 {
            let word = p.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            let control = (word &- ones &* 0x20) & ~word & highBits  // some byte < 0x20
            let xored = word ^ (ones &* 0x7F)
            let delete = (xored &- ones) & ~xored & highBits  // some byte == 0x7F
            if control | delete != 0 { break }
            k += 8
        }
        while k < end {
            if !isFieldValueByte(p[k]) { return k }
            k += 1
        }
        return nil
    }

    /// Bytes allowed in a request-target: printable ASCII. Browsers send `[`, `]`, `|`, `{` raw
    /// in queries, so the strict RFC 3986 set would reject real beacons.
    @inline(__always)
    static func isTargetByte(_ c: UInt8) -> Bool {
        c > 0x20 && c < 0x7F
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    @inline(__always)
    static func isOWS(_ c: UInt8) -> Bool { c == sp || c == htab }

    @inline(__always)
    static func lowercased(_ c: UInt8) -> UInt8 {
        c &- 0x41 < 26 ? c | 0x20 : c
    }

    /// Value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: Int(c &- 0x30)
        case 0x41...0x46: Int(c &- 0x37)
        case 0x61...0x66: Int(c &- 0x57)
        default: nil
        }
    }

    /// Whether `bytes` equals the lowercase ASCII `literal`, ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        var i = 0
        for c in bytes {
            if lowercased(c) != literal.utf8Start[i] { return false }
            i += 1
        }
        return true
    }

    /// Calls `body` with each element of a comma-separated list, OWS trimmed, empty ones skipped
    /// (RFC 9110 §5.6.1 asks recipients to ignore empty list elements).
    static func forEachListElement<C: BidirectionalCollection<UInt8>, E: Error>(
        _ bytes: C, _ body: (C.SubSequence) throws(E) -> Void
    ) throws(E) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.endIndex
            var lo = start
            var hi = end
            while lo < hi, isOWS(bytes[lo]) { lo = bytes.index(after: lo) }
            while hi > lo, isOWS(bytes[bytes.index(before: hi)]) { hi = bytes.index(before: hi) }
            if lo < hi { try body(bytes[lo..<hi]) }
            start = end == bytes.endIndex ? end : bytes.index(after: end)
        }
    }

    /// The `close` and `keep-alive` options of one or more `Connection` fields.
    struct ConnectionOptions: Sendable, Equatable {
        var close = false
        var keepAliveToken = false

        mutating func scan(_ value: some BidirectionalCollection<UInt8>) {
            forEachListElement(value) { element in
                if equalsIgnoringCase(element, "close") { close = true }
                if equalsIgnoringCase(element, "keep-alive") { keepAliveToken = true }
            }
        }

        /// RFC 9112 §9.3: `close` always wins; 1.1 defaults to persistent, 1.0 needs `keep-alive`.
        func keepAlive(_ version: HTTPVersion) -> Bool {
            if close { return false }
            return version == .http1_1 || keepAliveToken
        }
    }
}
