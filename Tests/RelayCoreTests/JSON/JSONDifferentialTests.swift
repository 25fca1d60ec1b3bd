// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import Testing

/// Runs the same documents through `JSONParser` and Foundation's `JSONSerialization` and requires
/// them to agree on accept/reject and, when both accept, on the value.
///
/// Deliberate disagreements (each must be explained by its class, or the test fails):
///
/// | Class | JSONParser | JSONSerialization (swift-corelibs, Linux) |
/// |---|---|---|
/// | duplicate key | rejects ("duplicate key") | accepts, last value wins |
/// | trailing comma | rejects (RFC 8259 grammar) | accepts `[1,]` and `{"a":1,}` |
/// | byte order mark | rejects | accepts and skips it |
/// | nesting | rejects beyond `maxDepth` (32) | rejects beyond 512 |
/// | number beyond Double | accepts, keeps the lexeme (`1e400`) | rejects "not representable" |
/// | NUL after a top-level number | rejects (`4\0x`) | stops at the NUL and accepts `4` |
///
/// Numbers are compared as Doubles; Foundation's NSDecimalNumber results (long mantissas) are
/// converted through their exact decimal text because their `doubleValue` is not correctly rounded.
@Suite struct JSONDifferentialTests {
    /// A value normalised for comparison: numbers as Double, strings as exact UTF-8 bytes.
    indirect enum Normal: Equatable {
        case null, bool(Bool), number(Double), string([UInt8]), array([Normal]), object([[UInt8]: Normal])
    }

    enum Disagreement: String, CaseIterable {
        case duplicateKey = "duplicate key", trailingComma = "trailing comma", byteOrderMark = "byte order mark"
        case nesting = "nesting deeper than", numberBeyondDouble = "number beyond Double"
        case nulAfterNumber = "unexpected byte 0x00 after the JSON value"
    }

    /// Foundation's boolean class, found the same way Foundation produces it.
    static let foundationBoolType: ObjectIdentifier = {
        let value = try! JSONSerialization.jsonObject(with: Data("true".utf8), options: .fragmentsAllowed)
        return ObjectIdentifier(type(of: value as AnyObject))
    }()

