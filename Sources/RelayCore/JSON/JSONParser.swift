// SPDX-License-Identifier: Apache-2.0

/// A strict RFC 8259 JSON parser for untrusted input: the project's only way to read JSON.
///
/// What it accepts is exactly RFC 8259's grammar: no trailing commas, comments, single quotes,
/// `NaN`, leading zeros, `+1`, `.5` or `1.`; only space, tab, LF and CR as whitespace; any value at
/// the top level. On top of the grammar it rejects:
/// - invalid UTF-8 anywhere (overlong forms, encoded surrogates, > U+10FFFF, truncated sequences);
/// - unpaired surrogate escapes (`"\uD800"`), unescaped control characters in strings;
/// - duplicate object keys, where "duplicate" means equal as Swift `String`s (canonical
///   equivalence), the same rule `JSONObject`'s subscript uses, so a lookup is never ambiguous;
/// - a leading UTF-8 byte order mark (RFC 8259 §8.1 forbids sending one; beacons never do, and
///   rejecting it keeps "what bytes were parsed" unambiguous);
/// - anything beyond `JSONLimits`.
///
/// Numbers are kept as their validated lexeme (`JSONValue.number`), so `1e400` is accepted and
/// forwarded as written even though it does not fit a `Double`.
public enum JSONParser {
    /// Parses one JSON document from raw bytes.
    /// - Parameters:
    ///   - bytes: the complete document, UTF-8.
    ///   - limits: bounds on size, depth, string length and member count.
    /// - Returns: the document's value.
    /// - Throws: `JSONError` with the byte offset of the first problem.
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .init()) throws(JSONError)
        -> JSONValue
    {
        guard bytes.count <= limits.maxBytes else {
            throw JSONError(offset: max(0, limits.maxBytes), message: "document larger than \(limits.maxBytes) bytes")
        }
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONError(offset: 0, message: "unexpected end of input")
        }
        // Input buffers hold bytes; binding them as UInt8 is how NIO and the stdlib read byte buffers.
        var scanner = JSONScanner(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, limits: limits)
        return try scanner.parseDocument()
    }

    /// Parses one JSON document from a byte array.
    /// - Parameters:
    ///   - bytes: the complete document, UTF-8.
    ///   - limits: bounds on size, depth, string length and member count.
    /// - Returns: the document's value.
    /// - Throws: `JSONError` with the byte offset of the first problem.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .init()) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONError) -> JSONValue in try parse(raw, limits: limits) }
        }
        return try result.get()
    }

    /// Parses one JSON document from a string (its UTF-8 encoding).
    /// - Parameters:
    ///   - string: the complete document.
    ///   - limits: bounds on size, depth, string length and member count.
    /// - Returns: the document's value.
    /// - Throws: `JSONError` with the byte offset (into `string.utf8`) of the first problem.
    public static func parse(_ string: String, limits: JSONLimits = .init()) throws(JSONError) -> JSONValue {
        var string = string
        let result = string.withUTF8 { utf8 in
            Result { () throws(JSONError) -> JSONValue in try parse(UnsafeRawBufferPointer(utf8), limits: limits) }
        }
        return try result.get()
    }
}
