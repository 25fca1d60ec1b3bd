// SPDX-License-Identifier: Apache-2.0

/// Turns the raw values of one hashed `user_data` field into what Meta expects: an array of unique
/// lowercase-hex SHA-256 hashes, in first-seen order (spec/normalization.md, steps 1–4).
///
/// Shares its `SHA256Digest`, so it is no more thread-safe than the digest: one per thread.
public struct UserDataHasher {
    private let digest: SHA256Digest
    private let currentYear: Int

    /// Creates a hasher.
    ///
    /// - Parameters:
    ///   - digest: The SHA-256 context to use (owned by the calling thread).
    ///   - currentYear: The latest acceptable year of birth for `db`.
    public init(digest: SHA256Digest, currentYear: Int) {
        self.digest = digest
        self.currentYear = currentYear
    }

    /// Normalises and hashes every value of one field.
    ///
    /// A value that is exactly 64 characters of `0-9a-f` after NFC, trimming and lowercasing is an
    /// already-computed hash and is passed through (lowercased), never hashed twice. A value the
    /// field rule rejects, or that normalises to nothing, is dropped and reported; `sha256("")` is
    /// never produced.
    ///
    /// - Parameters:
    ///   - field: The `user_data` key.
    ///   - values: The field's raw values (one element for a plain string).
    ///   - country: The event's normalised, lowercase alpha-2 country, or nil when unknown.
    /// - Returns: The unique hashes in first-seen order, and one failure per dropped value.
    public func hash(
        _ field: PIIField, values: [String], country: String?
    ) -> (hashes: [String], dropped: [NormalizationFailure]) {
        var hashes: [String] = []
        hashes.reserveCapacity(values.count)
        var dropped: [NormalizationFailure] = []
        for raw in values {
            switch hash(field, value: raw, country: country) {
            case .success(let hash): if !hashes.contains(hash) { hashes.append(hash) }
            case .failure(let failure): dropped.append(failure)
            }
        }
        return (hashes, dropped)
    }

    /// Normalises and hashes one value as hex (each element of ``hash(_:values:country:)``; the event's
    /// own one-value fields go through ``normalize(_:value:country:)`` and ``writeHash(_:to:)`` instead).
    ///
    /// - Parameters:
    ///   - field: The `user_data` key.
    ///   - value: The raw value.
    ///   - country: The event's normalised, lowercase alpha-2 country, or nil when unknown.
    /// - Returns: The hash, or why the value was dropped.
    public func hash(_ field: PIIField, value: String, country: String?) -> Result<String, NormalizationFailure> {
        normalize(field, value: value, country: country).map { $0.isHash ? $0.text : digest.hex($0.text) }
    }

    /// Step 1–3 for one value: the already-computed hash it is, or the normalised text to hash with
    /// ``writeHash(_:to:)``.
    ///
    /// - Parameters:
    ///   - field: The `user_data` key.
    ///   - value: The raw value.
    ///   - country: The event's normalised, lowercase alpha-2 country, or nil when unknown.
    /// - Returns: The text and whether it is a hash already, or why the value was dropped.
    public func normalize(
        _ field: PIIField, value: String, country: String?
    ) -> Result<(text: String, isHash: Bool), NormalizationFailure> {
        let prepared = UnicodeText.prepare(value)
        if Normalizer.isSHA256Hex(prepared.text) { return .success((prepared.text, true)) }
        return Normalizer.applyRule(field, prepared, country: country, currentYear: currentYear).map { ($0, false) }
    }

    /// Writes what ``normalize(_:value:country:)`` returned as the JSON string of its hash.
    public func writeHash(_ normalized: (text: String, isHash: Bool), to writer: inout JSONWriter) {
        if normalized.isHash {
            writer.string(normalized.text)
        } else {
            digest.writeHex(of: normalized.text, to: &writer)
        }
    }
}
