// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayCore

@Suite struct UTF8ValidationTests {
    static func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset(in: $0) }
    }

    @Test(
        "boundary sequences of Unicode Table 3-7 are classified correctly",
        arguments: [
            ([0x7F], nil), ([0xC2, 0x80], nil), ([0xDF, 0xBF], nil), ([0xE0, 0xA0, 0x80], nil),
            ([0xED, 0x9F, 0xBF], nil),
            ([0xEE, 0x80, 0x80], nil), ([0xF0, 0x90, 0x80, 0x80], nil), ([0xF4, 0x8F, 0xBF, 0xBF], nil),
            ([0x61, 0xC1, 0xBF], 1), ([0xE0, 0x9F, 0xBF], 0), ([0xED, 0xA0, 0x80], 0), ([0xF0, 0x8F, 0xBF, 0xBF], 0),
            ([0xF4, 0x90, 0x80, 0x80], 0), ([0xF8, 0x88, 0x80, 0x80, 0x80], 0), ([0xE1, 0x80], 0),
            ([0xE1, 0x80, 0x41], 0),
            ([0x41, 0xBF], 1),
        ] as [([UInt8], Int?)])
    func boundaries(_ bytes: [UInt8], _ expected: Int?) {
        #expect(Self.firstInvalid(bytes) == expected)
    }

    @Test("validation agrees with the standard library on 50,000 random byte strings")
    func agreesWithStandardLibrary() {
        var random = JSONTestRandom(seed: 0x5EED_0008)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
            0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        for _ in 0..<50_000 {
            let count = Int.random(in: 0...8, using: &random)
            let bytes = (0..<count).map { _ in
                random.chance(0.7) ? random.pick(interesting) : UInt8.random(in: 0...255, using: &random)
            }
            let ours = Self.firstInvalid(bytes) == nil
            let stdlib = String(validating: bytes, as: UTF8.self) != nil
            #expect(ours == stdlib, "\(bytes)")
        }
    }
}
