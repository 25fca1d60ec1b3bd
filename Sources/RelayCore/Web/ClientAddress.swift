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
        var chain: [Substring] = []
        let useForwardedFor: Bool
        switch header {
        case .auto: useForwardedFor = !forwardedFor.isEmpty
        case .xForwardedFor: useForwardedFor = true
        case .forwarded: useForwardedFor = false
        }
        if useForwardedFor {
            for header in forwardedFor { chain.append(contentsOf: header.split(separator: ",")) }
        } else {
            for header in forwarded {
                for element in header.split(separator: ",") {
                    for pair in element.split(separator: ";") {
                        let p = pair.trimmingSpacesSub()
                        if p.count > 4, p.prefix(4).lowercased() == "for=" { chain.append(p.dropFirst(4)) }
                    }
                }
            }
        }
        var candidate = peerAddress
        for raw in chain.reversed() {
            guard let address = IPAddress(Self.stripPort(raw)) else { break }  // garbage: stop at the last good hop
            candidate = address
            if !isTrusted(address) { break }
        }
        return candidate.unmapped.description
    }

    func isTrusted(_ a: IPAddress) -> Bool {
        for c in trustedProxies where c.contains(a) { return true }
        return false
    }

    /// Removes quotes, brackets and a port: `"[2001:db8::1]:4711"` → `2001:db8::1`, `1.2.3.4:80` → `1.2.3.4`.
    static func stripPort(_ raw: Substring) -> String {
        var s = raw.trimmingSpacesSub()
        if s.hasPrefix("\""), s.hasSuffix("\""), s.count >= 2 { s = s.dropFirst().dropLast() }
        if s.hasPrefix("[") {
            if let close = s.firstIndex(of: "]") { return String(s[s.index(after: s.startIndex)..<close]) }
            return String(s)
        }
        // One colon = IPv4 with a port; more = bare IPv6.
        if let colon = s.firstIndex(of: ":"), s[s.index(after: colon)...].firstIndex(of: ":") == nil {
            return String(s[..<colon])
        }
        return String(s)
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
