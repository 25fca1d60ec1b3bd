// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

/// Field rules beyond the documented examples: edges of each rule in normalization.md.
@Suite struct NormalizerRuleTests {
    /// One input with the event country and the expected normalised value or failure reason.
    struct Row: Sendable, CustomStringConvertible {
        let field: PIIField
        let input: String
        let country: String?
        let expected: String?
        let reason: NormalizationFailure.Reason?

        var description: String {
            "\(field.rawValue) \(input.debugDescription)" + (country.map { " (\($0))" } ?? "")
        }
    }

    private static func ok(_ field: PIIField, _ input: String, _ value: String) -> Row {
        Row(field: field, input: input, country: nil, expected: value, reason: nil)
    }

    private static func ok(_ field: PIIField, _ input: String, _ country: String, _ value: String) -> Row {
        Row(field: field, input: input, country: country, expected: value, reason: nil)
    }

    private static func fails(_ field: PIIField, _ input: String, _ reason: NormalizationFailure.Reason) -> Row {
        Row(field: field, input: input, country: nil, expected: nil, reason: reason)
    }

    static let email: [Row] = [
        ok(.em, "jane.doe+shop@example.com", "jane.doe+shop@example.com"),
        ok(.em, "J.A.N.E@GMAIL.COM", "j.a.n.e@gmail.com"),  // no gmail dot removal
        ok(.em, "ÜSER@EXÄMPLE.DE", "üser@exämple.de"),
        fails(.em, "@example.com", .invalidFormat),
        fails(.em, "user@", .invalidFormat),
        fails(.em, "user@.example.com", .invalidFormat),
        fails(.em, "user@example", .invalidFormat),
        fails(.em, "us er@example.com", .invalidFormat),
        fails(.em, "user@exa\u{A0}mple.com", .invalidFormat),  // non-ASCII white space inside
        fails(.em, "a@b@example.com", .invalidFormat),
        fails(.em, " \t", .empty),
    ]

    static let phone: [Row] = [
        ok(.ph, "tel: +44 20 7946 0958", "442079460958"),
        ok(.ph, "+1 650 555 1212 x12", "16505551212"),
        ok(.ph, "650.555.1212;ext=9", "us", "16505551212"),
        ok(.ph, "011 33 6 12 34 56 78", "ca", "33612345678"),
        ok(.ph, "011 33 6 12 34 56 78", "fr", "331133612345678"),  // 011 is no exit code in France
        ok(.ph, "16505551212", "us", "16505551212"),
        ok(.ph, "555 1212", "us", "5551212"),  // not 10 digits: kept as is
        ok(.ph, "612345678", "fr", "33612345678"),
        ok(.ph, "33612345678", "fr", "33612345678"),  // already has the calling code
        ok(.ph, "3361234567", "fr", "333361234567"),  // too short to already have it
        ok(.ph, "333 1234567", "it", "393331234567"),  // Italian mobile, no trunk 0
        ok(.ph, "06 6982", "va", "39066982"),
        ok(.ph, "0549 882 000", "sm", "3780549882000"),
        ok(.ph, "84951234567", "kz", "74951234567"),
        ok(.ph, "74951234567", "ru", "74951234567"),
        ok(.ph, "4951234567", "ru", "74951234567"),
        ok(.ph, "0 30 123456", "de", "4930123456"),
        ok(.ph, "030 123456", "aq", "30123456"),  // no calling code known: as if unknown
        ok(.ph, "٠٦ ١٢ ٣٤ ٥٦ ٧٨", "fr", "33612345678"),
        ok(.ph, "+१ ६५० ५५५ १२१२", "16505551212"),  // Devanagari digits
        ok(.ph, "000 44 20 7946 0958", "0442079460958"),
        fails(.ph, "123456", .outOfRange),
        fails(.ph, "+1234567890123456", .outOfRange),
        fails(.ph, "call me", .empty),
        fails(.ph, "00", .empty),
        fails(.ph, "ext 123", .outOfRange),  // letters before any digit do not cut
    ]

