// SPDX-License-Identifier: Apache-2.0

/// Finds the client's address behind trusted proxies, like nginx's `real_ip_recursive on`.
public struct ClientAddressResolver: Sendable {
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers are believed.
    public let trustedProxies: [CIDR]
    /// Which header carries the chain (``ServerConfig/ClientIPHeader``).
    public let header: ServerConfig.ClientIPHeader

    public init(trustedProxies: [CIDR], header: ServerConfig.ClientIPHeader = .auto) {
        self.trustedProxies = trustedProxies
        self.header = header
    }

    /// The client address as canonical text.
    /// - Parameters:
    ///   - peer: the socket's peer address.
    ///   - forwardedFor: every `X-Forwarded-For` value in order.
    ///   - forwarded: every `Forwarded` value in order (with `auto`, used when there is no `X-Forwarded-For`).
    /// - Returns: canonical text; an IPv4-mapped IPv6 address is given as IPv4, like a socket peer's.
    public func resolve(peer: String, forwardedFor: [String], forwarded: [String]) -> String {
        guard let peerAddress = IPAddress(peer) else { return peer }
        guard isTrusted(peerAddress) else { return peerAddress.unmapped.description }
        let useForwardedFor: Bool
        switch header {
        case .auto: useForwardedFor = !forwardedFor.isEmpty
        case .xForwardedFor: useForwardedFor = true
        case .forwarded: useForwardedFor = false
        }
        // On bytes, not Characters: a client's value ending in a prepend mark (U+0600) would join the
        // comma the proxy appends after it into one grapheme cluster, hiding the proxy's own element.
        var chain: [ArraySlice<UInt8>] = []
        if useForwardedFor {
            for header in forwardedFor { chain.append(contentsOf: Array(header.utf8).split(separator: Self.comma)) }
        } else {
            for header in forwarded {
                for element in Array(header.utf8).split(separator: Self.comma) {
                    for pair in element.split(separator: Self.semicolon) {
                        let p = Self.trimmed(pair)
                        if p.count > 4, Self.isForPrefix(p) { chain.append(p.dropFirst(4)) }
                    }
                }
            }
        }
        var candidate = peerAddress
        for raw in chain.reversed() {
            guard let address = Self.address(raw) else { break }  // garbage: stop at the last good hop
            candidate = address
            if !isTrusted(address) { break }
        }
        return candidate.unmapped.description
    }

    func isTrusted(_ a: IPAddress) -> Bool {
        for c in trustedProxies where c.contains(a) { return true }
        return false
    }

    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")

    /// Without leading and trailing spaces and tabs.
    static func trimmed(_ b: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = b
        while let f = s.first, f == 0x20 || f == 0x09 { s.removeFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s.removeLast() }
        return s
    }

    /// `for=` in any case (RFC 7239 parameter names are case-insensitive).
    static func isForPrefix(_ p: ArraySlice<UInt8>) -> Bool {
        let i = p.startIndex
        return p[i] | 0x20 == UInt8(ascii: "f") && p[i + 1] | 0x20 == UInt8(ascii: "o")
            && p[i + 2] | 0x20 == UInt8(ascii: "r") && p[i + 3] == UInt8(ascii: "=")
    }

    /// The address in one chain element: quotes, brackets and a port removed (`"[2001:db8::1]:4711"` →
    /// `2001:db8::1`, `1.2.3.4:80` → `1.2.3.4`); nil when what is left is not an address.
    static func address(_ raw: ArraySlice<UInt8>) -> IPAddress? {
        var s = trimmed(raw)
        if s.count >= 2, s.first == UInt8(ascii: "\""), s.last == UInt8(ascii: "\"") { s = s.dropFirst().dropLast() }
        if s.first == UInt8(ascii: "[") {
            if let close = s.firstIndex(of: UInt8(ascii: "]")) { s = s[(s.startIndex + 1)..<close] }
        } else if let colon = s.firstIndex(of: UInt8(ascii: ":")),
            s[(colon + 1)...].firstIndex(of: UInt8(ascii: ":")) == nil
        {
            s = s[..<colon]  // one colon: IPv4 with a port; more: bare IPv6
        }
        return s.withUnsafeBufferPointer { IPAddress(utf8: $0) }
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    public func trimmingSpacesSub() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