    static func normal(_ value: JSONValue) -> Normal {
        switch value {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let n): .number(Double(n)!)
        case .string(let s): .string(Array(s.utf8))
        case .array(let a): .array(a.map(normal))
        case .object(let o):
            .object(
                Dictionary(
                    o.members.map { (Array($0.key.utf8), normal($0.value)) }, uniquingKeysWith: { _, last in last }))
        }
    }

    static func normal(foundation value: Any) -> Normal? {
        switch value {
        case is NSNull: return .null
        case let s as String: return .string(Array(s.utf8))
        case let n as NSNumber:
            if ObjectIdentifier(type(of: n as AnyObject)) == foundationBoolType { return .bool(n.boolValue) }
            // Long mantissas come back as NSDecimalNumber, whose `doubleValue` is not correctly
            // rounded; its exact decimal text is, once parsed as a Double.
            if let decimal = n as? NSDecimalNumber { return Double(decimal.description).map(Normal.number) }
            return .number(n.doubleValue)
        case let a as [Any]:
            var out: [Normal] = []
            for element in a {
                guard let e = normal(foundation: element) else { return nil }
                out.append(e)
            }
            return .array(out)
        case let d as [String: Any]:
            var out: [[UInt8]: Normal] = [:]
            for (k, v) in d {
                guard let e = normal(foundation: v) else { return nil }
                out[Array(k.utf8)] = e
            }
            return .object(out)
        default: return nil
        }
    }

    /// True when some number in the value does not fit a finite Double.
    static func hasNumberBeyondDouble(_ value: JSONValue) -> Bool {
        switch value {
        case .number(let n): !(Double(n)!.isFinite)
        case .array(let a): a.contains(where: hasNumberBeyondDouble)
        case .object(let o): o.members.contains { hasNumberBeyondDouble($0.value) }
        default: false
        }
    }

    struct Tally {
        var agreedAccept = 0
        var agreedReject = 0
        var deliberate: [Disagreement: Int] = [:]
        var failures: [String] = []
    }

    static func compare(_ document: [UInt8], into tally: inout Tally) {
        let ours = Result { () throws(JSONError) in try JSONParser.parse(document) }
        let theirs = Result { try JSONSerialization.jsonObject(with: Data(document), options: .fragmentsAllowed) }
        let shown = String(decoding: document.prefix(120), as: UTF8.self).debugDescription
        switch (ours, theirs) {
        case (.success(let value), .success(let object)):
            if normal(value) == normal(foundation: object) {
                tally.agreedAccept += 1
            } else {
                tally.failures.append("values differ: \(shown)")
            }
        case (.failure, .failure):
            tally.agreedReject += 1
        case (.failure(let error), .success):
            if let reason = Disagreement.allCases.first(where: { error.message.hasPrefix($0.rawValue) }) {
                tally.deliberate[reason, default: 0] += 1
            } else {
                tally.failures.append("only JSONParser rejects (\(error)): \(shown)")
            }
        case (.success(let value), .failure(let error)):
            if hasNumberBeyondDouble(value) {
                tally.deliberate[.numberBeyondDouble, default: 0] += 1
            } else {
                tally.failures.append("only JSONSerialization rejects (\(error)): \(shown)")
            }
        }
    }

    static let handWritten: [String] =
        JSONSeedDocuments.all + [
            "[1,]", #"{"a":1,}"#, #"{"a":1,"a":2}"#, "\u{FEFF}{}", "1e400", "[-1e999]",
            String(repeating: "[", count: 40) + String(repeating: "]", count: 40), "[01]", "[.5]", "[1.]", "[+1]",
            "NaN",
            #"["\uD800"]"#, #"["\uDC00"]"#, #"["\u00"]"#, "[\"\t\"]", "'a'", "[1 2]", "{\"a\" 1}", "", " ", "[", "]",
            "{}}",
            "\u{0B}1", "1\u{0C}", #"{"é":1,"e\u0301":2}"#,
            "[18446744073709551616, -9223372036854775809, 1.7976931348623157e308]",
            "4\u{0}x", "[-12345678901234567890.125e-7, 7735235803071.5146559, 1911395812401476E-91]",
        ]

    @Test("hand-written documents: both parsers agree or differ only in a documented way")
    func handWrittenCorpus() {
        var tally = Tally()
        for document in Self.handWritten { Self.compare(Array(document.utf8), into: &tally) }
        for bad in [
            [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
            [0x22, 0xC3, 0x22],
        ] as [[UInt8]] {
            Self.compare(bad, into: &tally)
        }
        #expect(tally.failures == [])
        #expect(tally.agreedAccept >= 10)
        #expect(tally.agreedReject >= 20)
        for reason in Disagreement.allCases {
            #expect(tally.deliberate[reason, default: 0] >= 1, "\(reason) not exercised")
        }
    }

    @Test("3,000 generated documents in varied styles: both accept with equal values")
    func generatedCorpus() {
        var generator = JSONDocumentGenerator(seed: 0xD1FF)
        var tally = Tally()
        for _ in 0..<3_000 { Self.compare(generator.document(), into: &tally) }
        #expect(tally.failures == [])
        // Generated documents are valid and duplicate-free; only out-of-range exponents may differ.
        #expect(tally.agreedAccept + tally.deliberate[.numberBeyondDouble, default: 0] == 3_000)
        #expect(tally.agreedAccept > 2_500)
    }

    @Test("10,000 byte-level mutations of valid documents: accept/reject and values agree")
    func mutatedCorpus() {
        var generator = JSONDocumentGenerator(seed: 0x0B5E55ED)
        var mutator = JSONMutator(seed: 0x417E12)
        var seeds = JSONSeedDocuments.all.map { Array($0.utf8) }
        for _ in 0..<50 { seeds.append(generator.document()) }
        var tally = Tally()
        for index in 0..<10_000 {
            let seed = seeds[index % seeds.count]
            Self.compare(mutator.mutate(seed, donor: seeds[(index * 7 + 3) % seeds.count]), into: &tally)
        }
        #expect(tally.failures == [])
        // The mutations must exercise both outcomes substantially, or the corpus is not testing much.
        #expect(tally.agreedAccept > 900)
        #expect(tally.agreedReject > 5_000)
        print(
            "JSON differential (mutations): \(tally.agreedAccept) both accept, \(tally.agreedReject) both reject, deliberate \(tally.deliberate)"
        )
    }
}
