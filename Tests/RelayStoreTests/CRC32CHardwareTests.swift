// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayStore

/// The CPU-instruction CRC must equal the table-driven one (which the check values pin down).
@Suite struct CRC32CHardwareTests {
    @Test(
        "the dispatching update equals the tables for lengths 0–40 and around 64, 512, 1024, 2048 at offsets 0, 1, 3, 7",
        .enabled(if: CRC32C.hardware, "without SSE4.2 the tables are the only path"), arguments: [0, 1, 3, 7])
    func agreesWithTables(offset: Int) {
        var rng = SystemRandomNumberGenerator()
        let buffer = (0..<2100).map { _ in UInt8.random(in: 0...255, using: &rng) }
        buffer.withUnsafeBytes { raw in
            for length in Array(0...40) + [63, 64, 65, 511, 1024, 2047] {
                let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                for seed: UInt32 in [0, 0xDEAD_BEEF] {
                    #expect(CRC32C.update(seed, slice) == CRC32C.updateWithTables(seed, slice), "length \(length)")
                }
            }
        }
    }
}
