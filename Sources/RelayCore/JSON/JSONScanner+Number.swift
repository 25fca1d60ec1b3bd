// SPDX-License-Identifier: Apache-2.0

extension JSONScanner {
    /// Parses the number starting at `i` per RFC 8259 §6 and returns its lexeme:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    ///
    /// The value is not converted: callers that need one use `JSONValue.doubleValue` /
    /// `int64Value`, and everyone else forwards the lexeme unchanged.
    mutating func parseNumber() throws(JSONError) -> String {
        let (start, length) = try scanNumber()
        return String(decoding: UnsafeBufferPointer(start: p + start, count: length), as: UTF8.self)
    }

    /// Validates the number at `i` as `parseNumber` does, without making its lexeme; leaves `i` after it.
    /// - Returns: where the lexeme starts and its length.
    mutating func scanNumber() throws(JSONError) -> (start: Int, length: Int) {
        let start = i
        var j = i
        if p[j] == UInt8(ascii: "-") { j += 1 }
        guard j < end else { throw endOfInput() }
        if p[j] == UInt8(ascii: "0") {
            j += 1
            if j < end && isDigit(p[j]) {
                throw JSONError(offset: start, message: "invalid number, leading zero")
            }
        } else if isDigit(p[j]) {
            j = skipDigits(from: j + 1)
        } else {
            throw JSONError(offset: j, message: "unexpected \(JSONError.describe(p[j])), expected a digit")
        }
        if j < end && p[j] == UInt8(ascii: ".") {
            j += 1
            guard j < end, isDigit(p[j]) else {
                throw JSONError(offset: j, message: "invalid number, expected a digit after '.'")
            }
            j = skipDigits(from: j + 1)
        }
        if j < end && (p[j] | 0x20) == UInt8(ascii: "e") {
            j += 1
            if j < end && (p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-")) { j += 1 }
            guard j < end, isDigit(p[j]) else {
                throw JSONError(offset: j, message: "invalid number, expected a digit in the exponent")
            }
            j = skipDigits(from: j + 1)
        }
        let length = j - start
        if length > limits.maxStringBytes {
            throw JSONError(offset: start, message: "number longer than \(limits.maxStringBytes) bytes")
        }
        i = j
        return (start, length)
    }

    @inline(__always)
    func skipDigits(from index: Int) -> Int {
        var j = index
        while j < end && isDigit(p[j]) { j += 1 }
        return j
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
