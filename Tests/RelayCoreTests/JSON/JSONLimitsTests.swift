import RelayCore
// SPDX-License-Identifier: Apache-2.0
import Testing

@Suite struct JSONLimitsTests {
    static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    @Test("nesting up to maxDepth is accepted and one level more is rejected at the opening bracket")
    func depthLimit() throws {
        #expect(throws: Never.self) { try JSONParser.parse(Self.nested(32)) }
        #expect(throws: JSONError(offset: 32, message: "nesting deeper than 32")) {
            try JSONParser.parse(Self.nested(33))
        }
        let limits = JSONLimits(maxDepth: 2)
        #expect(throws: Never.self) { try JSONParser.parse(#"{"a":[1]}"#, limits: limits) }
        #expect(throws: JSONError(offset: 8, message: "nesting deeper than 2")) {
            try JSONParser.parse(#"{"a":[1,{"b":2}]}"#, limits: limits)
        }
        #expect(throws: Never.self) { try JSONParser.parse("1", limits: JSONLimits(maxDepth: 0)) }
        #expect(throws: JSONError(offset: 0, message: "nesting deeper than 0")) {
            try JSONParser.parse("[]", limits: JSONLimits(maxDepth: 0))
        }
    }

    @Test("a deep document far beyond the default limit is rejected without exhausting the stack")
    func veryDeepDocument() {
        let deep = String(repeating: "[", count: 500_000)
        #expect(throws: JSONError(offset: 32, message: "nesting deeper than 32")) {
            try JSONParser.parse(deep, limits: JSONLimits(maxBytes: 1 << 20))
        }
    }

    @Test("documents larger than maxBytes are rejected before parsing")
    func sizeLimit() {
        let limits = JSONLimits(maxBytes: 10)
        #expect(throws: Never.self) { try JSONParser.parse("[1,2,3,45]", limits: limits) }
        #expect(throws: JSONError(offset: 10, message: "document larger than 10 bytes")) {
            try JSONParser.parse("[1,2,3,456]", limits: limits)
        }
        // Even a document that is broken early is refused for its size first.
        #expect(throws: JSONError(offset: 10, message: "document larger than 10 bytes")) {
            try JSONParser.parse("}}}}}}}}}}}", limits: limits)
        }
    }

    struct StringCase: Sendable {
        let input: String
        let error: JSONError?
    }

    static let stringCases: [StringCase] = [
        StringCase(input: #""abcd""#, error: nil),
        StringCase(input: #""abcde""#, error: JSONError(offset: 0, message: "string longer than 4 bytes")),
        StringCase(
            input: #"["ab", "abcdefghijklmnopq"]"#, error: JSONError(offset: 7, message: "string longer than 4 bytes")),
        StringCase(input: #"{"abcde":1}"#, error: JSONError(offset: 1, message: "string longer than 4 bytes")),
        // Measured as written: an escape counts with all its bytes, even one that straddles the limit.
        StringCase(input: #""\n\t""#, error: nil),
        StringCase(input: #""ab\u0041""#, error: JSONError(offset: 0, message: "string longer than 4 bytes")),
        StringCase(input: #""éé""#, error: nil),
        StringCase(input: #""ééé""#, error: JSONError(offset: 0, message: "string longer than 4 bytes")),
        StringCase(input: "1234", error: nil),
        StringCase(input: "-1234", error: JSONError(offset: 0, message: "number longer than 4 bytes")),
        StringCase(input: "[1.5e10]", error: JSONError(offset: 1, message: "number longer than 4 bytes")),
    ]

    @Test("strings and numbers longer than maxStringBytes are rejected at their start", arguments: stringCases)
    func stringLimit(_ c: StringCase) {
        let limits = JSONLimits(maxStringBytes: 4)
        if let error = c.error {
            #expect(throws: error) { try JSONParser.parse(c.input, limits: limits) }
        } else {
            #expect(throws: Never.self) { try JSONParser.parse(c.input, limits: limits) }
        }
    }

    @Test("arrays and objects with more than maxMembers children are rejected at the extra child")
    func memberLimit() {
        let limits = JSONLimits(maxMembers: 3)
        #expect(throws: Never.self) { try JSONParser.parse("[1,2,3]", limits: limits) }
        #expect(throws: JSONError(offset: 7, message: "array with more than 3 elements")) {
            try JSONParser.parse("[1,2,3,4]", limits: limits)
        }
        #expect(throws: Never.self) { try JSONParser.parse(#"{"a":1,"b":2,"c":3}"#, limits: limits) }
        #expect(throws: JSONError(offset: 19, message: "object with more than 3 members")) {
            try JSONParser.parse(#"{"a":1,"b":2,"c":3,"d":4}"#, limits: limits)
        }
    }

    @Test("large objects find duplicates anywhere and accept ten thousand distinct keys")
    func largeObjects() throws {
        let keys = (0..<10_000).map { "\"key\($0)\":\($0)" }
        let big = try JSONParser.parse("{" + keys.joined(separator: ",") + "}")
        #expect(big.objectValue?.members.count == 10_000)
        #expect(big["key9999"] == .number("9999"))
        let withDuplicate = "{" + keys[0..<100].joined(separator: ",") + ",\"key42\":0}"
        let offset = withDuplicate.utf8.count - 10
        #expect(throws: JSONError(offset: offset, message: "duplicate key \"key42\"")) {
            try JSONParser.parse(withDuplicate)
        }
        // Past the linear-scan threshold, canonical equivalence still counts as a duplicate.
        let kelvin = "{" + keys[0..<40].joined(separator: ",") + ",\"K\":1,\"\\u212A\":2}"
        #expect(throws: JSONError.self) { try JSONParser.parse(kelvin) }
    }

    @Test("the defaults are the documented ones")
    func defaults() {
        let limits = JSONLimits()
        #expect(limits == JSONLimits(maxDepth: 32, maxBytes: 1_048_576, maxStringBytes: 65_536, maxMembers: 10_000))
    }
}
