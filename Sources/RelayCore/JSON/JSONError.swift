// SPDX-License-Identifier: Apache-2.0

/// Why a document was rejected, and where.
///
/// Messages are short, lower-case phrases meant for a `400` response body and for logs:
/// "unterminated string", "invalid escape \x", "nesting deeper than 32", "duplicate key \"a\"",
/// "invalid UTF-8". They never quote more than a few bytes of the input.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the input where the problem was detected (the start of the offending token).
    public let offset: Int
    /// What is wrong, without the offset.
    public let message: String

    /// Creates an error at a byte offset.
    /// - Parameters:
    ///   - offset: byte offset into the input.
    ///   - message: a short description of the problem.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// "`message` at byte `offset`".
    public var description: String { "\(message) at byte \(offset)" }
}

extension JSONError {
    /// How a byte is named in messages: `'x'` when printable ASCII, else `byte 0xNN`.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + hex2(byte)
    }

    /// Two upper-case hex digits (no `String(format:)` on the error path either).
    static func hex2(_ byte: UInt8) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// A key quoted for a message, cut to 64 bytes so a hostile key cannot bloat logs.
    static func quoted(_ key: String) -> String {
        var writer = JSONWriter(capacity: 80)
        let utf8 = key.utf8
        if utf8.count <= 64 {
            writer.string(key)
        } else {
            // Cut on a scalar boundary so the message stays valid UTF-8.
            var cut = utf8.index(utf8.startIndex, offsetBy: 64)
            while cut > utf8.startIndex && UTF8.isContinuation(utf8[cut]) { utf8.formIndex(before: &cut) }
            writer.string(String(key[..<cut]) + "…")
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
