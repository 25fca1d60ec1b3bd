// SPDX-License-Identifier: Apache-2.0

extension Normalizer {
    /// One group of a date: a run of ASCII digits or a month name, with the non-space text that
    /// separated it from the previous group.
    private struct DateGroup {
        /// The number's value (or the month, 1–12, for a month name).
        var value: Int
        /// Digit count; 0 for a month name.
        var length: Int
        /// Non-white-space characters between the previous group and this one.
        var separator: String.UnicodeScalarView
        var isMonthName: Bool { length == 0 }
    }

    /// `db`: parse a date of birth in the spec's accepted shapes and emit `YYYYMMDD`.
    static func normalizeDateOfBirth(
        _ value: UnicodeText.Prepared, currentYear: Int
    ) -> Result<String, NormalizationFailure> {
        let groups = dateGroups(value.text)
        if groups.isEmpty { return .failure(NormalizationFailure(field: .db, reason: .invalidFormat)) }
        guard let (year, month, day) = interpret(groups) else {
            return .failure(NormalizationFailure(field: .db, reason: .invalidFormat))
        }
        guard (1900...currentYear).contains(year), (1...12).contains(month),
            (1...daysIn(month: month, year: year)).contains(day)
        else { return .failure(NormalizationFailure(field: .db, reason: .outOfRange)) }
        return .success(formatDate(year: year, month: month, day: day))
    }

    /// Splits the text into digit groups and month names; other words are ignored. Stops early
    /// (returning four groups) once a fourth group shows the value carries a time of day.
    private static func dateGroups(_ text: String) -> [DateGroup] {
        var groups: [DateGroup] = []
        var separator = String.UnicodeScalarView()
        var number: (value: Int, length: Int)?
        var word = String.UnicodeScalarView()

        func flush() {
            if let found = number {
                groups.append(DateGroup(value: found.value, length: found.length, separator: separator))
                separator = String.UnicodeScalarView()
                number = nil
            } else if !word.isEmpty {
                if let month = MonthNames.month(String(word)) {
                    groups.append(DateGroup(value: month, length: 0, separator: separator))
                    separator = String.UnicodeScalarView()
                } else {
                    separator.append(contentsOf: word)
                }
                word = String.UnicodeScalarView()
            }
        }

        for scalar in text.unicodeScalars {
            if UnicodeText.isASCIIDigit(scalar) {
                if !word.isEmpty { flush() }
                let digit = Int(scalar.value - 0x30)
                let current = number ?? (0, 0)
                // Only groups of up to 8 digits are ever used; stop accumulating before overflow.
                number = (current.length < 9 ? current.value * 10 + digit : current.value, current.length + 1)
            } else if UnicodeText.isLetter(scalar) || UnicodeText.isMark(scalar) {
                if number != nil { flush() }
                word.append(scalar)
            } else {
                flush()
                if !UnicodeText.isWhiteSpace(scalar) { separator.append(scalar) }
            }
            if groups.count > 3 { return groups }
        }
        flush()
        return groups
    }

    /// Maps groups to (year, month, day) following the spec's accepted shapes, or nil.
    private static func interpret(_ groups: [DateGroup]) -> (Int, Int, Int)? {
        if groups.count == 1 {
            let only = groups[0]
            guard only.length == 8 else { return nil }
            return (only.value / 10_000, only.value / 100 % 100, only.value % 100)
        }
        guard groups.count == 3 else { return nil }
        let months = groups.filter(\.isMonthName)
        if months.count == 1 {
            let numbers = groups.filter { !$0.isMonthName }
            guard let year = numbers.first(where: { $0.length == 4 }),
                let day = numbers.first(where: { $0.length == 1 || $0.length == 2 }), day.value <= 31
            else { return nil }
            return (year.value, months[0].value, day.value)
        }
        guard months.isEmpty else { return nil }
        let (first, second, third) = (groups[0], groups[1], groups[2])
        guard String(second.separator) == String(third.separator) else { return nil }
        let separator = String(second.separator)
        let dayOrMonth = { (group: DateGroup) in group.length == 1 || group.length == 2 }
        if first.length == 4 {
            guard separator == "-" || separator == "/" || separator == ".", dayOrMonth(second), dayOrMonth(third)
            else { return nil }
            return (first.value, second.value, third.value)
        }
        // Year last; a two-digit year is rejected (its century is a guess).
        guard third.length == 4, dayOrMonth(first), dayOrMonth(second) else { return nil }
        if first.value > 12 || separator == "." || separator == "-" {
            return (third.value, second.value, first.value)
        }
        if separator == "/" { return (third.value, first.value, second.value) }
        return nil
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYYMMDD` (the year is already known to have four digits).
    private static func formatDate(year: Int, month: Int, day: Int) -> String {
        String(unsafeUninitializedCapacity: 8) { out in
            var rest = year * 10_000 + month * 100 + day
            for position in stride(from: 7, through: 0, by: -1) {
                out[position] = UInt8(0x30 + rest % 10)
                rest /= 10
            }
            return 8
        }
    }
}
