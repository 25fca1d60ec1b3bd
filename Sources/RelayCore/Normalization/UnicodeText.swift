// SPDX-License-Identifier: Apache-2.0

/// The Unicode operations normalisation needs, without Foundation or ICU: NFC, trimming of
/// `White_Space`, JavaScript-compatible lowercasing and general-category tests.
///
/// Every operation has an ASCII fast path because nearly all real input (emails, phone numbers,
/// most names) is ASCII, and ASCII text is already NFC.
enum UnicodeText {
    /// A value after step 1 of the spec (NFC, trim, lowercase), with a flag that lets the field rules
    /// take their byte-level fast paths.
    struct Prepared {
        /// The NFC, trimmed, lowercased text.
        let text: String
        /// True when `text` contains only ASCII.
        let isASCII: Bool
    }

    /// Step 1 of the spec: Unicode NFC, then trim leading and trailing `White_Space`, then lowercase
    /// with full, locale-independent case mapping including the final-sigma rule. No second NFC pass.
    static func prepare(_ raw: String) -> Prepared {
        if let ascii = prepareASCII(raw) {
            return Prepared(text: ascii, isASCII: true)
        }
        let scalars = Array(nfc(raw).unicodeScalars)
        var lower = 0
        var upper = scalars.count
        while lower < upper, scalars[lower].properties.isWhitespace { lower += 1 }
        while upper > lower, scalars[upper - 1].properties.isWhitespace { upper -= 1 }
        let text = lowercased(scalars[lower..<upper])
        return Prepared(text: text, isASCII: isASCII(text))
    }

    /// The NFC form of `text`. The one place that relies on the stdlib's underscored
    /// `_nfcCodeUnits` (FoundationEssentials has no NFC); a test pins its output bytes.
    static func nfc(_ text: String) -> String {
        // Text made only of scalars below U+0300 (ASCII, Latin-1, Latin Extended-A/B, IPA) is
        // already NFC: none of them decomposes differently or composes with a neighbour.
        if text.unicodeScalars.allSatisfy({ $0.value < 0x300 }) { return text }
        return String(decoding: text._nfcCodeUnits, as: UTF8.self)
    }

    /// True when every byte of `text` is ASCII.
    static func isASCII(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 } }
    }

    /// ASCII `White_Space`: tab, line feed, vertical tab, form feed, carriage return, space.
    @inline(__always)
    static func isASCIIWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// Step 1 for all-ASCII input, or nil when the input contains any non-ASCII byte. Returns the
    /// input itself (no allocation) when it is already trimmed and lowercase.
    private static func prepareASCII(_ raw: String) -> String? {
        var copy = raw
        return copy.withUTF8 { bytes -> String? in
            var hasUpper = false
            for byte in bytes {
                if byte >= 0x80 { return nil }
                if byte &- 0x41 < 26 { hasUpper = true }
            }
            var start = 0
            var end = bytes.count
            while start < end, isASCIIWhiteSpace(bytes[start]) { start += 1 }
            while end > start, isASCIIWhiteSpace(bytes[end - 1]) { end -= 1 }
            if !hasUpper && start == 0 && end == bytes.count { return raw }
            return String(unsafeUninitializedCapacity: end - start) { out in
                for index in start..<end {
                    let byte = bytes[index]
                    out[index - start] = byte &- 0x41 < 26 ? byte | 0x20 : byte
                }
                return end - start
            }
        }
    }

    /// Keeps the scalars of `prepared` for which `keep` returns true. ASCII text is filtered
    /// byte by byte, so `keep` should test the ASCII range before touching scalar properties.
    static func filter(_ prepared: Prepared, keep: (Unicode.Scalar) -> Bool) -> String {
        if prepared.isASCII {
            var copy = prepared.text
            return copy.withUTF8 { bytes in
                String(unsafeUninitializedCapacity: bytes.count) { out in
                    var count = 0
                    for byte in bytes where keep(Unicode.Scalar(byte)) {
                        out[count] = byte
                        count += 1
                    }
                    return count
                }
            }
        }
        var view = String.UnicodeScalarView()
        for scalar in prepared.text.unicodeScalars where keep(scalar) {
            view.append(scalar)
        }
        return String(view)
    }
}