    static let dates: [Row] = [
        ok(.db, "19970216", "19970216"),
        ok(.db, "1997/2/6", "19970206"),
        ok(.db, "1997 - 02 - 16", "19970216"),
        ok(.db, "16 02 1997", "19970216"),  // first group > 12: day first whatever the separator
        ok(.db, "1997-02-16 (DOB)", "19970216"),  // other words are ignored
        ok(.db, "16th Feb 1997", "19970216"),
        ok(.db, "1997 February 16", "19970216"),
        ok(.db, "16-feb-1997", "19970216"),
        ok(.db, "16 Aug 1997", "19970816"),
        ok(.db, "16 ago 1997", "19970816"),
        ok(.db, "16 août 1997", "19970816"),
        ok(.db, "16 aoû 1997", "19970816"),
        ok(.db, "1 März 1997", "19970301"),
        ok(.db, "1 mär 1997", "19970301"),
        ok(.db, "1 Dezember 1997", "19971201"),
        ok(.db, "1 décembre 1997", "19971201"),
        ok(.db, "1 juillet 1997", "19970701"),
        ok(.db, "12/31/1999", "19991231"),
        ok(.db, "29.02.2024", "20240229"),
        ok(.db, "1900-01-01", "19000101"),
        ok(.db, "2026-12-31", "20261231"),
        fails(.db, "1 jui 1997", .invalidFormat),  // French "jui" is juin or juillet
        fails(.db, "1 sept 1997", .invalidFormat),  // neither full nor three letters
        fails(.db, "02 03 1997", .invalidFormat),  // ambiguous without / . or -
        fails(.db, "1997-02/16", .invalidFormat),
        fails(.db, "1997 02 16", .invalidFormat),
        fails(.db, "16/02/97", .invalidFormat),
        fails(.db, "16021997", .outOfRange),  // an 8-digit group is YYYYMMDD only
        fails(.db, "1997-13-01", .outOfRange),
        fails(.db, "31/04/1997", .outOfRange),
        fails(.db, "02.16.1997", .outOfRange),  // day first with '.'
        fails(.db, "2027-01-01", .outOfRange),
        fails(.db, "1997", .invalidFormat),
        fails(.db, "02/1997", .invalidFormat),
        fails(.db, "Feb 1997", .invalidFormat),
        fails(.db, "1997-02-16 10:30", .invalidFormat),
        fails(.db, "Feb March 1997", .invalidFormat),
        fails(.db, "١٩٩٧-٠٢-١٦", .invalidFormat),  // only ASCII digits count
        fails(.db, "unknown", .invalidFormat),
    ]

    static let gender: [Row] =
        ["m", "male", "man", "boy", "mr", "masculino", "hombre", "homme", "männlich", "MALE", " M. "].map {
            ok(.ge, $0, "m")
        }
        + ["f", "female", "woman", "girl", "mrs", "ms", "miss", "femenino", "mujer", "femme", "weiblich", "Ms."].map {
            ok(.ge, $0, "f")
        }
        + [fails(.ge, "he", .invalidFormat), fails(.ge, "mf", .invalidFormat), fails(.ge, "1", .empty)]

    static let places: [Row] = [
        ok(.ct, "Frankfurt am Main", "frankfurtammain"),
        ok(.ct, "Αθήνα", "αθήνα"),
        ok(.ct, "Washington, D.C. 20001", "washingtondc"),
        fails(.ct, "75001", .empty),
        ok(.st, "Québec", "qc"),
        ok(.st, "Quebec", "ca", "qc"),
        ok(.st, "Québec", "us", "québec"),
        ok(.st, "California", "ca", "california"),  // country ca: only provinces map
        ok(.st, "Georgia", "ge", "georgia"),
        ok(.st, "New-York", "us", "ny"),
        ok(.st, "Puerto Rico", "pr"),
        ok(.st, "NY", "ny"),
        ok(.st, "Région 11", "fr", "région11"),
        fails(.st, "--", .empty),
        ok(.zp, "94035 1234", "us", "94035"),
        ok(.zp, "940351234", "us", "94035"),
        ok(.zp, "94035abc", "us", "94035"),  // starts with 5 digits
        ok(.zp, "9403", "us", "9403"),
        ok(.zp, "12345", "de", "12345"),
        ok(.zp, "123456789", "de", "123456789"),
        ok(.zp, "1234567", "1234567"),
        ok(.zp, "12345-67", "1234567"),
        ok(.zp, "k1a\u{A0}0b1", "k1a0b1"),
        ok(.zp, "1234", "1234"),
        fails(.zp, " - ", .empty),
        ok(.externalID, "AbC 123\t456", "abc123456"),
        ok(.externalID, "u-42_x.y", "u-42_x.y"),
    ]

