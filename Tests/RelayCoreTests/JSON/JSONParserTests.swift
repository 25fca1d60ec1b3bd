import RelayCore
// SPDX-License-Identifier: Apache-2.0
import Testing

@Suite struct JSONParserTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let input: [UInt8]
        let expected: JSONValue
        init(_ input: String, _ expected: JSONValue) { self.input = Array(input.utf8); self.expected = expected }
        init(bytes: [UInt8], _ expected: JSONValue) { self.input = bytes; self.expected = expected }
        var testDescription: String { String(decoding: input, as: UTF8.self).debugDescription }
    }

    static let valid: [Valid] = [
        // Scalars at the top level, and every number form the grammar allows (lexemes kept).
        Valid("0", .number("0")), Valid("-0", .number("-0")), Valid("7", .number("7")),
        Valid("-12", .number("-12")), Valid("1.5", .number("1.5")), Valid("49.90", .number("49.90")),
        Valid("1e5", .number("1e5")), Valid("1E5", .number("1E5")), Valid("1e+5", .number("1e+5")),
        Valid("-0.0e-0", .number("-0.0e-0")), Valid("0.000", .number("0.000")),
        Valid("123456789012345678901234567890", .number("123456789012345678901234567890")),
        Valid("1e400", .number("1e400")),
        Valid("true", .bool(true)), Valid("false", .bool(false)), Valid("null", .null),
        // Only the four RFC whitespace characters, anywhere between tokens.
        Valid(" \t\n\r1 \t\n\r", .number("1")),
        Valid("[ 1 ,\t2\n,\r3 ]", .array([.number("1"), .number("2"), .number("3")])),
        Valid("{ \"a\" : 1 }", .object(JSONObject([("a", .number("1"))]))),
        // Containers, nesting, member order.
        Valid("[]", .array([])), Valid("{}", .object(JSONObject())), Valid("[[]]", .array([.array([])])),
        Valid(#"{"b":1,"a":2}"#, .object(JSONObject([("b", .number("1")), ("a", .number("2"))]))),
        Valid(
            #"{"a":{"b":[true,null,"x"]}}"#,
            .object(JSONObject([("a", .object(JSONObject([("b", .array([.bool(true), .null, .string("x")]))])))]))),
        // Strings: escapes, \u forms, surrogate pairs, raw UTF-8, NUL, DEL, noncharacters.
        Valid(#""""#, .string("")), Valid(#""a""#, .string("a")),
        Valid(#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")),
        Valid(#""\u0041\u00e9\u00E9\u20AC""#, .string("Aéé€")),
        Valid(#""\uD83D\uDE00 \ud83d\ude00""#, .string("😀 😀")),
        Valid(#""\u0000""#, .string("\u{0}")), Valid(#""\uFFFF""#, .string("\u{FFFF}")),
        Valid("\"é€😀中\u{7F}\"", .string("é€😀中\u{7F}")),
        Valid(bytes: [0x22, 0xEF, 0xBF, 0xBF, 0xF4, 0x8F, 0xBF, 0xBF, 0x22], .string("\u{FFFF}\u{10FFFF}")),
        Valid(
            #""a long string that crosses the eight-byte blocks \n and then continues""#,
            .string("a long string that crosses the eight-byte blocks \n and then continues")),
        Valid(#"{"a\nb":1}"#, .object(JSONObject([("a\nb", .number("1"))]))),
        // Keys that differ, even if only in case or by a combining mark, are not duplicates.
        Valid(#"{"a":1,"A":2}"#, .object(JSONObject([("a", .number("1")), ("A", .number("2"))]))),
        Valid(#"{"é":1,"e":2}"#, .object(JSONObject([("é", .number("1")), ("e", .number("2"))]))),
    ]

    @Test("valid documents parse to the expected value", arguments: valid)
    func parsesValid(_ c: Valid) throws {
        let value = try JSONParser.parse(c.input)
        #expect(value == c.expected)
        // `String ==` is canonical equivalence; the written bytes also pin the exact UTF-8 decoded.
        #expect(value.jsonBytes == c.expected.jsonBytes)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let input: [UInt8]
        let message: String
        let offset: Int
        init(_ input: String, _ message: String, at offset: Int) {
            self.init(bytes: Array(input.utf8), message, at: offset)
        }
        init(bytes: [UInt8], _ message: String, at offset: Int) {
            self.input = bytes; self.message = message; self.offset = offset
        }
        var testDescription: String { String(decoding: input, as: UTF8.self).debugDescription + " → " + message }
    }

    static let invalid: [Invalid] = [
        // Structure.
        Invalid("", "unexpected end of input", at: 0), Invalid("  ", "unexpected end of input", at: 2),
        Invalid("[", "unexpected end of input", at: 1), Invalid("[1", "unexpected end of input", at: 2),
        Invalid("{", "unexpected end of input", at: 1), Invalid(#"{"a""#, "unexpected end of input", at: 4),
        Invalid(#"{"a":"#, "unexpected end of input", at: 5), Invalid(#"{"a":1"#, "unexpected end of input", at: 6),
        Invalid("[1,]", "trailing comma", at: 2), Invalid(#"{"a":1 , }"#, "trailing comma", at: 7),
        Invalid("[,1]", "unexpected ',', expected a value", at: 1),
        Invalid("[1 2]", "unexpected '2', expected ',' or ']' after an array element", at: 3),
        Invalid(#"{"a":1 "b":2}"#, "unexpected '\"', expected ',' or '}' after an object member", at: 7),
        Invalid(#"{"a" 1}"#, "unexpected '1', expected ':' after an object key", at: 5),
        Invalid("{1:2}", "unexpected '1', expected a string key", at: 1),
        Invalid("{'a':1}", "unexpected ''', expected a string key", at: 1),
        Invalid("['a']", "unexpected ''', expected a value", at: 1),
        Invalid("[1]]", "unexpected ']' after the JSON value", at: 3),
        Invalid("1 2", "unexpected '2' after the JSON value", at: 2),
        Invalid("/* c */ 1", "unexpected '/', expected a value", at: 0),
        Invalid("1 // c", "unexpected '/' after the JSON value", at: 2),
        // Literals.
        Invalid("tru", "invalid literal, expected 'true'", at: 0),
        Invalid("nul", "invalid literal, expected 'null'", at: 0),
        Invalid("[fals]", "invalid literal, expected 'false'", at: 1),
        Invalid("True", "unexpected 'T', expected a value", at: 0),
        Invalid("truex", "unexpected 'x' after the JSON value", at: 4),
        Invalid("NaN", "unexpected 'N', expected a value", at: 0),
        Invalid("-Infinity", "unexpected 'I', expected a digit", at: 1),
        // Numbers.
        Invalid("01", "invalid number, leading zero", at: 0), Invalid("-01", "invalid number, leading zero", at: 0),
        Invalid("+1", "unexpected '+', expected a value", at: 0),
        Invalid(".5", "unexpected '.', expected a value", at: 0),
        Invalid("1.", "invalid number, expected a digit after '.'", at: 2),
        Invalid("1.e5", "invalid number, expected a digit after '.'", at: 2),
        Invalid("1e", "invalid number, expected a digit in the exponent", at: 2),
        Invalid("1e+", "invalid number, expected a digit in the exponent", at: 3),
        Invalid("-", "unexpected end of input", at: 1), Invalid("-a", "unexpected 'a', expected a digit", at: 1),
        Invalid("0x10", "unexpected 'x' after the JSON value", at: 1),
        // Whitespace: only space, tab, LF, CR.
        Invalid("\u{0B}1", "unexpected byte 0x0B, expected a value", at: 0),
        Invalid("\u{0C}1", "unexpected byte 0x0C, expected a value", at: 0),
        Invalid("1\u{A0}", "unexpected byte 0xC2 after the JSON value", at: 1),
        Invalid(bytes: [0xEF, 0xBB, 0xBF, 0x31], "byte order mark not allowed", at: 0),
        // Strings.
        Invalid(#""abc"#, "unterminated string", at: 0), Invalid(#"["abc"#, "unterminated string", at: 1),
        Invalid(#""\"#, "unterminated string", at: 0),
        Invalid(#""\x""#, "invalid escape \\x", at: 1), Invalid(#""ab\'""#, "invalid escape \\'", at: 3),
        Invalid("\"\\\u{1}\"", "invalid escape \\ followed by byte 0x01", at: 1),
        Invalid(#""\u12G4""#, "invalid \\u escape, expected 4 hex digits", at: 1),
        Invalid(#""\u12""#, "invalid \\u escape, expected 4 hex digits", at: 1),
        Invalid(#""\uD800""#, "lone surrogate \\uD800", at: 1), Invalid(#""\udc00""#, "lone surrogate \\uDC00", at: 1),
        Invalid(#""x\uD83D\u0041""#, "lone surrogate \\uD83D", at: 2),
        Invalid(#""\uD83D\uD83D""#, "lone surrogate \\uD83D", at: 1),
        Invalid(#""\uD83Dx""#, "lone surrogate \\uD83D", at: 1),
        Invalid("\"a\tb\"", "unescaped control character 0x09 in string", at: 2),
        Invalid("\"\u{0}\"", "unescaped control character 0x00 in string", at: 1),
        Invalid("\"long enough for a block\nof eight\"", "unescaped control character 0x0A in string", at: 24),
        // UTF-8: overlong forms, encoded surrogates, > U+10FFFF, stray and truncated sequences.
        Invalid(bytes: [0x22, 0xC0, 0x80, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0xC1, 0xBF, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0xE0, 0x80, 0x80, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0xF0, 0x80, 0x80, 0x80, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0x61, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8", at: 2),
        Invalid(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0xFF, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0x80, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0xC3, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0xE2, 0x82, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0xF0, 0x9F, 0x98, 0x22], "invalid UTF-8", at: 1),
        Invalid(bytes: [0x22, 0xC3], "invalid UTF-8", at: 1),
        Invalid(bytes: [0xC3, 0xA9], "unexpected byte 0xC3, expected a value", at: 0),
        // Duplicate keys, including canonically equivalent spellings.
        Invalid(#"{"a":1,"a":2}"#, "duplicate key \"a\"", at: 7),
        Invalid(#"{"a":1,"b":{"c":1},"\u0061":2}"#, "duplicate key \"a\"", at: 19),
        Invalid(#"{"K":1,"\u212A":2}"#, "duplicate key \"\u{212A}\"", at: 7),
        Invalid(#"{"é":1,"e\u0301":2}"#, "duplicate key \"e\u{301}\"", at: 8),
    ]

    @Test("invalid documents are rejected with the expected message and offset", arguments: invalid)
    func rejectsInvalid(_ c: Invalid) {
        #expect(throws: JSONError(offset: c.offset, message: c.message)) { try JSONParser.parse(c.input) }
    }

    @Test("the String, array and raw-buffer entry points agree, with offsets into the UTF-8 bytes")
    func entryPointsAgree() throws {
        let text = "{\"é\": [1, \"x\"], \"k\": nul}"
        let bytes = Array(text.utf8)
        let fromString = try #require(throws: JSONError.self) { try JSONParser.parse(text) }
        let fromArray = try #require(throws: JSONError.self) { try JSONParser.parse(bytes) }
        let fromBuffer = try #require(throws: JSONError.self) {
            try bytes.withUnsafeBytes { buffer throws(JSONError) in try JSONParser.parse(buffer) }
        }
        #expect(fromString == JSONError(offset: 22, message: "invalid literal, expected 'null'"))
        #expect(fromArray == fromString)
        #expect(fromBuffer == fromString)
        let good = "[\"é\", {\"a\": 1.0}]"
        #expect(try JSONParser.parse(good) == JSONParser.parse(Array(good.utf8)))
    }

    @Test("an error describes itself as message at byte offset")
    func errorDescription() {
        #expect(JSONError(offset: 4, message: "unterminated string").description == "unterminated string at byte 4")
    }

    @Test("a hostile duplicate key is cut to 64 bytes in the message")
    func longDuplicateKeyIsTruncated() throws {
        let key = String(repeating: "é", count: 100)
        let document = "{\"\(key)\":1,\"\(key)\":2}"
        let error = try #require(throws: JSONError.self) { try JSONParser.parse(document) }
        #expect(error.message == "duplicate key \"\(String(repeating: "é", count: 32))…\"")
    }

    @Test("the parsed value keeps number lexemes and converts them on demand")
    func numberAccessors() throws {
        let value = try JSONParser.parse(#"{"value":49.90,"n":9223372036854775807,"big":1e400}"#)
        #expect(value["value"] == .number("49.90"))
        #expect(value["value"]?.doubleValue == 49.9)
        #expect(value["n"]?.int64Value == Int64.max)
        #expect(value["big"]?.doubleValue == .infinity)
    }
}
