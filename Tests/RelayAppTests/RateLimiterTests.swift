// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayApp

/// S4's token bucket, on an injected clock.
@Suite struct RateLimiterTests {
    @Test("a client gets its burst at once, then its rate; other clients are not affected")
    func burstThenRate() {
        let limiter = RateLimiter(perSecond: 10, burst: 3)
        let t: Int64 = 1_764_412_800_000
        #expect((0..<4).map { _ in limiter.allow("a", nowMs: t) } == [true, true, true, false])
        #expect(limiter.allow("b", nowMs: t))
        #expect(!limiter.allow("a", nowMs: t + 50))
        #expect(limiter.allow("a", nowMs: t + 100))  // 10 per second: one token per 100 ms
        #expect(!limiter.allow("a", nowMs: t + 100))
    }

    @Test("a wall clock that steps back an hour neither drains the buckets nor refills them")
    func clockStepsBack() {
        let limiter = RateLimiter(perSecond: 10, burst: 3)
        let t: Int64 = 1_764_412_800_000
        #expect(limiter.allow("a", nowMs: t))
        let back = t - 3_600_000
        #expect(limiter.allow("a", nowMs: back))
        #expect(limiter.allow("a", nowMs: back))
        #expect(!limiter.allow("a", nowMs: back))
        #expect(limiter.allow("a", nowMs: back + 100))
    }

    @Test("a disabled limiter allows everything")
    func disabled() {
        let limiter = RateLimiter(perSecond: 0, burst: 1)
        #expect((0..<100).allSatisfy { _ in limiter.allow("a", nowMs: 0) })
    }

    @Test("past maxClients buckets the stalest half is evicted, so memory stays bounded")
    func bounded() {
        let limiter = RateLimiter(perSecond: 1, burst: 1, maxClients: 10)
        for i in 0..<1_000 { _ = limiter.allow("c\(i)", nowMs: Int64(i)) }
        #expect(limiter.bucketCount <= 10)
        #expect(!limiter.allow("c999", nowMs: 999), "the newest clients keep their buckets")
    }
}
