// SPDX-License-Identifier: Apache-2.0

/// The project's rules for normalising customer information before hashing
/// (spec/normalization.md, which is normative; Meta's own libraries disagree with each other).
public enum Normalizer {
    /// Full normalisation (steps 1 and 3 of the spec) of one raw value: NFC, trim, lowercase, then the
    /// field's rule. The "already hashed" pass-through (step 2) is `UserDataHasher`'s job.
    ///
    /// - Parameters:
    ///   - field: The `user_data` key.
    ///   - raw: The value as received.
    ///   - country: The event's already-normalised, lowercase alpha-2 country, or nil when unknown
    ///     (used by `ph`, `st` and `zp`).
    ///   - currentYear: The latest acceptable year of birth for `db`.
    /// - Returns: The normalised string, or why it was rejected (a result that would be empty is
    ///   rejected as `.empty`).
    public static func normalize(
        _ field: PIIField, _ raw: String, country: String?, currentYear: Int
    ) -> Result<String, NormalizationFailure> {
        applyRule(field, UnicodeText.prepare(raw), country: country, currentYear: currentYear)
    }

    /// Normalises a `country` value to an assigned ISO 3166-1 alpha-2 code (lowercase), accepting
    /// alpha-2, alpha-3 and English names or common aliases (`UK` → `gb`). Used to decide the
    /// event's country for the `ph`, `st` and `zp` rules.
    ///
    /// - Parameter raw: The value as received.
    /// - Returns: The alpha-2 code, or nil when the value names no assigned country.
    public static func countryCode(_ raw: String) -> String? {
        try? normalizeCountry(UnicodeText.prepare(raw)).get()
    }

    /// Step 3: the field rule, applied to a value that has been through step 1.
    static func applyRule(
        _ field: PIIField, _ value: UnicodeText.Prepared, country: String?, currentYear: Int
    ) -> Result<String, NormalizationFailure> {
        if value.text.isEmpty { return .failure(NormalizationFailure(field: field, reason: .empty)) }
        switch field {
        case .em: return normalizeEmail(value)
        case .ph: return normalizePhone(value, country: country)
        case .fn, .ln: return nonEmpty(field, UnicodeText.filter(value, keep: isNameScalar))
        case .db: return normalizeDateOfBirth(value, currentYear: currentYear)
        case .ge: return normalizeGender(value)
        case .ct: return nonEmpty(.ct, UnicodeText.filter(value, keep: isCityScalar))
        case .st: return normalizeState(value, country: country)
        case .zp: return normalizeZip(value, country: country)
        case .country: return normalizeCountry(value)
        case .externalID: return nonEmpty(.externalID, UnicodeText.filter(value) { !UnicodeText.isWhiteSpace($0) })
        }
    }

    /// Step 2: exactly 64 characters of `0-9a-f` (after step 1) is an already-computed SHA-256.
    static func isSHA256Hex(_ text: String) -> Bool {
        guard text.utf8.count == 64 else { return false }
        var copy = text
        return copy.withUTF8 { bytes in
            for byte in bytes where !(byte &- 0x30 < 10 || byte &- 0x61 < 6) { return false }
            return true
        }
    }

    /// `.success(text)`, or `.empty` when `text` is empty.
    static func nonEmpty(_ field: PIIField, _ text: String) -> Result<String, NormalizationFailure> {
        text.isEmpty ? .failure(NormalizationFailure(field: field, reason: .empty)) : .success(text)
    }

    /// `fn`/`ln` keep letters, marks and digits of any script.
    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        UnicodeText.isLetter(scalar) || UnicodeText.isDecimalDigit(scalar) || UnicodeText.isMark(scalar)
    }

    /// `ct` keeps letters and marks.
    private static func isCityScalar(_ scalar: Unicode.Scalar) -> Bool {
        UnicodeText.isLetter(scalar) || UnicodeText.isMark(scalar)
    }

    /// `em`: no rewriting (plus tags and dots are part of the address); valid when there is exactly
    /// one `@`, a non-empty local part, a domain containing a `.` that neither starts nor ends with
    /// `.`, and no white space.
    private static func normalizeEmail(_ value: UnicodeText.Prepared) -> Result<String, NormalizationFailure> {
        var text = value.text
        let valid = text.withUTF8 { bytes -> Bool in
            // `@`, `.` and ASCII white space are single bytes that never occur inside a multi-byte
            // UTF-8 sequence, so a byte scan is exact even for non-ASCII addresses.
            var at = -1
            for index in bytes.indices {
                let byte = bytes[index]
                if byte == UInt8(ascii: "@") {
                    if at >= 0 { return false }
                    at = index
                } else if UnicodeText.isASCIIWhiteSpace(byte) {
                    return false
                }
            }
            guard at > 0, at + 2 < bytes.count, bytes[at + 1] != UInt8(ascii: "."),
                bytes[bytes.count - 1] != UInt8(ascii: ".")
            else { return false }
            return UnsafeBufferPointer(rebasing: bytes[(at + 2)...]).contains(UInt8(ascii: "."))
        }
        guard valid, value.isASCII || !text.unicodeScalars.contains(where: UnicodeText.isWhiteSpace) else {
            return .failure(NormalizationFailure(field: .em, reason: .invalidFormat))
        }
        return .success(value.text)
    }

    /// `ge`: letters only, then one of the documented words for male or female.
    private static func normalizeGender(_ value: UnicodeText.Prepared) -> Result<String, NormalizationFailure> {
        let letters = UnicodeText.filter(value, keep: UnicodeText.isLetter)
        if letters.isEmpty { return .failure(NormalizationFailure(field: .ge, reason: .empty)) }
        switch letters {
        case "m", "male", "man", "boy", "mr", "masculino", "hombre", "homme", "männlich": return .success("m")
        case "f", "female", "woman", "girl", "mrs", "ms", "miss", "femenino", "mujer", "femme", "weiblich":
            return .success("f")
        default: return .failure(NormalizationFailure(field: .ge, reason: .invalidFormat))
        }
    }
}
