// SPDX-License-Identifier: Apache-2.0

import RelayCore
import Testing

/// Every example written in spec/normalization.md, which must hold exactly.
@Suite struct DocumentedExamplesTests {
    struct Example: Sendable, CustomStringConvertible {
        let field: PIIField
        let input: String
        let country: String?
        /// The normalised value, or nil when the spec says the value is dropped.
        let normalized: String?

        init(_ field: PIIField, _ input: String, country: String? = nil, _ normalized: String?) {
            self.field = field
            self.input = input
            self.country = country
            self.normalized = normalized
        }

        var description: String {
            "\(field.rawValue) \(input.debugDescription)" + (country.map { " (\($0))" } ?? "")
        }
    }

    /// The "Field rules" table.
    static let fieldTable: [Example] = [
        Example(.em, " John_Smith@Gmail.com ", "john_smith@gmail.com"),
        Example(.ph, "+1 (650) 555-1212", "16505551212"),
        Example(.ph, "+1 (650) 555-1212", country: "us", "16505551212"),
        Example(.fn, "Mary-Jane", "maryjane"),
        Example(.fn, "O’Brien", "obrien"),
        Example(.fn, "Valéry", "valéry"),
        Example(.fn, "정", "정"),
        Example(.ln, "Mary-Jane", "maryjane"),
        Example(.ct, "New York", "newyork"),
        Example(.ct, "São Paulo", "sãopaulo"),
        Example(.ct, "St. Louis", "stlouis"),
        Example(.st, "California", "ca"),
        Example(.st, "new york", "ny"),
        Example(.st, "British Columbia", "bc"),
        Example(.st, "Bayern", "bayern"),
        Example(.st, "Bayern", country: "de", "bayern"),
        Example(.zp, "94035-1234", "94035"),
        Example(.zp, "94035-1234", country: "us", "94035"),
        Example(.zp, "SW1A 1AA", "sw1a1aa"),
        Example(.zp, "SW1A 1AA", country: "gb", "sw1a1aa"),
        Example(.zp, "100-0001", country: "jp", "1000001"),
        Example(.country, "United States", "us"),
        Example(.country, "DEU", "de"),
        Example(.country, "UK", "gb"),
        Example(.db, "2/16/1997", "19970216"),
        Example(.ge, "Female", "f"),
        Example(.ge, "Mr.", "m"),
        Example(.externalID, " U-42 ", "u-42"),
    ]

    /// The "Phone" section.
    static let phoneSection: [Example] = [
        Example(.ph, "650-555-1212 ext. 7", country: "us", "16505551212"),
        Example(.ph, "(650) 555-1212", country: "us", "16505551212"),
        Example(.ph, "06 12 34 56 78", country: "fr", "33612345678"),
        Example(.ph, "06 1234 5678", country: "it", "390612345678"),
        Example(.ph, "8 (495) 123-45-67", country: "ru", "74951234567"),
        Example(.ph, "+49 (0) 30 123456", "49030123456"),
        Example(.ph, "+49 (0) 30 123456", country: "de", "49030123456"),
        Example(.ph, "0044 20 7946 0958", "442079460958"),
        Example(.ph, "0044 20 7946 0958", country: "fr", "442079460958"),
    ]

    /// The "Date of birth" section.
    static let dateSection: [Example] = [
        Example(.db, "1997-02-16", "19970216"),
        Example(.db, "02/16/1997", "19970216"),
        Example(.db, "16.02.1997", "19970216"),
        Example(.db, "16/02/1997", "19970216"),
        Example(.db, "Feb 16, 1997", "19970216"),
        Example(.db, "16 février 1997", "19970216"),
        Example(.db, "02/03/1997", "19970203"),
        Example(.db, "1997-02-30", nil),
    ]

    @Test("the field-rule table's examples normalise as documented", arguments: fieldTable)
    func fieldRules(_ example: Example) {
        check(example)
    }

    @Test("the Phone section's examples normalise as documented", arguments: phoneSection)
    func phone(_ example: Example) {
        check(example)
    }

    @Test("the Date of birth section's examples normalise as documented", arguments: dateSection)
    func dateOfBirth(_ example: Example) {
        check(example)
    }

    private func check(_ example: Example) {
        let result = Normalizer.normalize(
            example.field, example.input, country: example.country,
            currentYear: normalizationTestYear)
        #expect((try? result.get()) == example.normalized)
    }

    @Test(
        "the four documented hashes are sent exactly",
        arguments: [
            (
                PIIField.em, "John_Smith@gmail.com", String?.none,
                "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"
            ),
            (.ph, "(650)555-1212", "us", "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"),
            (.db, "2/16/1997", nil, "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c"),
            (.country, "United States", nil, "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"),
        ])
    func documentedHashes(field: PIIField, input: String, country: String?, hash: String) {
        let hasher = UserDataHasher(digest: SHA256Digest(), currentYear: normalizationTestYear)
        let result = hasher.hash(field, values: [input], country: country)
        #expect(result.hashes == [hash])
        #expect(result.dropped.isEmpty)
    }

    @Test(
        "capi.md's Valéry example hashes to 08e1996b…17149c whether precomposed or decomposed",
        arguments: ["Val\u{E9}ry", "Vale\u{301}ry"])
    func valeryHash(input: String) throws {
        let hasher = UserDataHasher(digest: SHA256Digest(), currentYear: normalizationTestYear)
        let hash = try #require(hasher.hash(.fn, values: [input], country: nil).hashes.first)
        #expect(hash.hasPrefix("08e1996b") && hash.hasSuffix("17149c"))
    }
}
