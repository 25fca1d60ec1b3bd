// SPDX-License-Identifier: Apache-2.0

/// "Did you mean …?" for unknown config keys.
enum KeySuggestion {
    /// The known key closest to `key`, when close enough to be a plausible typo.
    ///
    /// `maxBodyBytes`, `max-body-bytes` and `MAX_BODY_BYTES` all map to `max_body_bytes`; otherwise the
    /// smallest optimal-string-alignment distance wins (a transposition counts as one edit), up to
    /// a quarter of the key's length (at least 2).
    static func closest(to key: String, in known: [String]) -> String? {
        let folded = fold(key)
        if let exact = known.first(where: { fold($0) == folded }) { return exact }
        var best: (key: String, distance: Int)? = nil
        let a = Array(key.lowercased().utf8)
        for candidate in known {
            let d = distance(a, Array(candidate.utf8))
            if d <= max(2, candidate.utf8.count / 4), d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        return best?.key
    }

    /// Lowercase without `_` and `-`.
    private static func fold(_ s: String) -> String {
        String(s.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        var d = [Int](repeating: 0, count: (a.count + 1) * width)
        for i in 0...a.count { d[i * width] = i }
        for j in 0...b.count { d[j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(d[(i - 1) * width + j] + 1, d[i * width + j - 1] + 1, d[(i - 1) * width + j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    v = min(v, d[(i - 2) * width + j - 2] + 1)
                }
                d[i * width + j] = v
            }
        }
        return d[a.count * width + b.count]
    }
}
