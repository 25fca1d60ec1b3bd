// SPDX-License-Identifier: Apache-2.0

/// Per-client-IP token buckets (S4). Owned by the loop thread; bounded to `maxClients` buckets
/// (the stalest half is evicted when full), so a flood of addresses cannot grow memory.
final class RateLimiter {
    struct Bucket {
        var tokens: Double
        var updatedMs: Int64
    }

    let perSecond: Double
    let burst: Double
    let maxClients: Int
    private var buckets: [String: Bucket] = [:]

    init(perSecond: Int, burst: Int, maxClients: Int = 100_000) {
        self.perSecond = Double(perSecond)
        self.burst = Double(max(burst, 1))
        self.maxClients = maxClients
    }

    var isEnabled: Bool { perSecond > 0 }

    /// Buckets held (tests).
    var bucketCount: Int { buckets.count }

    /// Takes one token for `client`; false when its bucket is empty.
    func allow(_ client: String, nowMs: Int64) -> Bool {
        guard isEnabled else { return true }
        var b = buckets[client] ?? Bucket(tokens: burst, updatedMs: nowMs)
        // The wall clock can step back (NTP): that refills nothing, but must not drain every bucket.
        b.tokens = min(burst, b.tokens + Double(max(0, nowMs - b.updatedMs)) * perSecond / 1000)
        b.updatedMs = nowMs
        let ok = b.tokens >= 1
        if ok { b.tokens -= 1 }
        if buckets.count >= maxClients, buckets[client] == nil { evict() }
        buckets[client] = b
        return ok
    }

    private func evict() {
        let cutoff = buckets.values.map(\.updatedMs).sorted()[buckets.count / 2]
        buckets = buckets.filter { $0.value.updatedMs > cutoff }
    }
}