    static let countries: [Row] = [
        ok(.country, "U.S.A.", "us"),
        ok(.country, "united states of america", "us"),
        ok(.country, "Great Britain", "gb"),
        ok(.country, "The Netherlands", "nl"),
        ok(.country, "Korea, Republic of", "kr"),
        ok(.country, "South Korea", "kr"),
        ok(.country, "cote d'ivoire", "ci"),
        ok(.country, "Curaçao", "cw"),
        ok(.country, "Åland Islands", "ax"),
        ok(.country, "Viet Nam", "vn"),
        ok(.country, "Vietnam", "vn"),
        ok(.country, "CHE", "ch"),
        ok(.country, "fr", "fr"),
        fails(.country, "EU", .invalidFormat),  // exceptionally reserved, not assigned
        fails(.country, "Deutschland", .invalidFormat),  // English names only
        fails(.country, "Korea", .invalidFormat),  // ambiguous
        fails(.country, "123", .empty),
    ]

    @Test("email rule", arguments: email) func emailRule(_ row: Row) { check(row) }
    @Test("phone rule", arguments: phone) func phoneRule(_ row: Row) { check(row) }
    @Test("date-of-birth rule", arguments: dates) func dateRule(_ row: Row) { check(row) }
    @Test("gender rule maps every documented word", arguments: gender) func genderRule(_ row: Row) { check(row) }
    @Test("city, state, zip and external_id rules", arguments: places) func placeRules(_ row: Row) { check(row) }
    @Test("country rule", arguments: countries) func countryRule(_ row: Row) { check(row) }

    private func check(_ row: Row) {
        let result = Normalizer.normalize(
            row.field, row.input, country: row.country, currentYear: normalizationTestYear)
        if let expected = row.expected {
            #expect(result == .success(expected), "\(row)")
        } else if let reason = row.reason {
            #expect(result == .failure(NormalizationFailure(field: row.field, reason: reason)), "\(row)")
        }
    }

    @Test("countryCode returns an assigned alpha-2 code or nil")
    func countryCode() {
        #expect(Normalizer.countryCode(" United Kingdom ") == "gb")
        #expect(Normalizer.countryCode("DEU") == "de")
        #expect(Normalizer.countryCode("us") == "us")
        #expect(Normalizer.countryCode("uk") == "gb")
        #expect(Normalizer.countryCode("xx") == nil)
        #expect(Normalizer.countryCode("") == nil)
    }

    @Test("the country table has the 249 assigned codes, each reachable by alpha-2, alpha-3 and its names")
    func countryTable() {
        let entries = CountryCodes.entries
        #expect(entries.count == 249)
        #expect(Set(entries.map(\.alpha2)).count == 249)
        #expect(Set(entries.map(\.alpha3)).count == 249)
        for entry in entries {
            #expect(entry.alpha2.utf8.count == 2 && entry.alpha2.utf8.allSatisfy { $0 &- 0x61 < 26 })
            #expect(entry.alpha3.utf8.count == 3 && entry.alpha3.utf8.allSatisfy { $0 &- 0x61 < 26 })
            #expect(CountryCodes.alpha2(for: entry.alpha2) == entry.alpha2)
            #expect(CountryCodes.alpha2(for: entry.alpha3) == entry.alpha2)
            for name in entry.names { #expect(CountryCodes.alpha2(for: name) == entry.alpha2, "\(name)") }
            if let code = entry.callingCode {
                #expect(!code.isEmpty && code.utf8.allSatisfy { $0 &- 0x30 < 10 } && code.first != "0")
            }
        }
        #expect(CountryCodes.callingCode("us") == "1" && CountryCodes.callingCode("pr") == "1")
        #expect(CountryCodes.callingCode("gb") == "44" && CountryCodes.callingCode("kz") == "7")
        #expect(CountryCodes.callingCode("aq") == nil)
    }

    @Test("every month name and unambiguous three-letter form names its own month")
    func monthTable() {
        for names in MonthNames.languages {
            for (index, name) in names.enumerated() {
                #expect(MonthNames.month(name) == index + 1, "\(name)")
                let prefix = String(name.unicodeScalars.prefix(3))
                let shared = names.indices.contains {
                    $0 != index && names[$0].unicodeScalars.starts(with: prefix.unicodeScalars)
                }
                #expect(MonthNames.month(prefix) == (shared ? nil : index + 1), "\(prefix)")
            }
        }
    }
}
