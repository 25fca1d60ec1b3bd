// SPDX-License-Identifier: Apache-2.0

import Foundation
import RelayCore
import Testing

/// The year every normalisation test treats as "now" (bounds `db`).
let normalizationTestYear = 2026

/// One input of a reference fixture (the param-builder oracle or the Python SDK vectors) with the
/// reference library's hash, or nil when the library produced none.
struct ReferenceCase: Sendable, CustomStringConvertible {
    let line: Int
    let field: PIIField
    /// The input; for a JSON number, its lexeme.
    let value: String
    let isJSONNumber: Bool
    /// The event country pixelrelay is given for this case (nil = unknown).
    let country: String?
    /// The reference's SHA-256 hex (any version appendix removed), or nil when it rejected the value.
    let referenceHash: String?

    var key: DeviationKey { DeviationKey(field, value, country: country, isJSONNumber: isJSONNumber) }

    var description: String {
        "line \(line): \(field.rawValue) \(isJSONNumber ? value : value.debugDescription)"
            + (country.map { " (country \($0))" } ?? "")
    }

    /// Reads a fixture from the test bundle. `hashKey` names the member holding the reference hash.
    static func load(_ name: String, hashKey: String) -> [ReferenceCase] {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "jsonl"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("fixture \(name).jsonl missing from the test bundle") }
        return text.split(separator: "\n").enumerated().map { index, line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let fieldName = object["field"] as? String, let field = PIIField(rawValue: fieldName)
            else { fatalError("\(name).jsonl line \(index + 1) is malformed") }
            let value: String
            let isNumber: Bool
            if let string = object["value"] as? String {
                (value, isNumber) = (string, false)
            } else if let number = object["value"] as? NSNumber {
                (value, isNumber) = (number.stringValue, true)
            } else {
                fatalError("\(name).jsonl line \(index + 1) has an unexpected value type")
            }
            let hash = (object[hashKey] as? String).map { hashed in
                hashed.lastIndex(of: ".").map { String(hashed[..<$0]) } ?? hashed
            }
            return ReferenceCase(
                line: index + 1, field: field, value: value, isJSONNumber: isNumber,
                country: object["country"] as? String, referenceHash: hash)
        }
    }
}

/// Identifies one fixture input by its exact bytes (Swift's `String ==` would equate a decomposed
/// `Vale\u{301}ry` with the precomposed one, and those are different cases here).
struct DeviationKey: Hashable, Sendable, CustomStringConvertible {
    let field: PIIField
    let valueBytes: [UInt8]
    let country: String?
    let isJSONNumber: Bool

    init(_ field: PIIField, _ value: String, country: String? = nil, isJSONNumber: Bool = false) {
        self.field = field
        self.valueBytes = Array(value.utf8)
        self.country = country
        self.isJSONNumber = isJSONNumber
    }

    var description: String {
        "\(field.rawValue) \(String(decoding: valueBytes, as: UTF8.self).debugDescription)"
            + (country.map { " (country \($0))" } ?? "")
    }
}

/// What normalization.md says pixelrelay sends for one input.
enum SpecResult: Sendable, Equatable {
    /// The value normalises to this string, which is hashed.
    case sent(String)
    /// The value is dropped for this reason.
    case dropped(NormalizationFailure.Reason)
}

/// A named, deliberate difference between normalization.md and a reference library.
struct Deviation: Sendable {
    let key: DeviationKey
    let expected: SpecResult
    let why: String

    init(
        _ field: PIIField, _ value: String, country: String? = nil, number: Bool = false,
        _ expected: SpecResult, _ why: String
    ) {
        key = DeviationKey(field, value, country: country, isJSONNumber: number)
        self.expected = expected
        self.why = why
    }

    static func table(_ deviations: [Deviation]) -> [DeviationKey: Deviation] {
        Dictionary(
            deviations.map { ($0.key, $0) },
            uniquingKeysWith: { first, _ in
                fatalError("duplicate deviation \(first.key)")
            })
    }
}

extension ReferenceCase {
    /// What pixelrelay does with this input: hashes sent and failures recorded.
    func pixelrelayOutput() -> (hashes: [String], dropped: [NormalizationFailure]) {
        UserDataHasher(digest: SHA256Digest(), currentYear: normalizationTestYear)
            .hash(field, values: [value], country: country)
    }

    /// Compares pixelrelay's output with the reference's, or with the named deviation's expected
    /// result (and then insists the reference really differs, so stale deviations fail).
    func check(deviations: [DeviationKey: Deviation], referenceName: String) {
        let ours = pixelrelayOutput()
        let theirs = referenceHash.map { [$0] } ?? []
        guard let deviation = deviations[key] else {
            #expect(ours.hashes == theirs, "\(self) differs from the \(referenceName) without a named deviation")
            return
        }
        #expect(ours.hashes == deviation.expected.hashes, "\(self): \(deviation.why)")
        if case .dropped(let reason) = deviation.expected {
            #expect(ours.dropped == [NormalizationFailure(field: field, reason: reason)])
        }
        #expect(ours.hashes != theirs, "\(self) is listed as a deviation but matches the \(referenceName)")
    }
}

extension SpecResult {
    /// The hashes this result stands for.
    var hashes: [String] {
        switch self {
        case .sent(let normalized): [SHA256Digest().hex(normalized)]
        case .dropped: []
        }
    }
}
