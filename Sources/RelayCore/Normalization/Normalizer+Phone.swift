// SPDX-License-Identifier: Apache-2.0

extension Normalizer {
    /// `ph`: digits in international form, with the country calling code (spec "Phone").
    ///
    /// Meta matches only on the full international number, so a national number needs the event's
    /// country to get its calling code; without one we assume the caller already included it.
    static func normalizePhone(
        _ value: UnicodeText.Prepared, country: String?
    ) -> Result<String, NormalizationFailure> {
        let (digits, plus) = phoneDigits(value.text)
        if digits.isEmpty { return .failure(NormalizationFailure(field: .ph, reason: .empty)) }
        let number = internationalForm(digits, plus: plus, country: country)
        if number.isEmpty { return .failure(NormalizationFailure(field: .ph, reason: .empty)) }
        guard (7...15).contains(number.count) else {
            return .failure(NormalizationFailure(field: .ph, reason: .outOfRange))
        }
        return .success(String(decoding: number, as: UTF8.self))
    }

    /// Steps 1–2: drop `tel:`, cut off an extension (a letter, `#` or `;` after a digit), note a
    /// leading `+`, and keep the digits (any script's decimal digits, mapped to ASCII).
    private static func phoneDigits(_ text: String) -> (digits: [UInt8], plus: Bool) {
        var scalars = Substring(text).unicodeScalars
        if text.hasPrefix("tel:") { scalars = scalars.dropFirst(4) }
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var plus: Bool?
        for scalar in scalars {
            if plus == nil && !UnicodeText.isWhiteSpace(scalar) { plus = scalar == "+" }
            if let digit = UnicodeText.asciiDigit(scalar) {
                digits.append(digit)
            } else if !digits.isEmpty && (scalar == "#" || scalar == ";" || UnicodeText.isLetter(scalar)) {
                break
            }
        }
        return (digits, plus ?? false)
    }

    /// Steps 3–5: strip an international prefix, or turn a national number into international form.
    private static func internationalForm(_ digits: [UInt8], plus: Bool, country: String?) -> [UInt8] {
        if plus { return digits }
        if digits.starts(with: "00".utf8) { return Array(digits.dropFirst(2)) }
        if digits.starts(with: "011".utf8), country == "us" || country == "ca" { return Array(digits.dropFirst(3)) }
        guard let country, let callingCode = CountryCodes.callingCode(country) else {
            // Unknown country: the digits are assumed to include the country code.
            return Array(digits.drop(while: { $0 == UInt8(ascii: "0") }))
        }
        let code = Array(callingCode.utf8)
        switch country {
        case _ where callingCode == "1":
            return digits.count == 10 ? code + digits : digits
        case "it", "sm", "va":
            // Italy's leading 0 is part of the subscriber number, not a trunk prefix.
            return code + digits
        case "ru", "kz":
            if digits.count == 11, digits.first == UInt8(ascii: "8") { return code + digits.dropFirst() }
            if digits.count == 10 { return code + digits }
            return digits
        default:
            if digits.count >= 11, digits.starts(with: code) { return digits }
            let national = digits.first == UInt8(ascii: "0") ? digits.dropFirst() : digits[...]
            return code + national
        }
    }
}
