// SPDX-License-Identifier: Apache-2.0

extension JSONScanner {
    /// Parses the string whose opening quote is at `i`; leaves `i` after the closing quote.
    ///
    /// Pass 1 (`scanString`) finds the closing quote while validating UTF-8, control characters and
    /// escapes, so that the common case, a string without escapes, becomes a `String` straight from
    /// the input slice. Only strings with escapes take pass 2, which decodes into the new string's
    /// own storage.
    mutating func parseString() throws(JSONError) -> String {
        let (start, length, hasEscapes) = try scanString()
        if !hasEscapes {
            return String(decoding: UnsafeBufferPointer(start: p + start, count: length), as: UTF8.self)
        }
        let source = p + start
        // Every escape decodes to fewer bytes than it occupies, so `length` is enough room.
        return String(unsafeUninitializedCapacity: length) { buffer in
            Self.decodeEscapes(source, count: length, into: buffer)
        }
    }

    /// Validates the string whose opening quote is at `i` exactly as `parseString` does, without
    /// making a `String`; leaves `i` after the closing quote and sets `lastStringWasPlainASCII`.
    /// - Returns: where its content starts, its encoded length, and whether it has escapes.
    mutating func scanString() throws(JSONError) -> (start: Int, length: Int, hasEscapes: Bool) {
        let open = i
        let start = open + 1
        // A non-quote byte at or beyond `tooLong` would make the content exceed maxStringBytes.
        let tooLong = limits.maxStringBytes >= end ? end : min(end, start + limits.maxStringBytes)
        var j = start
        var hasEscapes = false
        var plainASCII = true
        while true {
            j = skipPlainASCII(from: j, to: tooLong)
            guard j < end else { throw JSONError(offset: open, message: "unterminated string") }
            let byte = p[j]
            if byte == UInt8(ascii: "\"") { break }
            if j >= tooLong { throw stringTooLong(open) }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                plainASCII = false
                j = try checkEscape(at: j, open: open)
            } else if byte < 0x20 {
                throw JSONError(offset: j, message: "unescaped control character 0x\(JSONError.hex2(byte)) in string")
            } else if let length = UTF8Validation.sequenceLength(p, at: j, end: end) {
                plainASCII = false
                j += length
            } else {
                throw JSONError(offset: j, message: "invalid UTF-8")
            }
        }
        let length = j - start
        lastStringWasPlainASCII = plainASCII
        // An escape that began just under the limit may end beyond it.
        if length > limits.maxStringBytes { throw stringTooLong(open) }
        i = j + 1
        return (start, length, hasEscapes)
    }

    /// Skips bytes that need no attention (printable ASCII other than `"` and `\`), eight at a time
    /// while possible; returns the index of the first other byte, or `limit`.
    @inline(__always)
    func skipPlainASCII(from index: Int, to limit: Int) -> Int {
        var j = index
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while j + 8 <= limit {
            let word = UInt64(littleEndian: UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self))
            // Classic SWAR tests: a byte's high bit ends up set where it is < 0x20, equals `"` or
            // `\`, or is itself ≥ 0x80. The lowest flagged byte is exact (borrows only run upward).
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let control = (word &- (ones &* 0x20)) & ~word
            let quoteZero = (quote &- ones) & ~quote
            let backslashZero = (backslash &- ones) & ~backslash
            let flags = (control | quoteZero | backslashZero | word) & highs
            if flags != 0 { return j + flags.trailingZeroBitCount >> 3 }
            j += 8
        }
        while j < limit {
            let byte = p[j]
            if byte &- 0x20 >= 0x60 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return j }
            j += 1
        }
        return j
    }

    /// Validates the escape whose backslash is at `j`; returns the index just after it.
    func checkEscape(at j: Int, open: Int) throws(JSONError) -> Int {
        guard j + 1 < end else { throw JSONError(offset: open, message: "unterminated string") }
        let kind = p[j + 1]
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return j + 2
        case UInt8(ascii: "u"):
            guard let unit = hex4(at: j + 2) else {
                throw JSONError(offset: j, message: "invalid \\u escape, expected 4 hex digits")
            }
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed by an escaped low surrogate.
                guard j + 7 < end, p[j + 6] == UInt8(ascii: "\\"), p[j + 7] == UInt8(ascii: "u"),
                    let low = hex4(at: j + 8), (0xDC00...0xDFFF).contains(low)
                else { throw loneSurrogate(unit, at: j) }
                return j + 12
            case 0xDC00...0xDFFF:
                throw loneSurrogate(unit, at: j)
            default:
                return j + 6
            }
        default:
            let shown =
                kind >= 0x21 && kind < 0x7F
                ? "\\" + String(Character(Unicode.Scalar(kind))) : "\\ followed by byte 0x" + JSONError.hex2(kind)
            throw JSONError(offset: j, message: "invalid escape \(shown)")
        }
    }

    /// The value of four hex digits at `k`, or nil if any is missing or not a hex digit.
    @inline(__always)
    func hex4(at k: Int) -> UInt32? {
        guard k + 4 <= end else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = Self.hexValue(p[k + offset]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    /// Decodes a string body already validated by pass 1; returns the number of bytes written.
    static func decodeEscapes(_ source: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutableBufferPointer<UInt8>)
        -> Int
    {
        var r = 0
        var w = 0
        while r < count {
            let byte = source[r]
            guard byte == UInt8(ascii: "\\") else {
                out[w] = byte
                w += 1
                r += 1
                continue
            }
            let kind = source[r + 1]
            r += 2
            switch kind {
            case UInt8(ascii: "b"): out[w] = 0x08
            case UInt8(ascii: "f"): out[w] = 0x0C
            case UInt8(ascii: "n"): out[w] = 0x0A
            case UInt8(ascii: "r"): out[w] = 0x0D
            case UInt8(ascii: "t"): out[w] = 0x09
            case UInt8(ascii: "u"):
                var scalar = hex4Unchecked(source + r)
                r += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // Pass 1 guaranteed that `\uDC00`–`\uDFFF` follows.
                    let low = hex4Unchecked(source + r + 2)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    r += 6
                }
                w += encodeUTF8(scalar, into: out.baseAddress! + w)
                continue
            default: out[w] = kind  // `"`, `\` and `/` stand for themselves
            }
            w += 1
        }
        return w
    }

    @inline(__always)
    static func hex4Unchecked(_ q: UnsafePointer<UInt8>) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | (hexValue(q[offset]) ?? 0) }
        return value
    }

    /// Writes the UTF-8 form of a (valid) scalar value; returns its length.
    @inline(__always)
    static func encodeUTF8(_ scalar: UInt32, into q: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            q[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            q[0] = UInt8(0xC0 | scalar >> 6)
            q[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            q[0] = UInt8(0xE0 | scalar >> 12)
            q[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            q[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            q[0] = UInt8(0xF0 | scalar >> 18)
            q[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            q[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            q[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    func loneSurrogate(_ unit: UInt32, at offset: Int) -> JSONError {
        let high = UInt8(truncatingIfNeeded: unit >> 8)
        let low = UInt8(truncatingIfNeeded: unit)
        return JSONError(offset: offset, message: "lone surrogate \\u\(JSONError.hex2(high))\(JSONError.hex2(low))")
    }

    func stringTooLong(_ open: Int) -> JSONError {
        JSONError(offset: open, message: "string longer than \(limits.maxStringBytes) bytes")
    }
}
