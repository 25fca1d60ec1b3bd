// SPDX-License-Identifier: Apache-2.0

/// Bounds the work and memory one `JSONParser.parse` call may spend on untrusted input.
///
/// Every limit that is exceeded fails the parse with a `JSONError` whose message names the limit
/// (for example "nesting deeper than 32"), so callers can answer `400` without guessing.
public struct JSONLimits: Sendable, Equatable {
    /// Maximum nesting of arrays and objects; a top-level scalar has depth 0, `[]` has depth 1.
    ///
    /// The parser recurses once per level, so keep this modest (hundreds, not millions).
    public var maxDepth: Int = 32
    /// Maximum size of the whole document in bytes.
    public var maxBytes: Int = 1 << 20
    /// Maximum size of one string (or number) as written in the document, between its quotes.
    public var maxStringBytes: Int = 64 * 1024
    /// Maximum number of members of one object, and of elements of one array.
    public var maxMembers: Int = 10_000

    /// Creates limits; every parameter defaults to the value documented on its property.
    /// - Parameters:
    ///   - maxDepth: maximum nesting of arrays and objects.
    ///   - maxBytes: maximum document size in bytes.
    ///   - maxStringBytes: maximum encoded size of one string or number lexeme.
    ///   - maxMembers: maximum members per object and elements per array.
    public init(maxDepth: Int = 32, maxBytes: Int = 1 << 20, maxStringBytes: Int = 64 * 1024, maxMembers: Int = 10_000)
    {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
        self.maxStringBytes = maxStringBytes
        self.maxMembers = maxMembers
    }
}
