// SPDX-License-Identifier: Apache-2.0

extension UnicodeText {
    /// Full, locale-independent lowercasing as JavaScript's `toLowerCase` does it.
    ///
    /// Swift's `String.lowercased()` applies the unconditional mappings (`İ` → `i̇`) but not the
    /// context-dependent final-sigma rule, which the browser pixel's `toLowerCase` applies
    /// (`ΟΔΟΣ` → `οδος`); a name hashed differently on the two sides would match nobody.
    static func lowercased(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        for index in scalars.indices {
            let scalar = scalars[index]
            if scalar.value < 0x80 {
                let value = scalar.value
                view.append(value &- 0x41 < 26 ? Unicode.Scalar(UInt8(value | 0x20)) : scalar)
            } else if scalar.value == 0x03A3 {
                view.append(isFinalSigma(at: index, in: scalars) ? "\u{03C2}" : "\u{03C3}")
            } else if scalar.properties.changesWhenLowercased {
                view.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                view.append(scalar)
            }
        }
        return String(view)
    }

    /// Unicode's Final_Sigma condition (Unicode §3.13): the sigma is preceded by a cased letter and
    /// not followed by one, skipping case-ignorable characters on both sides. As in ICU (which
    /// JavaScript engines use), a character that is both cased and case-ignorable is skipped.
    private static func isFinalSigma(at index: Int, in scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        var before = index
        var casedBefore = false
        while before > scalars.startIndex {
            before -= 1
            let properties = scalars[before].properties
            if properties.isCaseIgnorable { continue }
            casedBefore = properties.isCased
            break
        }
        guard casedBefore else { return false }
        var after = index + 1
        while after < scalars.endIndex {
            let properties = scalars[after].properties
            after += 1
            if properties.isCaseIgnorable { continue }
            return !properties.isCased
        }
        return true
    }

    /// General category L* (letters, any script).
    @inline(__always)
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return (scalar.value | 0x20) &- 0x61 < 26 }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// General category M* (combining marks).
    @inline(__always)
    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return false }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// General category Nd (decimal digits, any script).
    @inline(__always)
    static func isDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value &- 0x30 < 10 }
        return scalar.properties.generalCategory == .decimalNumber
    }

    /// `0`–`9` only.
    @inline(__always)
    static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value &- 0x30 < 10
    }

    /// The `White_Space` property.
    @inline(__always)
    static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return isASCIIWhiteSpace(UInt8(scalar.value)) }
        return scalar.properties.isWhitespace
    }

    /// The ASCII digit (`0x30`–`0x39`) for a decimal digit of any script, or nil.
    static func asciiDigit(_ scalar: Unicode.Scalar) -> UInt8? {
        if scalar.value < 0x80 { return isASCIIDigit(scalar) ? UInt8(scalar.value) : nil }
        guard scalar.properties.generalCategory == .decimalNumber,
            let value = scalar.properties.numericValue, value >= 0, value <= 9
        else { return nil }
        return 0x30 + UInt8(value)
    }
}
