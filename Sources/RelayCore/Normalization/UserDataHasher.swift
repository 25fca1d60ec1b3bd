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
            let prepared = UnicodeText.prepare(raw)
            let hash: String
            if Normalizer.isSHA256Hex(prepared.text) {
                hash = prepared.text
            } else {
                switch Normalizer.applyRule(field, prepared, country: country, currentYear: currentYear) {
                case .success(let normalized): hash = digest.hex(normalized)
                case .failure(let failure):
                    dropped.append(failure)
                    continue
                }
            }
            if !hashes.contains(hash) { hashes.append(hash) }
        }
        return (hashes, dropped)
    }
}
