// SPDX-License-Identifier: Apache-2.0

/// An address block such as `10.0.0.0/8` or `::1/128`, used for trusted proxies.
///
/// Parsing accepts a bare address as a host route (`/32` or `/128`). Host bits after the prefix are
/// cleared (`10.0.0.1/8` is `10.0.0.0/8`), as nginx does (the config loader reports them as a
/// likely typo). IPv4 blocks also contain the IPv4-mapped form of their addresses
/// (`::ffff:10.1.2.3`), because a dual-stack socket reports IPv4 peers that way.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The network address (host bits cleared).
    public let address: IPAddress
    /// The prefix length: 0…32 for IPv4, 0…128 for IPv6.
    public let prefixLength: Int

    /// A block from an address and a prefix length; host bits are cleared.
    ///
    /// - Parameters:
    ///   - address: any address inside the block.
    ///   - prefixLength: 0…32 for IPv4, 0…128 for IPv6; nil when out of range.
    public init?(address: IPAddress, prefixLength: Int) {
        switch address {
        case .v4(let a):
            guard (0...32).contains(prefixLength) else { return nil }
            self.address = .v4(a & CIDR.mask32(prefixLength))
        case .v6(let high, let low):
            guard (0...128).contains(prefixLength) else { return nil }
            let (mh, ml) = CIDR.mask128(prefixLength)
            self.address = .v6(high: high & mh, low: low & ml)
        }
        self.prefixLength = prefixLength
    }

    /// Parses `address/prefix` or a bare address.
    ///
    /// - Parameter text: e.g. `"10.0.0.0/8"`, `"2001:db8::/32"`, `"127.0.0.1"`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        var prefix: Int
        switch address {
        case .v4: prefix = 32
        case .v6: prefix = 128
        }
        if parts.count == 2 {
            let digits = parts[1]
            // Digits only: Int("+8") would succeed, and a prefix has no sign.
            guard !digits.isEmpty, digits.count <= 3, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let p = Int(digits)
            else { return nil }
            prefix = p
        }
        self.init(address: address, prefixLength: prefix)
    }

    /// Whether `ip` lies inside this block (IPv4 blocks match IPv4-mapped IPv6 addresses too).
    ///
    /// - Parameter ip: the address to test.
    public func contains(_ ip: IPAddress) -> Bool {
        switch (address, ip.unmapped) {
        case (.v4(let network), .v4(let a)):
            return a & CIDR.mask32(prefixLength) == network
        case (.v6(let nh, let nl), .v4(let a)):
            // An IPv6 block such as ::ffff:0:0/96 can hold IPv4 peers in their mapped form.
            let (mh, ml) = CIDR.mask128(prefixLength)
            return 0 & mh == nh && (0xFFFF_0000_0000 | UInt64(a)) & ml == nl
        case (.v6(let nh, let nl), .v6(let h, let l)):
            let (mh, ml) = CIDR.mask128(prefixLength)
            return h & mh == nh && l & ml == nl
        case (.v4, .v6):
            return false
        }
    }

    /// `network/prefix` in canonical form.
    public var description: String { "\(address)/\(prefixLength)" }

    private static func mask32(_ prefix: Int) -> UInt32 {
        prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix)
    }

    private static func mask128(_ prefix: Int) -> (UInt64, UInt64) {
        if prefix <= 64 {
            return (prefix == 0 ? 0 : UInt64.max << UInt64(64 - prefix), 0)
        }
        return (UInt64.max, prefix == 128 ? UInt64.max : UInt64.max << UInt64(128 - prefix))
    }
}
