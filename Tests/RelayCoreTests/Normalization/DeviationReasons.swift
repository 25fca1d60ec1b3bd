// SPDX-License-Identifier: Apache-2.0

/// Why normalization.md deliberately differs from a reference library, one sentence per rule.
enum DeviationReason {
    static let nfc = "step 1 applies NFC, so a decomposed é is hashed as the precomposed one"
    static let md5 =
        "only 64 hex characters count as already hashed; a 32-hex MD5 look-alike is normalised like any other value"
    static let whiteSpaceOnly = "empty after normalisation: dropped, never sha256(\"\")"
    static let jsonNumber =
        "a JSON number: the builder rejects non-strings; UserDataHasher takes strings, and given the lexeme it "
        + "normalises it like a string (the event layer decides whether numbers are accepted)"

    static let emailLoose =
        "the spec's email check is deliberately loose (one @, a dotted domain not starting or ending with '.', "
        + "no white space); the builder's RFC-style ASCII regex also rejects '..', 'mailto:' and IP literals"
    static let emailUnicode = "the spec accepts Unicode (IDN) addresses, which the builder's ASCII-only regex rejects"
    static let emailStrict =
        "the spec requires exactly one @, a dotted domain that does not start or end with '.', and no white space; "
        + "the SDK only checks .+@.+\\..+"

    static let phoneExtension = "an extension (a letter, # or ; after a digit) is cut off, not appended or rejected"
    static let phoneLength = "a phone number is valid only with 7–15 digits (E.164)"
    static let phoneLiteralPrefix =
        "spec step 3 drops '00' once and takes a '+' number as written, so a leading 0 survives "
        + "(spec-literal; reported to the lead)"
    static let phoneDigits = "other scripts' decimal digits are mapped to ASCII digits"
    static let phoneSeparators = "dots and a 'tel:' prefix are separators, not errors"
    static let phoneNational =
        "a national number gets the event country's calling code (trunk prefix handled per country)"
    static let phone011 = "011 is the international prefix when the country is us or ca"

    static let namePunctuation =
        "fn/ln keep only letters, marks and digits: punctuation (ASCII or Unicode), format characters and inner "
        + "spaces go"

    static let dateParsed = "db is parsed and sent as YYYYMMDD"
    static let dateMonthName = "db accepts month names (English, Spanish, French, German)"
    static let dateRejected =
        "db must be a real date with a four-digit year in 1900…current year and no time of day; otherwise dropped"

    static let genderMapped = "ge maps the documented words to m/f and drops anything else"

    static let cityUnicode = "ct keeps letters and marks of every script (Meta allows UTF-8 beyond a–z)"
    static let cityDigits = "ct drops digits"
    static let cityPunctuation = "ct keeps letters and marks only; apostrophes and commas go"

    static let stateMapped = "US state / DC / territory and Canadian province names map to their 2-letter codes"
    static let stateNotTruncated =
        "st is not cut to 2 characters and keeps non-ASCII letters; only US and Canadian names are mapped"

    static let zipUS = "a US ZIP+4 (9 digits when the country is unknown) keeps its first 5 digits"
    static let zipWhiteSpace = "zp removes inner white space"
    static let zipDash = "zp removes dashes instead of cutting at the first one (JP 100-0001, BR 01310-100)"
    static let zipShort = "zp has no minimum length"

    static let countryNames = "country accepts alpha-3 codes, English names and aliases"
    static let countryValidated =
        "country must name an assigned alpha-2 code: 'uk' → gb, unknown codes and locale tags are dropped"

    static let externalIDWhiteSpace = "external_id removes all white space, not just the ends"
}
