// SPDX-License-Identifier: Apache-2.0

/// Mints random identifiers without Foundation.
public enum RandomID {
    /// A random RFC 4122 version-4 UUID in lowercase text form.
    public static func uuidV4() -> String {
        var g = SystemRandomNumberGenerator()
        var a = g.next() as UInt64
        var b = g.next() as UInt64
        a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000  // version 4
        b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // variant 10
        var out = [UInt8]()
        out.reserveCapacity(36)
        let hex: StaticString = "0123456789abcdef"
        func put(_ v: UInt64, _ nibbles: Int) {
            for i in stride(from: nibbles - 1, through: 0, by: -1) {
                out.append(hex.utf8Start[Int((v >> (UInt64(i) * 4)) & 0xF)])
            }
        }
        put(a >> 32, 8)
        out.append(0x2D)
        put((a >> 16) & 0xFFFF, 4)
        out.append(0x2D)
        put(a & 0xFFFF, 4)
        out.append(0x2D)
        put(b >> 48, 4)
        out.append(0x2D)
        put(b & 0xFFFF_FFFF_FFFF, 12)
        return String(decoding: out, as: UTF8.self)
    }

    /// A random decimal number of 10 digits (the random part of `_fbp`, like the Pixel's).
    public static func fbpRandom() -> String {
        String(UInt64.random(in: 1_000_000_000...2_147_483_647))
    }
}
