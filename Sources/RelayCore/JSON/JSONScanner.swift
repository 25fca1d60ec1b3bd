// SPDX-License-Identifier: Apache-2.0

/// The recursive-descent engine behind `JSONParser`: one pass over a byte buffer with an index.
///
/// Each container appends to its own array reserved for 8 children, so a typical beacon object costs
/// one allocation. (A shared scratch stack copied out at exact size was measured slower: the copy
/// of `(String, JSONValue)` tuples goes through generic value witnesses.)
struct JSONScanner {
    let p: UnsafePointer<UInt8>
    let end: Int
    let limits: JSONLimits
    /// Index of the next unread byte.
    var i = 0
    var depth = 0
    /// Whether the string `parseString` last returned was plain ASCII without escapes, for which
    /// byte equality and `String` equality agree (lets the duplicate-key check compare lengths first).
    var lastStringWasPlainASCII = false

    /// Objects up to this many members check for duplicate keys by linear scan; larger ones use a
    /// set so a 10,000-member object costs O(n), not O(n²).
    static let linearKeyScanLimit = 16

    init(base: UnsafePointer<UInt8>, count: Int, limits: JSONLimits) {
        self.p = base
        self.end = count
        self.limits = limits
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        if end >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
            throw JSONError(offset: 0, message: "byte order mark not allowed")
        }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if i < end {
            throw JSONError(offset: i, message: "unexpected \(JSONError.describe(p[i])) after the JSON value")
        }
        return value
    }

    /// Parses the value starting at `i` (whitespace already skipped).
    mutating func parseValue() throws(JSONError) -> JSONValue {
        guard i < end else { throw endOfInput() }
        switch p[i] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: throw JSONError(offset: i, message: "unexpected \(JSONError.describe(p[i])), expected a value")
        }
    }

    mutating func parseArray() throws(JSONError) -> JSONValue {
        try enterContainer()
        skipWhitespace()
        if i < end && p[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array([])
        }
        var array: [JSONValue] = []
        array.reserveCapacity(8)
        while true {
            if array.count == limits.maxMembers {
                throw JSONError(offset: i, message: "array with more than \(limits.maxMembers) elements")
            }
            array.append(try parseValue())
            if try endOfList(closer: UInt8(ascii: "]"), what: "array element") { break }
        }
        depth -= 1
        return .array(array)
    }

    mutating func parseObject() throws(JSONError) -> JSONValue {
        try enterContainer()
        skipWhitespace()
        if i < end && p[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(JSONObject())
        }
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(8)
        var seen: Set<String>? = nil
        var allKeysPlainASCII = true
        while true {
            guard i < end else { throw endOfInput() }
            guard p[i] == UInt8(ascii: "\"") else {
                throw JSONError(offset: i, message: "unexpected \(JSONError.describe(p[i])), expected a string key")
            }
            let keyOffset = i
            if members.count == limits.maxMembers {
                throw JSONError(offset: keyOffset, message: "object with more than \(limits.maxMembers) members")
            }
            let key = try parseString()
            allKeysPlainASCII = allKeysPlainASCII && lastStringWasPlainASCII
            if Self.isDuplicate(key, in: members, plainASCII: allKeysPlainASCII, seen: &seen) {
                throw JSONError(offset: keyOffset, message: "duplicate key \(JSONError.quoted(key))")
            }
            skipWhitespace()
            guard i < end else { throw endOfInput() }
            guard p[i] == UInt8(ascii: ":") else {
                throw JSONError(
                    offset: i, message: "unexpected \(JSONError.describe(p[i])), expected ':' after an object key")
            }
            i += 1
            skipWhitespace()
            members.append((key, try parseValue()))
            if try endOfList(closer: UInt8(ascii: "}"), what: "object member") { break }
        }
        depth -= 1
        return .object(JSONObject(members))
    }

    /// After a container's child: consumes `,` (and the whitespace after it, rejecting a trailing
    /// comma) and returns false, or consumes the closer and returns true.
    @inline(__always)
    mutating func endOfList(closer: UInt8, what: String) throws(JSONError) -> Bool {
        skipWhitespace()
        guard i < end else { throw endOfInput() }
        let byte = p[i]
        if byte == closer {
            i += 1
            return true
        }
        guard byte == UInt8(ascii: ",") else {
            let expected = closer == UInt8(ascii: "]") ? "',' or ']'" : "',' or '}'"
            throw JSONError(
                offset: i, message: "unexpected \(JSONError.describe(byte)), expected \(expected) after an \(what)")
        }
        let comma = i
        i += 1
        skipWhitespace()
        if i < end && p[i] == closer { throw JSONError(offset: comma, message: "trailing comma") }
        return false
    }

    /// Consumes an opening bracket, enforcing `maxDepth`.
    @inline(__always)
    mutating func enterContainer() throws(JSONError) {
        depth += 1
        if depth > limits.maxDepth {
            throw JSONError(offset: i, message: "nesting deeper than \(limits.maxDepth)")
        }
        i += 1
    }

    /// Keys are compared as `String`s (canonical equivalence, like `JSONObject`'s subscript):
    /// "\u212A" (Kelvin sign) duplicates "K". When every key so far is plain ASCII, equal strings
    /// have equal lengths, so most comparisons stop at the O(1) length check.
    static func isDuplicate(
        _ key: String, in members: [(key: String, value: JSONValue)], plainASCII: Bool, seen: inout Set<String>?
    ) -> Bool {
        if members.count < Self.linearKeyScanLimit {
            if plainASCII {
                let length = key.utf8.count
                for member in members where member.key.utf8.count == length && member.key == key { return true }
            } else {
                for member in members where member.key == key { return true }
            }
            return false
        }
        if seen == nil { seen = Set(members.lazy.map(\.key)) }
        return !seen!.insert(key).inserted
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        let expected = word.utf8Start
        var k = 0
        while k < count {
            guard i + k < end, p[i + k] == expected[k] else {
                throw JSONError(offset: i, message: "invalid literal, expected '\(word)'")
            }
            k += 1
        }
        i += count
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < end {
            switch p[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    func endOfInput() -> JSONError {
        JSONError(offset: end, message: "unexpected end of input")
    }
}
