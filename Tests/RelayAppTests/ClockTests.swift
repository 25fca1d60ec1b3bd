// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayApp

/// The UTC year the `db` rule accepts birth years up to, and when the ingest path must remake its processor.
@Suite struct ClockTests {
    @Test("year(atMs:) gives the UTC year and the first millisecond of the next one")
    func yearBoundaries() {
        let jan2027: Int64 = 1_798_761_600_000  // 2027-01-01T00:00:00Z
        #expect(Clock.year(atMs: 1_764_412_800_000) == (2025, 1_767_225_600_000))  // 2025-11-29
        #expect(Clock.year(atMs: jan2027 - 1) == (2026, jan2027))
        #expect(Clock.year(atMs: jan2027).year == 2027)
        #expect(Clock.year(atMs: 951_782_400_000).year == 2000)  // 2000-02-29, a leap day
    }
}
