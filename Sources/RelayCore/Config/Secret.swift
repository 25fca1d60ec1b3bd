// SPDX-License-Identifier: Apache-2.0

/// A secret string (access token, admin token, ingest key) that never prints its value.
///
/// `description`, `debugDescription` and reflection (`dump`, `String(reflecting:)` of any value that
/// contains it) all show `<redacted>`, so a config or an error can be logged safely. Read `value`
/// only where the secret is actually used (the upstream request body, a constant-time comparison).
public struct Secret: Sendable, Equatable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The text shown instead of the value.
    public static let redacted = "<redacted>"

    /// The secret itself. Never log or interpolate it.
    public let value: String

    /// Wraps a secret value.
    public init(_ value: String) {
        self.value = value
    }

    /// Always `<redacted>`.
    public var description: String { Self.redacted }

    /// Always `<redacted>`.
    public var debugDescription: String { Self.redacted }

    /// A mirror with no children, so `dump` cannot reach `value`.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Compares with `other` in time independent of where the first difference is (for bearer tokens).
    ///
    /// - Parameter other: the candidate bytes, e.g. from an `Authorization` header.
    /// - Returns: true when `other` equals the secret.
    public func matches(_ other: some Collection<UInt8>) -> Bool {
        let mine = value.utf8
        var diff: UInt8 = mine.count == other.count ? 0 : 1
        var b = other.makeIterator()
        for m in mine {
            // Keep comparing after a length mismatch so timing does not reveal the prefix.
            let o = b.next() ?? 0
            diff |= m ^ o
        }
        return diff == 0
    }
}
