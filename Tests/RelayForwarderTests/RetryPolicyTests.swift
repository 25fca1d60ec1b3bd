// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayForwarder

/// SplitMix64: a tiny seeded generator so distributions are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("RetryPolicy: exponential backoff with full jitter")
struct RetryPolicyTests {
    @Test(
        "the window doubles from the base and saturates at the cap",
        arguments: [
            (-1, 1000), (0, 1000), (1, 2000), (2, 4000), (4, 16_000), (5, 30_000), (6, 30_000), (63, 30_000),
            (10_000, 30_000),
        ])
    func window(attempt: Int, expected: Int) {
        #expect(RetryPolicy.standard.windowMs(attempt: attempt) == expected)
    }

    @Test("the throttle policy grows to 15 minutes")
    func throttleWindow() {
        #expect(RetryPolicy.throttle.windowMs(attempt: 0) == 2000)
        #expect(RetryPolicy.throttle.windowMs(attempt: 8) == 512_000)
        #expect(RetryPolicy.throttle.windowMs(attempt: 9) == 900_000)
        #expect(RetryPolicy.throttle.windowMs(attempt: 1000) == 900_000)
    }

    @Test("every delay lies within 0…window")
    func bounds() {
        var rng = SeededGenerator(state: 1)
        for policy in [RetryPolicy.standard, .throttle, RetryPolicy(baseMs: 7, capMs: 100, multiplier: 3)] {
            for attempt in 0..<40 {
                let window = policy.windowMs(attempt: attempt)
                for _ in 0..<200 {
                    let delay = policy.delayMs(attempt: attempt, random: &rng)
                    #expect(delay >= 0 && delay <= window)
                }
            }
        }
    }

    @Test("delays are spread uniformly over the window (full jitter)")
    func uniform() {
        var rng = SeededGenerator(state: 42)
        let samples = 20_000
        var buckets = [Int](repeating: 0, count: 10)
        var sum = 0
        var low = Int.max, high = Int.min
        for _ in 0..<samples {
            let delay = RetryPolicy.standard.delayMs(attempt: 3, random: &rng)  // window 8000
            sum += delay
            low = min(low, delay)
            high = max(high, delay)
            buckets[min(9, delay / 800)] += 1
        }
        let mean = Double(sum) / Double(samples)
        #expect(abs(mean - 4000) < 120, "mean \(mean)")
        #expect(buckets.allSatisfy { abs($0 - samples / 10) < samples / 50 }, "buckets \(buckets)")
        #expect(low < 50 && high > 7950)
    }

    @Test("the same seed gives the same sequence; another seed a different one")
    func deterministic() {
        func sequence(seed: UInt64) -> [Int] {
            var rng = SeededGenerator(state: seed)
            return (0..<20).map { RetryPolicy.standard.delayMs(attempt: $0, random: &rng) }
        }
        #expect(sequence(seed: 7) == sequence(seed: 7))
        #expect(sequence(seed: 7) != sequence(seed: 8))
    }

    @Test(
        "a server hint is honoured, spread by at most a tenth, and clamped",
        arguments: [
            (600_000, 0, 600_000, 660_000),  // 10 min estimate beats a 1 s backoff window
            (10, 4, 10, 16_000),  // a tiny hint never shortens the backoff's window
            (100_000_000, 0, 3_600_000, 3_960_000),  // a bogus hint is clamped to 1 h
        ])
    func hint(retryAfterMs: Int, attempt: Int, low: Int, high: Int) {
        var rng = SeededGenerator(state: 9)
        var seen = Set<Int>()
        for _ in 0..<500 {
            let delay = RetryPolicy.standard.delayMs(attempt: attempt, retryAfterMs: retryAfterMs, random: &rng)
            #expect(delay >= low && delay <= high)
            seen.insert(delay)
        }
        #expect(seen.count > 50)
    }

    @Test("without a hint the delay is the plain backoff")
    func noHint() {
        var a = SeededGenerator(state: 3), b = SeededGenerator(state: 3)
        for attempt in 0..<10 {
            #expect(
                RetryPolicy.standard.delayMs(attempt: attempt, retryAfterMs: nil, random: &a)
                    == RetryPolicy.standard.delayMs(attempt: attempt, random: &b))
        }
    }
}
