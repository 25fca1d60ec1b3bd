// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock helpers (no Foundation `Date` on the hot path).
enum Clock {
    /// Unix time in milliseconds.
    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func currentYear() -> Int {
        var t = time(nil)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return Int(tmv.tm_year) + 1900
    }
}
