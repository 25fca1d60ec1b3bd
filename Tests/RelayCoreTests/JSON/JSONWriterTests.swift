import RelayCore
// SPDX-License-Identifier: Apache-2.0
import Testing

@Suite struct JSONWriterTests {
    static func written(_ body: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        body(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test(
        "strings are escaped per RFC 8259",
        arguments: [
            ("", #""""#), ("plain", #""plain""#), ("a\"b", #""a\"b""#), ("back\\slash", #""back\\slash""#),
            ("/path/", #""/path/""#), ("\n\r\t\u{8}\u{C}", #""\n\r\t\b\f""#), ("\u{0}", #""\u0000""#),
            ("\u{1}\u{1F}", #""\u0001\u001f""#), ("\u{7F}", "\"\u{7F}\""), ("é€😀", "\"é€😀\""),
            ("\u{2028}", "\"\u{2028}\""),
            (
                "a string longer than eight bytes with \"quotes\" in the middle",
                #""a string longer than eight bytes with \"quotes\" in the middle""#
            ),
            ("ends with a control\u{1B}", #""ends with a control\u001b""#),
        ])
    func escaping(_ input: String, _ expected: String) {
        #expect(Self.written { $0.string(input) } == expected)
    }

    @Test("every position of an escaped byte in strings up to 24 bytes round-trips through the parser")
    func escapeAtEveryPosition() throws {
        for length in 1...24 {
            for position in 0..<length {
                for special in ["\"", "\\", "\u{0}", "\n", "\u{1F}", "é"] {
                    var text = String(repeating: "x", count: length - 1)
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
                    let json = Self.written { $0.string(text) }
                    let back = try JSONParser.parse(json).stringValue
                    #expect(back.map { Array($0.utf8) } == Array(text.utf8))
                }
            }
        }
    }

    @Test("commas separate values in arrays and members in objects, at every nesting level")
    func commas() {
        let json = Self.written { w in
            w.beginObject()
            w.key("a"); w.beginArray(); w.int(1); w.string("two"); w.beginArray(); w.endArray(); w.beginObject();
            w.endObject(); w.null(); w.endArray()
            w.key("b"); w.beginObject(); w.key("c"); w.bool(true); w.key("d"); w.bool(false); w.endObject()
            w.key("e"); w.raw(Array(#"{"pre":"encoded"}"#.utf8))
            w.key("f"); w.beginArray(); w.raw(Array("1".utf8)); w.raw("[2]".utf8); w.endArray()
            w.endObject()
        }
        #expect(json == #"{"a":[1,"two",[],{},null],"b":{"c":true,"d":false},"e":{"pre":"encoded"},"f":[1,[2]]}"#)
        #expect(
            Self.written { w in
                w.beginArray(); w.beginArray(); w.beginArray(); w.endArray(); w.endArray(); w.int(3); w.endArray()
            } == "[[[]],3]")
        #expect(Self.written { $0.int(5) } == "5")
    }

    @Test("field conveniences write a key and a value")
    func fields() {
        let json = Self.written { w in
            w.beginObject()
            w.field("s", "x"); w.field("i", 42); w.field("b", true); w.field("n", number: "49.90")
            w.field("d", double: 0.5); w.field("v", JSONValue.array([.null])); w.field("k\"ey", "v")
            w.endObject()
        }
        #expect(json == #"{"s":"x","i":42,"b":true,"n":49.90,"d":0.5,"v":[null],"k\"ey":"v"}"#)
    }

    @Test(
        "integers are written in decimal across the whole Int64 range",
        arguments: [
            (Int64(0), "0"), (-1, "-1"), (9, "9"), (10, "10"), (1_767_225_512, "1767225512"),
            (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"),
        ])
    func integers(_ value: Int64, _ expected: String) {
        #expect(Self.written { $0.int(value) } == expected)
    }

    @Test(
        "non-finite doubles are written as null, finite ones as valid JSON numbers",
        arguments: [
            (Double.nan, "null"), (.infinity, "null"), (-.infinity, "null"), (1.5, "1.5"), (-0.0, "-0.0"), (0.1, "0.1"),
            (1e300, "1e+300"), (Double.leastNonzeroMagnitude, "5e-324"), (149.99, "149.99"),
        ])
    func doubles(_ value: Double, _ expected: String) throws {
        let json = Self.written { $0.double(value) }
        #expect(json == expected)
        #expect(throws: Never.self) { try JSONParser.parse(json) }
    }

    @Test("random doubles round-trip exactly through their written form")
    func doublesRoundTrip() throws {
        var random = JSONTestRandom(seed: 0xD0_0B1E)
        for _ in 0..<5_000 {
            let value = Double(bitPattern: random.next())
            let json = Self.written { $0.double(value) }
            if value.isFinite {
                let parsed = try JSONParser.parse(json)
                #expect(parsed.doubleValue == value, "\(json)")
            } else {
                #expect(json == "null")
            }
        }
    }

    @Test("value trees round-trip through the parser, keeping member order and number lexemes")
    func valueRoundTrip() throws {
        for document in JSONSeedDocuments.all {
            let value = try JSONParser.parse(document)
            #expect(try JSONParser.parse(value.jsonBytes) == value)
            #expect(value.jsonString == String(decoding: value.jsonBytes, as: UTF8.self))
        }
        let value = JSONValue.object(
            JSONObject([("z", .number("49.90")), ("a", .number("1E+2")), ("s", .string("\u{0}\"é"))]))
        #expect(value.jsonString == #"{"z":49.90,"a":1E+2,"s":"\u0000\"é"}"#)
    }

    @Test("generated documents written compactly parse back to the same value")
    func generatedRoundTrip() throws {
        var generator = JSONDocumentGenerator(seed: 0x3217)
        for _ in 0..<1_000 {
            let value = try JSONParser.parse(generator.document())
            let compact = value.jsonBytes
            #expect(try JSONParser.parse(compact) == value)
            #expect(try JSONParser.parse(compact).jsonBytes == compact)
        }
    }
}
