// SPDX-License-Identifier: Apache-2.0

/// Why one raw `user_data` value was dropped instead of hashed. Drops are counted by field and
/// reason; the event itself is still forwarded.
public struct NormalizationFailure: Error, Sendable, Equatable {
    /// The field whose value was dropped.
    public let field: PIIField
    /// What was wrong with it.
    public let reason: Reason

    /// The kinds of failure, with stable raw values for metric labels.
    public enum Reason: String, Sendable {
        /// Nothing left after normalisation (empty input, only white space or punctuation, …).
        case empty
        /// The value does not have the field's shape (not an email, unparsable date, unknown country, …).
        case invalidFormat = "invalid_format"
        /// The value parsed but is outside the allowed range (phone not 7–15 digits, impossible date,
        /// year before 1900 or after the current year).
        case outOfRange = "out_of_range"
    }

    /// Creates a failure for `field` with `reason`.
    public init(field: PIIField, reason: Reason) {
        self.field = field
        self.reason = reason
    }
}
