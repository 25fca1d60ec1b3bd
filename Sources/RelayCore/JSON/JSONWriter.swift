// SPDX-License-Identifier: Apache-2.0

/// Appends JSON text directly into a byte buffer (no intermediate objects).
///
/// The writer inserts commas itself: each container remembers whether it already holds a value.
/// Call `key(_:)` before every value inside an object. Misuse (a key inside an array, unbalanced
/// `end…` calls) is caught by assertions in debug builds; release builds write what they are told.
///
/// ```swift
/// var w = JSONWriter()
/// w.beginObject()
/// w.field("event_name", "Purchase")
/// w.key("value"); w.number("49.90")
/// w.endObject()
/// // w.bytes == Array(#"{"event_name":"Purchase","value":49.90}"#.utf8)
/// ```
public struct JSONWriter: Sendable {
    /// The JSON text written so far.
    public var bytes: [UInt8]
    /// Whether the next value or key in the current container needs a leading comma.
    private var needsComma = false
    /// Container kinds, innermost in bit 0 (1 = object); only used by debug assertions.
    private var kinds: UInt64 = 0
    private var depth = 0
    /// True between `key(_:)` and the value it names.
    private var afterKey = false

    /// Creates an empty writer.
    /// - Parameter capacity: bytes to reserve up front, to avoid regrowing for typical documents.
    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Opens an object (`{`).
    public mutating func beginObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        push(object: true)
    }

    /// Closes the innermost object (`}`).
    public mutating func endObject() {
        assert(
            depth > 0 && kinds & 1 == 1 && !afterKey,
            "endObject() without a matching beginObject() or after a dangling key")
        bytes.append(UInt8(ascii: "}"))
        pop()
    }

    /// Opens an array (`[`).
    public mutating func beginArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        push(object: false)
    }

    /// Closes the innermost array (`]`).
    public mutating func endArray() {
        assert(depth > 0 && kinds & 1 == 0, "endArray() without a matching beginArray()")
        bytes.append(UInt8(ascii: "]"))
        pop()
    }

    /// Writes a member name: a comma if needed, the escaped key and `:`.
    /// - Parameter k: the member name.
    public mutating func key(_ k: String) {
        assert(depth > 0 && kinds & 1 == 1 && !afterKey, "key(_:) outside an object or twice in a row")
        appendQuoted(k, comma: needsComma, colon: true)
        afterKey = true
    }

    /// Writes a string value, escaped per RFC 8259.
    /// - Parameter s: the string.
    public mutating func string(_ s: String) {
        assert(depth == 0 || kinds & 1 == 0 || afterKey, "a value inside an object needs key(_:) first")
        let comma = needsComma && !afterKey
        afterKey = false
        needsComma = true
        appendQuoted(s, comma: comma, colon: false)
    }

    /// Writes a number lexeme as-is; it must already be valid JSON (e.g. from `JSONValue.number`).
    /// - Parameter lexeme: the number's text, such as `49.90`.
    public mutating func number(_ lexeme: String) {
        beginValue()
        bytes.append(contentsOf: lexeme.utf8)
    }

    /// Writes an integer.
    /// - Parameter v: the value.
    public mutating func int(_ v: Int64) {
        beginValue()
        appendDecimal(v)
    }

    /// Writes a double in its shortest round-tripping form, or `null` when it is NaN or infinite
    /// (JSON has no spelling for those).
    /// - Parameter v: the value.
    public mutating func double(_ v: Double) {
        beginValue()
        if v.isFinite {
            bytes.append(contentsOf: v.description.utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    /// Writes `true` or `false`.
    /// - Parameter b: the value.
    public mutating func bool(_ b: Bool) {
        beginValue()
        bytes.append(contentsOf: b ? "true".utf8 : "false".utf8)
    }

    /// Writes `null`.
    public mutating func null() {
        beginValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes a whole value tree, compactly, keeping object member order and number lexemes.
    /// - Parameter v: the value.
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let lexeme): number(lexeme)
        case .string(let s): string(s)
        case .array(let elements):
            beginArray()
            // Indexing borrows from the array's storage; `for … in` would retain every element.
            for index in elements.indices { value(elements[index]) }
            endArray()
        case .object(let object):
            beginObject()
            let members = object.members
            for index in members.indices {
                key(members[index].key)
                value(members[index].value)
            }
            endObject()
        }
    }

    /// Splices one pre-encoded JSON value (commas are handled as for any other value).
    /// - Parameter jsonBytes: exactly one valid JSON value; it is not checked.
    public mutating func raw(_ jsonBytes: some Collection<UInt8>) {
        beginValue()
        bytes.append(contentsOf: jsonBytes)
    }

    /// Comma bookkeeping shared by every value: a comma unless first in its container or after a key.
    @inline(__always)
    private mutating func beginValue() {
        assert(depth == 0 || kinds & 1 == 0 || afterKey, "a value inside an object needs key(_:) first")
        if needsComma && !afterKey { bytes.append(UInt8(ascii: ",")) }
        afterKey = false
        needsComma = true
    }

    @inline(__always)
    private mutating func push(object: Bool) {
        kinds = kinds << 1 | (object ? 1 : 0)
        depth += 1
        needsComma = false
    }

    @inline(__always)
    private mutating func pop() {
        kinds >>= 1
        depth -= 1
        needsComma = true
    }
}
