// SPDX-License-Identifier: Apache-2.0

/// Exponential backoff with full jitter (reliability.md F1/F2).
///
/// The delay before retry number `attempt` (0 for the first retry) is uniform in
/// `0...min(capMs, baseMs · multiplier^attempt)`: spreading retries over the whole window keeps
/// many pixels (or instances) from retrying in lock-step when Meta comes back.
public struct RetryPolicy: Sendable, Equatable {
    /// The window of the first retry.
    public var baseMs: Int
    /// The largest window.
    public var capMs: Int
    /// Growth of the window per attempt.
    public var multiplier: Int
    /// Server hints (`retryAfterMs`) longer than this are clamped, so a bogus header cannot park a
    /// pixel for days.
    public var maxRetryAfterMs: Int

    /// - Parameters:
    ///   - baseMs: first window (default 1 s).
    ///   - capMs: largest window (default 30 s).
    ///   - multiplier: window growth per attempt (default 2).
    ///   - maxRetryAfterMs: ceiling for server hints (default 1 h).
    public init(baseMs: Int = 1000, capMs: Int = 30_000, multiplier: Int = 2, maxRetryAfterMs: Int = 3_600_000) {
        self.baseMs = max(1, baseMs)
        self.capMs = max(self.baseMs, capMs)
        self.multiplier = max(1, multiplier)
        self.maxRetryAfterMs = max(0, maxRetryAfterMs)
    }

    /// Upstream down (5xx, timeouts, refused, resets): 1 s doubling to 30 s.
    public static let standard = RetryPolicy()
    /// Throttling (429, Graph rate-limit codes): 2 s doubling to 15 min.
    public static let throttle = RetryPolicy(baseMs: 2000, capMs: 15 * 60_000)

    /// The upper end of the jitter window for `attempt` (saturating; never above `capMs`).
    public func windowMs(attempt: Int) -> Int {
        var window = baseMs
        for _ in 0..<max(0, attempt) {
            let (next, overflow) = window.multipliedReportingOverflow(by: multiplier)
            if overflow || next >= capMs { return capMs }
            window = next
        }
        return min(window, capMs)
    }

    /// A random delay in `0...windowMs(attempt:)`.
    ///
    /// - Parameters:
    ///   - attempt: 0 for the first retry, then 1, 2, …
    ///   - random: the generator (inject a seeded one in tests).
    public func delayMs(attempt: Int, random: inout some RandomNumberGenerator) -> Int {
        Int.random(in: 0...windowMs(attempt: attempt), using: &random)
    }

    /// Like `delayMs(attempt:random:)`, but never earlier than the server's hint: with a hint `h`
    /// (clamped to `maxRetryAfterMs`) the delay is `max(h + uniform(0…h/10), backoff)`, the small
    /// spread keeping everyone told "come back in 10 minutes" from returning in the same second.
    ///
    /// - Parameters:
    ///   - attempt: 0 for the first retry, then 1, 2, …
    ///   - retryAfterMs: `GraphOutcome.retry`'s hint, or nil.
    ///   - random: the generator.
    public func delayMs(attempt: Int, retryAfterMs: Int?, random: inout some RandomNumberGenerator) -> Int {
        let backoff = delayMs(attempt: attempt, random: &random)
        guard let retryAfterMs, retryAfterMs > 0 else { return backoff }
        let hint = min(retryAfterMs, maxRetryAfterMs)
        return max(hint + Int.random(in: 0...hint / 10, using: &random), backoff)
    }
}
