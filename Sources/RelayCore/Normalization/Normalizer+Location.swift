// SPDX-License-Identifier: Apache-2.0

extension Normalizer {
    /// `st`: letters, marks and digits; US state / Canadian province names become their 2-letter
    /// codes when the event's country is `us` / `ca`, or unknown (US first).
    static func normalizeState(
        _ value: UnicodeText.Prepared, country: String?
    ) -> Result<String, NormalizationFailure> {
        let kept = UnicodeText.filter(value) {
            UnicodeText.isLetter($0) || UnicodeText.isDecimalDigit($0) || UnicodeText.isMark($0)
        }
        if kept.isEmpty { return .failure(NormalizationFailure(field: .st, reason: .empty)) }
        switch country {
        case nil: return .success(RegionCodes.usState(kept) ?? RegionCodes.canadianProvince(kept) ?? kept)
        case "us": return .success(RegionCodes.usState(kept) ?? kept)
        case "ca": return .success(RegionCodes.canadianProvince(kept) ?? kept)
        default: return .success(kept)
        }
    }

    /// `zp`: white space and `-` removed; a US ZIP+4 keeps its first five digits (for an unknown
    /// country only when the whole value is 5 or 9 ASCII digits, so `1000001` (Japan) is kept).
    static func normalizeZip(
        _ value: UnicodeText.Prepared, country: String?
    ) -> Result<String, NormalizationFailure> {
        let kept = UnicodeText.filter(value) { $0 != "-" && !UnicodeText.isWhiteSpace($0) }
        if kept.isEmpty { return .failure(NormalizationFailure(field: .zp, reason: .empty)) }
        let bytes = kept.utf8
        let leadingDigits = bytes.prefix(while: { $0 &- 0x30 < 10 }).count
        let shorten: Bool
        switch country {
        case "us": shorten = leadingDigits >= 5
        case nil: shorten = leadingDigits == bytes.count && (bytes.count == 5 || bytes.count == 9)
        default: shorten = false
        }
        return .success(shorten ? String(kept.unicodeScalars.prefix(5)) : kept)
    }

    /// `country`: letters only, then an alpha-2 code, alpha-3 code, English name or common alias,
    /// emitted as an assigned alpha-2 code.
    static func normalizeCountry(_ value: UnicodeText.Prepared) -> Result<String, NormalizationFailure> {
        let letters = UnicodeText.filter(value, keep: UnicodeText.isLetter)
        if letters.isEmpty { return .failure(NormalizationFailure(field: .country, reason: .empty)) }
        guard let code = CountryCodes.alpha2(for: letters) else {
            return .failure(NormalizationFailure(field: .country, reason: .invalidFormat))
        }
        return .success(code)
    }
}
