// SPDX-License-Identifier: Apache-2.0

/// Strict UTF-8 validation per Unicode Table 3-7 (well-formed byte sequences).
///
/// Rejects overlong forms (`C0 80`), UTF-16 surrogates encoded in UTF-8 (`ED A0 80`), scalars above
/// U+10FFFF (`F4 90 …`, `F5`–`FF`), stray continuation bytes and truncated sequences. Kept separate from
/// the parser so the string scanner can validate in the same pass that looks for quotes and escapes.
enum UTF8Validation {
    /// The length (2–4) of the well-formed multi-byte sequence starting at `i`, or nil.
    ///
    /// `p[i]` must be ≥ 0x80; bytes at or beyond `end` are never read.
    @inline(__always)
    static func sequenceLength(_ p: UnsafePointer<UInt8>, at i: Int, end: Int) -> Int? {
        let lead = p[i]
        // The allowed range of the second byte depends on the lead byte; later bytes are plain
        // continuation bytes (80–BF).
        let length: Int
        let low: UInt8
        let high: UInt8
        switch lead {
        case 0xC2...0xDF: length = 2; low = 0x80; high = 0xBF
        case 0xE0: length = 3; low = 0xA0; high = 0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; low = 0x80; high = 0xBF
        case 0xED: length = 3; low = 0x80; high = 0x9F
        case 0xF0: length = 4; low = 0x90; high = 0xBF
        case 0xF1...0xF3: length = 4; low = 0x80; high = 0xBF
        case 0xF4: length = 4; low = 0x80; high = 0x8F
        default: return nil
        }
        guard end - i >= length else { return nil }
        let second = p[i + 1]
        guard second >= low && second <= high else { return nil }
        if length >= 3 && !isContinuation(p[i + 2]) { return nil }
        if length == 4 && !isContinuation(p[i + 3]) { return nil }
        return length
    }

    /// The offset of the first byte that does not start a well-formed sequence, or nil when the whole
    /// buffer is valid UTF-8.
    static func firstInvalidOffset(in buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let p = buffer.baseAddress else { return nil }
        let end = buffer.count
        var i = 0
        while i < end {
            if p[i] < 0x80 {
                i += 1
            } else if let n = sequenceLength(p, at: i, end: end) {
                i += n
            } else {
                return i
            }
        }
        return nil
    }

    @inline(__always)
    static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
