// SPDX-License-Identifier: Apache-2.0

/// One-call object members: `field("currency", "EUR")` is `key("currency"); string("EUR")`.
extension JSONWriter {
    /// Writes a member with a string value.
    /// - Parameters:
    ///   - key: the member name.
    ///   - value: the string.
    public mutating func field(_ key: String, _ value: String) {
        self.key(key)
        string(value)
    }

    /// Writes a member with an integer value.
    /// - Parameters:
    ///   - key: the member name.
    ///   - value: the integer.
    public mutating func field(_ key: String, _ value: Int64) {
        self.key(key)
        int(value)
    }

    /// Writes a member with a boolean value.
    /// - Parameters:
    ///   - key: the member name.
    ///   - value: the boolean.
    public mutating func field(_ key: String, _ value: Bool) {
        self.key(key)
        bool(value)
    }

    /// Writes a member with a whole value tree.
    /// - Parameters:
    ///   - key: the member name.
    ///   - value: the value.
    public mutating func field(_ key: String, _ value: JSONValue) {
        self.key(key)
        self.value(value)
    }

    /// Writes a member with a number lexeme, written as-is.
    /// - Parameters:
    ///   - key: the member name.
    ///   - lexeme: a valid JSON number, such as `49.90`.
    public mutating func field(_ key: String, number lexeme: String) {
        self.key(key)
        number(lexeme)
    }

    /// Writes a member with a double (`null` when not finite).
    /// - Parameters:
    ///   - key: the member name.
    ///   - value: the double.
    public mutating func field(_ key: String, double value: Double) {
        self.key(key)
        double(value)
    }
}
