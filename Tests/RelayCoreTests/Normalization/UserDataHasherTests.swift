// SPDX-License-Identifier: Apache-2.0

import RelayCore
import Testing

/// Steps 2 and 4: pass-through of existing hashes, dropping, de-duplication and SHA-256 itself.
@Suite struct UserDataHasherTests {
    let hasher = UserDataHasher(digest: SHA256Digest(), currentYear: normalizationTestYear)
    let digest = SHA256Digest()

    @Test("SHA-256 matches the FIPS 180-2 test vectors for strings and byte collections")
    func sha256Vectors() {
        #expect(digest.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            digest.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(digest.hex([UInt8]("abc".utf8)) == digest.hex("abc"))
        #expect(digest.hex("abc".utf8.lazy.map { $0 }) == digest.hex("abc"))  // non-contiguous path
        let million = digest.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(million == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("a reused digest gives the same answer every time")
    func digestReuse() {
        let first = digest.hex("jane.doe+shop@example.com")
        for _ in 0..<3 { #expect(digest.hex("jane.doe+shop@example.com") == first) }
    }

    @Test(
        "a 64-hex value in any case is passed through lowercased, never hashed twice",
        arguments: [
            "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
            " 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425E73043362938b9824\t",
        ])
    func passThrough(input: String) {
        for field in PIIField.allCases {
            let result = hasher.hash(field, values: [input], country: nil)
            #expect(result.hashes == ["2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"])
        }
    }

    @Test(
        "one value written straight into JSON gives the hash the array path gives, or the same drop",
        arguments: [
            (PIIField.em, " Jane.Doe+Shop@Example.com "), (.ph, "+49 151 2345 6789"), (.fn, "José"),
            (.em, "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824"), (.ph, "no digits"),
            (.ge, "x"),
        ])
    func oneValueIntoJSON(field: PIIField, value: String) throws {
        let expected = hasher.hash(field, values: [value], country: "de")
        switch hasher.normalize(field, value: value, country: "de") {
        case .success(let normalized):
            var writer = JSONWriter()
            writer.beginArray()
            hasher.writeHash(normalized, to: &writer)
            writer.endArray()
            let written = String(decoding: writer.bytes, as: UTF8.self)
            #expect(written == "[\"\(try #require(expected.hashes.first))\"]")
            #expect(try hasher.hash(field, value: value, country: "de").get() == expected.hashes.first)
        case .failure(let failure):
            #expect(expected.hashes.isEmpty)
            #expect(expected.dropped == [failure])
        }
    }

    @Test("near-misses of a SHA-256 are normalised like any other input")
    func notAlreadyHashed() {
        let sixtyThree = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982"
        #expect(hasher.hash(.externalID, values: [sixtyThree], country: nil).hashes == [digest.hex(sixtyThree)])
        let withGap = "2cf24dba5fb0a30e26e83b2ac5b9e29e 1b161e5c1fa7425e73043362938b9824"
        #expect(
            hasher.hash(.externalID, values: [withGap], country: nil).hashes
                == [digest.hex(withGap.replacingSpaces())])
    }

    @Test("a 32-hex MD5 look-alike is normalised, not passed through")
    func md5IsNormalised() {
        let md5 = "5D41402ABC4B2A76B9719D911017C592"
        #expect(
            hasher.hash(.externalID, values: [md5], country: nil).hashes
                == [digest.hex("5d41402abc4b2a76b9719d911017c592")])
        #expect(
            hasher.hash(.fn, values: [md5], country: nil).hashes
                == [digest.hex("5d41402abc4b2a76b9719d911017c592")])
        #expect(
            hasher.hash(.em, values: [md5], country: nil).dropped
                == [NormalizationFailure(field: .em, reason: .invalidFormat)])
    }

    @Test("sha256(\"\") is never produced: a value with nothing left is dropped as empty", arguments: PIIField.allCases)
    func neverEmptyHash(field: PIIField) {
        let emptyHash = digest.hex("")
        for input in ["", "   ", "\u{A0}\u{3000}", "-", "...", "()", "\u{200B}", "'", "+", "@", "tel:"] {
            for country in [nil, "us", "fr"] as [String?] {
                let result = hasher.hash(field, values: [input], country: country)
                #expect(!result.hashes.contains(emptyHash), "\(field.rawValue) \(input.debugDescription)")
                #expect(result.hashes.count + result.dropped.count == 1)
            }
        }
        #expect(
            hasher.hash(field, values: ["", " \t "], country: "us").dropped
                == [
                    NormalizationFailure(field: field, reason: .empty),
                    NormalizationFailure(field: field, reason: .empty),
                ])
    }

    @Test("arrays are de-duplicated after normalisation, in first-seen order, and drops are reported")
    func arrays() {
        let result = hasher.hash(
            .em,
            values: ["B@example.com", " a@example.com", "b@EXAMPLE.com", "not-an-email", "A@example.com", ""],
            country: nil)
        #expect(result.hashes == [digest.hex("b@example.com"), digest.hex("a@example.com")])
        #expect(
            result.dropped == [
                NormalizationFailure(field: .em, reason: .invalidFormat),
                NormalizationFailure(field: .em, reason: .empty),
            ])
    }

    @Test("a raw value and its own hash collapse into one entry")
    func rawAndHashedDuplicate() {
        let hashed = digest.hex("jane@example.com")
        let result = hasher.hash(.em, values: ["Jane@Example.com", hashed.uppercased()], country: nil)
        #expect(result.hashes == [hashed])
    }

    @Test("the event country steers ph, st and zp")
    func countryMatters() {
        #expect(hasher.hash(.ph, values: ["06 12 34 56 78"], country: "fr").hashes == [digest.hex("33612345678")])
        #expect(hasher.hash(.ph, values: ["06 12 34 56 78"], country: nil).hashes == [digest.hex("612345678")])
        #expect(hasher.hash(.st, values: ["Ontario"], country: "us").hashes == [digest.hex("ontario")])
        #expect(hasher.hash(.zp, values: ["12345-6789"], country: "de").hashes == [digest.hex("123456789")])
    }

    @Test("an empty array yields nothing")
    func emptyArray() {
        let result = hasher.hash(.em, values: [], country: nil)
        #expect(result.hashes.isEmpty && result.dropped.isEmpty)
    }
}

private extension String {
    func replacingSpaces() -> String { String(unicodeScalars.filter { $0 != " " }) }
}
