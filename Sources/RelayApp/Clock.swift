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

    /// The UTC calendar year at `ms` and when it ends (the next year's first millisecond).
    static func year(atMs ms: Int64) -> (year: Int, endsAtMs: Int64) {
        var t = time_t(ms / 1000)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var next = tm()
        next.tm_year = tmv.tm_year + 1
        next.tm_mon = 0
        next.tm_mday = 1
        return (Int(tmv.tm_year) + 1900, Int64(timegm(&next)) * 1000)
    }
}
