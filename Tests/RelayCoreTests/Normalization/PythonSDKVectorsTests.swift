// SPDX-License-Identifier: Apache-2.0

import RelayCore
import Testing

/// Every line of `Fixtures/python_sdk_vectors.jsonl` (Meta's Python Business SDK 26.0.3,
/// `Normalize.normalize_field`, written by scripts/gen-python-sdk-vectors.py): pixelrelay sends the
/// SDK's hash unless the case is a named deviation. The SDK only trims and lowercases most fields
/// (capi.md §4.2, §5), so the list is long; each entry says which rule of normalization.md differs.
@Suite struct PythonSDKVectorsTests {
    static let cases = ReferenceCase.load("python_sdk_vectors", hashKey: "hashed")

    static let deviations = Deviation.table([
        // em
        Deviation(.em, "user name@example.com", .dropped(.invalidFormat), DeviationReason.emailStrict),
        Deviation(.em, "user@example.com.", .dropped(.invalidFormat), DeviationReason.emailStrict),
        Deviation(.em, "user@@example.com", .dropped(.invalidFormat), DeviationReason.emailStrict),
        Deviation(.em, "\"quoted name\"@example.com", .dropped(.invalidFormat), DeviationReason.emailStrict),
        Deviation(.em, "user@example.com, other@example.com", .dropped(.invalidFormat), DeviationReason.emailStrict),
        Deviation(.em, "5D41402ABC4B2A76B9719D911017C592", .dropped(.invalidFormat), DeviationReason.md5),
        // ph
        Deviation(.ph, "+1.650.555.1212", .sent("16505551212"), DeviationReason.phoneSeparators),
        Deviation(.ph, "tel:+16505551212", .sent("16505551212"), DeviationReason.phoneSeparators),
        Deviation(.ph, "650-555-1212 ext. 123", .sent("6505551212"), DeviationReason.phoneExtension),
        Deviation(.ph, "tel:+1-650-555-1212;ext=123", .sent("16505551212"), DeviationReason.phoneExtension),
        Deviation(.ph, "+1 650 555 1212 #22", .sent("16505551212"), DeviationReason.phoneExtension),
        Deviation(.ph, "000016505551212", .sent("0016505551212"), DeviationReason.phoneLiteralPrefix),
        Deviation(.ph, "+0 650 555 1212", .sent("06505551212"), DeviationReason.phoneLiteralPrefix),
        Deviation(.ph, "١٢٣٤٥٦٧٨٩٠", .sent("1234567890"), DeviationReason.phoneDigits),
        Deviation(.ph, "+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", .sent("971501234567"), DeviationReason.phoneDigits),
        Deviation(.ph, "+12345678901234567890", .dropped(.outOfRange), DeviationReason.phoneLength),
        Deviation(.ph, "5D41402ABC4B2A76B9719D911017C592", .dropped(.outOfRange), DeviationReason.md5),
        Deviation(.ph, "(650)555-1212", country: "us", .sent("16505551212"), DeviationReason.phoneNational),
        Deviation(.ph, "(650) 555-1212", country: "us", .sent("16505551212"), DeviationReason.phoneNational),
        Deviation(.ph, "6505551212", country: "ca", .sent("16505551212"), DeviationReason.phoneNational),
        Deviation(.ph, "06 12 34 56 78", country: "fr", .sent("33612345678"), DeviationReason.phoneNational),
        Deviation(.ph, "06 1234 5678", country: "it", .sent("390612345678"), DeviationReason.phoneNational),
        Deviation(.ph, "8 (495) 123-45-67", country: "ru", .sent("74951234567"), DeviationReason.phoneNational),
        Deviation(.ph, "030 123456", country: "de", .sent("4930123456"), DeviationReason.phoneNational),
        Deviation(.ph, "020 7946 0958", country: "gb", .sent("442079460958"), DeviationReason.phoneNational),
        Deviation(.ph, "011 44 20 7946 0958", country: "us", .sent("442079460958"), DeviationReason.phone011),
        // fn, ln
        Deviation(.fn, "Vale\u{301}ry", .sent("val\u{E9}ry"), DeviationReason.nfc),
        Deviation(.fn, "O'Brien", .sent("obrien"), DeviationReason.namePunctuation),
        Deviation(.fn, "Mary-Jane", .sent("maryjane"), DeviationReason.namePunctuation),
        Deviation(.fn, "Jean Paul", .sent("jeanpaul"), DeviationReason.namePunctuation),
        Deviation(.fn, "José María", .sent("josémaría"), DeviationReason.namePunctuation),
        Deviation(.fn, "Dr. John", .sent("drjohn"), DeviationReason.namePunctuation),
        Deviation(.fn, "Anne–Marie", .sent("annemarie"), DeviationReason.namePunctuation),
        Deviation(.fn, "Mary\u{200B}", .sent("mary"), DeviationReason.namePunctuation),
        Deviation(.fn, "Zoë-Ann", .sent("zoëann"), DeviationReason.namePunctuation),
        Deviation(.fn, "   ", .dropped(.empty), DeviationReason.whiteSpaceOnly),
        Deviation(
            .fn, "5D41402ABC4B2A76B9719D911017C592", .sent("5d41402abc4b2a76b9719d911017c592"), DeviationReason.md5),
        Deviation(.ln, "SMITH-JONES", .sent("smithjones"), DeviationReason.namePunctuation),
        Deviation(.ln, "van der Berg", .sent("vanderberg"), DeviationReason.namePunctuation),
        Deviation(.ln, "O’Connor", .sent("oconnor"), DeviationReason.namePunctuation),
        Deviation(.ln, "de la Cruz", .sent("delacruz"), DeviationReason.namePunctuation),
        Deviation(.ln, "Ó Súilleabháin", .sent("ósúilleabháin"), DeviationReason.namePunctuation),
        Deviation(.ln, "Nguyễn Văn", .sent("nguyễnvăn"), DeviationReason.namePunctuation),
        // db
        Deviation(.db, "1997-02-16", .sent("19970216"), DeviationReason.dateParsed),
        Deviation(.db, "02/16/1997", .sent("19970216"), DeviationReason.dateParsed),
        Deviation(.db, "2/16/1997", .sent("19970216"), DeviationReason.dateParsed),
        Deviation(.db, "16.02.1997", .sent("19970216"), DeviationReason.dateParsed),
        Deviation(.db, "1997/02/16", .sent("19970216"), DeviationReason.dateParsed),
        Deviation(.db, "16-02-1997", .sent("19970216"), DeviationReason.dateParsed),
        Deviation(.db, "1997.02.16", .sent("19970216"), DeviationReason.dateParsed),
        Deviation(.db, "02/03/1997", .sent("19970203"), DeviationReason.dateParsed),
        Deviation(.db, "13/02/1997", .sent("19970213"), DeviationReason.dateParsed),
        Deviation(.db, "29/02/2000", .sent("20000229"), DeviationReason.dateParsed),
        Deviation(.db, "Feb 16, 1997", .sent("19970216"), DeviationReason.dateMonthName),
        Deviation(.db, "16 février 1997", .sent("19970216"), DeviationReason.dateMonthName),
        Deviation(.db, "16. Februar 1997", .sent("19970216"), DeviationReason.dateMonthName),
        Deviation(.db, "16 de febrero de 1997", .sent("19970216"), DeviationReason.dateMonthName),
        Deviation(.db, "19970230", .dropped(.outOfRange), DeviationReason.dateRejected),
        Deviation(.db, "1997-02-30", .dropped(.outOfRange), DeviationReason.dateRejected),
        Deviation(.db, "29/02/1900", .dropped(.outOfRange), DeviationReason.dateRejected),
        Deviation(.db, "1899-12-31", .dropped(.outOfRange), DeviationReason.dateRejected),
        Deviation(.db, "97-02-16", .dropped(.invalidFormat), DeviationReason.dateRejected),
        Deviation(.db, "1997-02-16T10:00:00", .dropped(.invalidFormat), DeviationReason.dateRejected),
        // ge
        Deviation(.ge, "male", .sent("m"), DeviationReason.genderMapped),
        Deviation(.ge, "Female", .sent("f"), DeviationReason.genderMapped),
        Deviation(.ge, "woman", .sent("f"), DeviationReason.genderMapped),
        Deviation(.ge, "Mr.", .sent("m"), DeviationReason.genderMapped),
        Deviation(.ge, "Mrs", .sent("f"), DeviationReason.genderMapped),
        Deviation(.ge, "homme", .sent("m"), DeviationReason.genderMapped),
        Deviation(.ge, "Männlich", .sent("m"), DeviationReason.genderMapped),
        Deviation(.ge, "weiblich", .sent("f"), DeviationReason.genderMapped),
        Deviation(.ge, "x", .dropped(.invalidFormat), DeviationReason.genderMapped),
        Deviation(.ge, "n", .dropped(.invalidFormat), DeviationReason.genderMapped),
        Deviation(.ge, "other", .dropped(.invalidFormat), DeviationReason.genderMapped),
        // ct, st
        Deviation(.ct, "Coeur d'Alene", .sent("coeurdalene"), DeviationReason.cityPunctuation),
        Deviation(.ct, "Washington, D.C.", .sent("washingtondc"), DeviationReason.cityPunctuation),
        Deviation(.ct, "   ", .dropped(.empty), DeviationReason.whiteSpaceOnly),
        Deviation(.st, "California", .sent("ca"), DeviationReason.stateMapped),
        Deviation(.st, "New York", .sent("ny"), DeviationReason.stateMapped),
        Deviation(.st, "Texas", .sent("tx"), DeviationReason.stateMapped),
        Deviation(.st, "Ontario", .sent("on"), DeviationReason.stateMapped),
        Deviation(.st, "Québec", .sent("qc"), DeviationReason.stateMapped),
        Deviation(.st, "British Columbia", .sent("bc"), DeviationReason.stateMapped),
        Deviation(.st, "District of Columbia", .sent("dc"), DeviationReason.stateMapped),
        Deviation(.st, "Puerto Rico", .sent("pr"), DeviationReason.stateMapped),
        Deviation(.st, "Georgia", country: "us", .sent("ga"), DeviationReason.stateMapped),
        // zp
        Deviation(.zp, "94025 1234", .sent("94025"), DeviationReason.zipUS),
        Deviation(.zp, "940251234", .sent("94025"), DeviationReason.zipUS),
        Deviation(.zp, "100-0001", .sent("1000001"), DeviationReason.zipDash),
        Deviation(.zp, "01310-100", .sent("01310100"), DeviationReason.zipDash),
        Deviation(.zp, "100-0001", country: "jp", .sent("1000001"), DeviationReason.zipDash),
        Deviation(.zp, "01310-100", country: "br", .sent("01310100"), DeviationReason.zipDash),
        Deviation(.zp, "   ", .dropped(.empty), DeviationReason.whiteSpaceOnly),
        // country
        Deviation(.country, "USA", .sent("us"), DeviationReason.countryNames),
        Deviation(.country, "United States", .sent("us"), DeviationReason.countryNames),
        Deviation(.country, "UK", .sent("gb"), DeviationReason.countryNames),
        Deviation(.country, "Germany", .sent("de"), DeviationReason.countryNames),
        Deviation(.country, "DEU", .sent("de"), DeviationReason.countryNames),
        Deviation(.country, "United Kingdom", .sent("gb"), DeviationReason.countryNames),
        Deviation(.country, "Côte d'Ivoire", .sent("ci"), DeviationReason.countryNames),
        Deviation(.country, "Türkiye", .sent("tr"), DeviationReason.countryNames),
        // external_id
        Deviation(.externalID, "User 42", .sent("user42"), DeviationReason.externalIDWhiteSpace),
        Deviation(.externalID, "   ", .dropped(.empty), DeviationReason.whiteSpaceOnly),
        Deviation(
            .externalID, "5D41402ABC4B2A76B9719D911017C592", .sent("5d41402abc4b2a76b9719d911017c592"),
            DeviationReason.md5),
    ])

    @Test("the fixture was generated from the SDK and holds every case")
    func fixtureIsComplete() {
        #expect(Self.cases.count == 258)
    }

    @Test(
        "each SDK case gives the SDK's hash, or the spec's result when it is a named deviation",
        arguments: cases)
    func matchesSDK(_ reference: ReferenceCase) {
        reference.check(deviations: Self.deviations, referenceName: "Python SDK")
    }

    @Test("every named deviation corresponds to an SDK case")
    func deviationsAreUsed() {
        let keys = Set(Self.cases.map(\.key))
        for key in Self.deviations.keys {
            let found = keys.contains(key)
            #expect(found, "deviation \(key) matches no SDK vector")
        }
    }
}
