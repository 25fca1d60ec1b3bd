// SPDX-License-Identifier: Apache-2.0

/// Header fields in the order they arrived, names lowercased once at parse time.
///
/// Lookups are linear scans: a request has a handful of fields, and a scan over a small array
/// beats hashing every name on the hot path.
public struct HTTPHeaders: Sendable, Equatable, ExpressibleByDictionaryLiteral, Sequence {
    /// The fields in order; names are lowercase ASCII tokens, values have surrounding
    /// whitespace removed.
    public var fields: [(name: String, value: String)]

    /// Creates an empty header list.
    public init() { fields = [] }

    /// Creates a header list from pairs, lowercasing the names.
    /// - Parameter pairs: name/value pairs in order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { (name: $0.0.lowercased(), value: $0.1) }
    }

    /// Creates a header list from a literal such as `["Host": "example.com"]`, keeping its order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of the field `name`, which must be given in lowercase.
    public subscript(name: String) -> String? {
        for field in fields where field.name == name { return field.value }
        return nil
    }

    /// Every value of the field `name` (lowercase), in order.
    public func values(_ name: String) -> [String] {
        fields.compactMap { $0.name == name ? $0.value : nil }
    }

    /// Number of fields.
    public var count: Int { fields.count }

    /// Appends a field, lowercasing its name.
    /// - Parameters:
    ///   - name: the field name.
    ///   - value: the field value.
    public mutating func add(name: String, value: String) {
        fields.append((name: name.lowercased(), value: value))
    }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// Same fields with the same values in the same order.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
