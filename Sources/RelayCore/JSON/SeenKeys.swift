// SPDX-License-Identifier: Apache-2.0

/// Where the keys of one object start and how long they are, for the fast path's duplicate check:
/// the first eight inline (beacon objects are small, and an array here was an allocation per
/// `custom_data`), any more in an array.
struct SeenKeys {
    /// `start << 32 | length`: bodies are far below 4 GiB (``JSONLimits``).
    private var inline = SIMD8<UInt64>()
    private var more: [(start: Int, length: Int)] = []
    /// Number of keys recorded.
    private(set) var count = 0

    subscript(index: Int) -> (start: Int, length: Int) {
        guard index >= 8 else {
            let packed = inline[index]
            return (Int(packed >> 32), Int(packed & 0xFFFF_FFFF))
        }
        return more[index - 8]
    }

    mutating func append(_ key: (start: Int, length: Int)) {
        if count < 8 {
            inline[count] = UInt64(key.start) << 32 | UInt64(key.length)
        } else {
            more.append(key)
        }
        count += 1
    }
}
