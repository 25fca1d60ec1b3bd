// SPDX-License-Identifier: Apache-2.0

import CCRC32C

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the CPU instruction when there is one
/// (x86-64 SSE4.2, AArch64 CRC), else slice-by-8 tables.
///
/// Used to frame queue records: it detects torn writes and bit rot. Every record is checksummed when
/// appended and again when read, so on the beacon path the instruction (~8 bytes per cycle) matters;
/// slice-by-8 (eight table look-ups per eight bytes) keeps other CPUs reasonable.
enum CRC32C {
    /// Whether this CPU has the instruction.
    static let hardware = pr_crc32c_hardware() != 0

    /// Eight 256-entry tables laid out back to back (table k at `k * 256`).
    static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    /// Continues `crc` (the checksum of the bytes so far; 0 to start) over `bytes`.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard hardware, let base = bytes.baseAddress else { return updateWithTables(crc, bytes) }
        return ~pr_crc32c_update(~crc, base, bytes.count)
    }

    /// `update` without the instruction (also the reference the tests compare it with).
    static func updateWithTables(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~crc
        guard var p = bytes.baseAddress, !bytes.isEmpty else { return crc }
        var n = bytes.count
        table.withUnsafeBufferPointer { t in
            while n >= 8 {
                let lo = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ c
                let hi = UInt32(littleEndian: (p + 4).loadUnaligned(as: UInt32.self))
                c =
                    t[7 &* 256 &+ Int(lo & 0xFF)] ^ t[6 &* 256 &+ Int((lo >> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((lo >> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(lo >> 24)]
                    ^ t[3 &* 256 &+ Int(hi & 0xFF)] ^ t[2 &* 256 &+ Int((hi >> 8) & 0xFF)]
                    ^ t[1 &* 256 &+ Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
                n &-= 8
            }
            while n > 0 {
                c = (c >> 8) ^ t[Int((c ^ UInt32(p.load(as: UInt8.self))) & 0xFF)]
                p += 1
                n &-= 1
            }
        }
        return ~c
    }

    /// The checksum of `bytes`.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let array = Array(bytes)
        return array.withUnsafeBytes { update(0, $0) }
    }
}
