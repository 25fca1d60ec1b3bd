// SPDX-License-Identifier: Apache-2.0

extension StringProtocol {
    /// The longest prefix of at most `maxBytes` UTF-8 bytes that ends on a Unicode scalar boundary.
    ///
    /// For quoting client text in answers and headers: `prefix(n)` counts Characters, and one
    /// Character can be any number of bytes ("a" and ten thousand combining marks).
    public func utf8Prefix(_ maxBytes: Int) -> String {
        guard utf8.count > maxBytes else { return String(self) }
        let head = Array(utf8.prefix(maxBytes + 1))
        var end = maxBytes
        // Back off while `end` is a continuation byte (10xxxxxx): the cut must not split a scalar.
        while end > 0, head[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: head[..<end], as: UTF8.self)
    }
}
