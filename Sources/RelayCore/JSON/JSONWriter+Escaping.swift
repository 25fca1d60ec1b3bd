// SPDX-License-Identifier: Apache-2.0

extension JSONWriter {
    /// Appends `"s"` with RFC 8259 escaping: `"` and `\` escaped, control characters as the short
    /// forms `\b \f \n \r \t` or `\u00XX`; `/`, DEL and non-ASCII are written as they are (UTF-8).
    /// A leading comma and a trailing colon are added on request, so that the common case, a short
    /// string without escapes, is a single append (each `Array.append` checks uniqueness and capacity).
    mutating func appendQuoted(_ s: String, comma: Bool = false, colon: Bool = false) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { utf8 in
            appendQuoted(utf8, comma: comma, colon: colon)
        }
        if done == nil {
            let copy = Array(s.utf8)
            copy.withUnsafeBufferPointer { appendQuoted($0, comma: comma, colon: colon) }
        }
    }

    private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>, comma: Bool, colon: Bool) {
        var index = Self.nextByteToEscape(in: utf8, from: 0)
        if index == utf8.count && utf8.count <= 256 {
            let total = utf8.count + 2 + (comma ? 1 : 0) + (colon ? 1 : 0)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: total) { chunk in
                var w = 0
                if comma { chunk[w] = UInt8(ascii: ","); w += 1 }
                chunk[w] = UInt8(ascii: "\"")
                if let source = utf8.baseAddress {
                    (chunk.baseAddress! + w + 1).update(from: source, count: utf8.count)
                }
                w += utf8.count + 1
                chunk[w] = UInt8(ascii: "\"")
                if colon { chunk[w + 1] = UInt8(ascii: ":") }
                bytes.append(contentsOf: UnsafeBufferPointer(chunk))
            }
            return
        }
        if comma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        while index < utf8.count {
            // Copy the run of bytes that need no escaping in bulk.
            if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            appendEscape(utf8[index])
            runStart = index + 1
            index = Self.nextByteToEscape(in: utf8, from: runStart)
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        bytes.append(UInt8(ascii: "\""))
        if colon { bytes.append(UInt8(ascii: ":")) }
    }

    private mutating func appendEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(hex.utf8Start[Int(byte >> 4)])
            bytes.append(hex.utf8Start[Int(byte & 0x0F)])
        }
    }

    /// The index of the first byte at or after `start` that must be escaped (< 0x20, `"` or `\`),
    /// or `utf8.count`; checks eight bytes at a time (same SWAR tests as the parser's scanner).
    @inline(__always)
    static func nextByteToEscape(in utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let p = utf8.baseAddress else { return 0 }
        let count = utf8.count
        var j = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while j + 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let flags = ((word &- (ones &* 0x20)) | (quote &- ones) | (backslash &- ones)) & ~word & highs
            // `& ~word` drops bytes ≥ 0x80 (UTF-8 needs no escaping); a flag on a byte ≠ 0 after
            // XOR can only be a borrow above a real hit, so the lowest flag is exact.
            if flags != 0 { return j + flags.trailingZeroBitCount >> 3 }
            j += 8
        }
        while j < count {
            let byte = p[j]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return j }
            j += 1
        }
        return j
    }

    /// Appends the decimal digits of `v` without creating a `String`.
    mutating func appendDecimal(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = v.magnitude
        // 20 digits hold UInt64.max; fill from the right.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = 20
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }
}
