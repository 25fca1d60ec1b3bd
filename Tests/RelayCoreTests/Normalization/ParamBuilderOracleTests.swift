// SPDX-License-Identifier: Apache-2.0

import RelayCore
import Testing

/// Every line of Meta's parameter-builder output (`Fixtures/param_builder_nodejs_pii_expected.jsonl`,
/// copied from shared/capi-oracle): pixelrelay sends the builder's hash (the part before the version
/// appendix) unless the case is listed below as a deliberate deviation. The builder has no event
/// country, so every case runs with the country unknown.
@Suite struct ParamBuilderOracleTests {
    static let cases = ReferenceCase.load("param_builder_nodejs_pii_expected", hashKey: "hashed")

    static let deviations = Deviation.table([
        Deviation(.em, "üser@exämple.de", .sent("üser@exämple.de"), DeviationReason.emailUnicode),
        Deviation(.em, "user@example..com", .sent("user@example..com"), DeviationReason.emailLoose),
        Deviation(.em, "mailto:user@example.com", .sent("mailto:user@example.com"), DeviationReason.emailLoose),
        Deviation(.em, "user@[192.168.0.1]", .sent("user@[192.168.0.1]"), DeviationReason.emailLoose),
        Deviation(.em, "ÉLODIE@EXAMPLE.FR", .sent("élodie@example.fr"), DeviationReason.emailUnicode),
        Deviation(.em, "5D41402ABC4B2A76B9719D911017C592", .dropped(.invalidFormat), DeviationReason.md5),
        Deviation(.em, "\u{130}LKER@EXAMPLE.COM", .sent("i\u{307}lker@example.com"), DeviationReason.emailUnicode),
        Deviation(.ph, "650-555-1212 ext. 123", .sent("6505551212"), DeviationReason.phoneExtension),
        Deviation(.ph, "12345", .dropped(.outOfRange), DeviationReason.phoneLength),
        Deviation(.ph, "000016505551212", .sent("0016505551212"), DeviationReason.phoneLiteralPrefix),
        Deviation(.ph, "+0 650 555 1212", .sent("06505551212"), DeviationReason.phoneLiteralPrefix),
        Deviation(.ph, "١٢٣٤٥٦٧٨٩٠", .sent("1234567890"), DeviationReason.phoneDigits),
        Deviation(.ph, "+1 (650) 555-1212 / +1 (650) 555-1313", .dropped(.outOfRange), DeviationReason.phoneLength),
        Deviation(.ph, "+12345678901234567890", .dropped(.outOfRange), DeviationReason.phoneLength),
        Deviation(.ph, "5D41402ABC4B2A76B9719D911017C592", .dropped(.outOfRange), DeviationReason.md5),
        Deviation(.ph, "16505551212", number: true, .sent("16505551212"), DeviationReason.jsonNumber),
        Deviation(.fn, "Vale\u{301}ry", .sent("val\u{E9}ry"), DeviationReason.nfc),
        Deviation(.fn, "Anne–Marie", .sent("annemarie"), DeviationReason.namePunctuation),
        Deviation(
            .fn, "5D41402ABC4B2A76B9719D911017C592", .sent("5d41402abc4b2a76b9719d911017c592"), DeviationReason.md5),
        Deviation(.ln, "O’Connor", .sent("oconnor"), DeviationReason.namePunctuation),
        Deviation(.db, "Feb 16, 1997", .sent("19970216"), DeviationReason.dateMonthName),
        Deviation(.db, "19970230", .dropped(.outOfRange), DeviationReason.dateRejected),
        Deviation(.ct, "São Paulo", .sent("sãopaulo"), DeviationReason.cityUnicode),
        Deviation(.ct, "Zürich", .sent("zürich"), DeviationReason.cityUnicode),
        Deviation(.ct, "München", .sent("münchen"), DeviationReason.cityUnicode),
        Deviation(.ct, "東京", .sent("東京"), DeviationReason.cityUnicode),
        Deviation(.ct, "Paris 75001", .sent("paris"), DeviationReason.cityDigits),
        Deviation(.st, "Bayern", .sent("bayern"), DeviationReason.stateNotTruncated),
        Deviation(.st, "Île-de-France", .sent("îledefrance"), DeviationReason.stateNotTruncated),
        Deviation(.st, "CA-ON", .sent("caon"), DeviationReason.stateNotTruncated),
        Deviation(.zp, "94025 1234", .sent("94025"), DeviationReason.zipUS),
        Deviation(.zp, "940251234", .sent("94025"), DeviationReason.zipUS),
        Deviation(.zp, "SW1A 1AA", .sent("sw1a1aa"), DeviationReason.zipWhiteSpace),
        Deviation(.zp, "M1 1AE", .sent("m11ae"), DeviationReason.zipWhiteSpace),
        Deviation(.zp, "K1A 0B1", .sent("k1a0b1"), DeviationReason.zipWhiteSpace),
        Deviation(.zp, "100-0001", .sent("1000001"), DeviationReason.zipDash),
        Deviation(.zp, "01310-100", .sent("01310100"), DeviationReason.zipDash),
        Deviation(.zp, "1", .sent("1"), DeviationReason.zipShort),
        Deviation(.zp, "94025", number: true, .sent("94025"), DeviationReason.jsonNumber),
        Deviation(.country, "UK", .sent("gb"), DeviationReason.countryValidated),
        Deviation(.country, "de-DE", .dropped(.invalidFormat), DeviationReason.countryValidated),
        Deviation(.country, "xx", .dropped(.invalidFormat), DeviationReason.countryValidated),
        Deviation(
            .externalID, "5D41402ABC4B2A76B9719D911017C592", .sent("5d41402abc4b2a76b9719d911017c592"),
            DeviationReason.md5),
    ])

    @Test("the fixture holds all 194 oracle cases")
    func fixtureIsComplete() {
        #expect(Self.cases.count == 194)
    }

    @Test(
        "each oracle case gives the builder's hash, or the spec's result when it is a named deviation",
        arguments: cases)
    func matchesOracle(_ reference: ReferenceCase) {
        reference.check(deviations: Self.deviations, referenceName: "param builder")
    }

    @Test("every named deviation corresponds to an oracle case")
    func deviationsAreUsed() {
        let keys = Set(Self.cases.map(\.key))
        for key in Self.deviations.keys {
            let found = keys.contains(key)
            #expect(found, "deviation \(key) matches no oracle line")
        }
    }
}
