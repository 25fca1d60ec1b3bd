// SPDX-License-Identifier: Apache-2.0

extension JSONValue {
    /// The value as compact JSON (no whitespace), with member order and number lexemes preserved.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    /// The value as compact JSON text.
    public var jsonString: String {
        String(decoding: jsonBytes, as: UTF8.self)
    }
}
