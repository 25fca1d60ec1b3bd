// SPDX-License-Identifier: Apache-2.0

/// Validating a value without building it, for the beacon fast path (`EventMembers+Scan`).
///
/// `skipValue` accepts a subset of what `parseValue` accepts, never more: it applies the same string,
/// number, literal, depth and member rules, and additionally gives up (throws) on objects whose
/// duplicate-key check would need `String` comparison (a key that is not plain ASCII, or more than
/// ``linearKeyScanLimit`` members). Whoever calls it falls back to the full parser on any throw,
/// which then decides, so "gave up" and "invalid" need not be told apart.
extension JSONScanner {
    /// Skips the value at `i` (whitespace already skipped); leaves `i` after it.
    /// - Parameter compact: set to false when the value's bytes differ from what `JSONWriter.value`
    ///   would write for the parsed value: whitespace between tokens, or an escape in a string.
    mutating func skipValue(compact: inout Bool) throws(JSONError) {
        guard i < end else { throw endOfInput() }
        switch p[i] {
        case UInt8(ascii: "\""):
            if try scanString().hasEscapes { compact = false }
        case UInt8(ascii: "{"): try skipObject(compact: &compact)
        case UInt8(ascii: "["): try skipArray(compact: &compact)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: throw JSONError(offset: i, message: "unexpected \(JSONError.describe(p[i])), expected a value")
        }
    }

    mutating func skipArray(compact: inout Bool) throws(JSONError) {
        if try enterContainer(closer: UInt8(ascii: "]"), compact: &compact) { return }
        var count = 0
        while true {
            if count == limits.maxMembers {
                throw JSONError(offset: i, message: "array with more than \(limits.maxMembers) elements")
            }
            try skipValue(compact: &compact)
            count += 1
            if try endOfList(closer: UInt8(ascii: "]"), what: "array element", compact: &compact) { break }
        }
        depth -= 1
    }

    mutating func skipObject(compact: inout Bool) throws(JSONError) {
        if try enterContainer(closer: UInt8(ascii: "}"), compact: &compact) { return }
        var keys = SeenKeys()
        while true {
            _ = try skipMemberKey(seen: &keys, compact: &compact)
            try skipValue(compact: &compact)
            if try endOfList(closer: UInt8(ascii: "}"), what: "object member", compact: &compact) { break }
        }
        depth -= 1
    }

    /// Scans an object member's key at `i`, records it in `seen`, and consumes the `:` after it (with the
    /// whitespace around it); throws past `maxMembers`, on a duplicate, on a key that is not plain ASCII,
    /// or past ``linearKeyScanLimit`` keys (see the type's note).
    /// - Returns: where the key's bytes start and their length.
    mutating func skipMemberKey(
        seen: inout SeenKeys, compact: inout Bool
    ) throws(JSONError) -> (start: Int, length: Int) {
        if seen.count == limits.maxMembers {
            throw JSONError(offset: i, message: "object with more than \(limits.maxMembers) members")
        }
        guard i < end else { throw endOfInput() }
        guard p[i] == UInt8(ascii: "\"") else {
            throw JSONError(offset: i, message: "unexpected \(JSONError.describe(p[i])), expected a string key")
        }
        let offset = i
        guard seen.count < Self.linearKeyScanLimit else {
            throw JSONError(offset: offset, message: "object too large for the fast path")
        }
        let key = try scanString()
        guard lastStringWasPlainASCII else { throw JSONError(offset: offset, message: "key not plain ASCII") }
        for index in 0..<seen.count {
            let other = seen[index]
            if other.length == key.length && Self.same(p + other.start, p + key.start, key.length) {
                throw JSONError(offset: offset, message: "duplicate key")
            }
        }
        seen.append((key.start, key.length))
        skipWhitespace(compact: &compact)
        try colon()
        skipWhitespace(compact: &compact)
        return (key.start, key.length)
    }

    /// Enters the container whose opener is at `i` and skips the whitespace after it; when the next
    /// byte is `closer` (an empty container) consumes it too, leaves, and returns true.
    @inline(__always)
    mutating func enterContainer(closer: UInt8, compact: inout Bool) throws(JSONError) -> Bool {
        try enterContainer()
        skipWhitespace(compact: &compact)
        guard i < end && p[i] == closer else { return false }
        i += 1
        depth -= 1
        return true
    }

    /// Consumes the `:` after an object key.
    @inline(__always)
    mutating func colon() throws(JSONError) {
        guard i < end else { throw endOfInput() }
        guard p[i] == UInt8(ascii: ":") else {
            throw JSONError(
                offset: i, message: "unexpected \(JSONError.describe(p[i])), expected ':' after an object key")
        }
        i += 1
    }

    /// `endOfList` that also notes whitespace around the separator.
    @inline(__always)
    mutating func endOfList(closer: UInt8, what: String, compact: inout Bool) throws(JSONError) -> Bool {
        let before = i
        let closed = try endOfList(closer: closer, what: what)
        if i - before != 1 { compact = false }
        return closed
    }

    @inline(__always)
    mutating func skipWhitespace(compact: inout Bool) {
        let before = i
        skipWhitespace()
        if i != before { compact = false }
    }

    @inline(__always)
    static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var k = 0
        while k < count {
            if a[k] != b[k] { return false }
            k += 1
        }
        return true
    }
}
