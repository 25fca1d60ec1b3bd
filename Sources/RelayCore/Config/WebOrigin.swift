// SPDX-License-Identifier: Apache-2.0

/// A web origin `scheme://host[:port]` (RFC 6454) with `http` or `https`, normalised: lowercase,
/// default port (80 / 443) dropped, IPv6 hosts in brackets.
public struct WebOrigin: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public let scheme: String
    /// Lowercase host name or IP literal (IPv6 without brackets).
    public let host: String
    /// The port when it is not the scheme's default.
    public let port: Int?

    /// Parses an origin such as an `Origin` header value; nil for anything else (paths, `null`, other schemes).
    ///
    /// - Parameter text: e.g. `"https://shop.example.com"` or `"http://localhost:3000"`.
    public init?(_ text: some StringProtocol) {
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") {
            scheme = "https"
        } else if lower.hasPrefix("http://") {
            scheme = "http"
        } else {
            return nil
        }
        let rest = lower.dropFirst(scheme.count + 3)
        guard !rest.isEmpty, !rest.contains(where: { "/?#@\\ ".contains($0) }) else { return nil }
        var hostPart = Substring(rest)
        var portPart: Substring? = nil
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
            guard case .v6? = IPAddress(hostPart) else { return nil }
        } else {
            if let colon = rest.firstIndex(of: ":") {
                hostPart = rest[..<colon]
                portPart = rest[rest.index(after: colon)...]
            }
            guard HostNameSyntax.isValid(hostPart) else { return nil }
        }
        var port: Int? = nil
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let p = Int(portPart), (1...65_535).contains(p)
            else { return nil }
            port = (scheme == "https" && p == 443) || (scheme == "http" && p == 80) ? nil : p
        }
        self.scheme = scheme
        self.host = String(hostPart)
        self.port = port
    }

    /// The normalised text, e.g. `https://shop.example.com` or `http://[::1]:8080`.
    public var description: String {
        let h = host.contains(":") ? "[" + host + "]" : host
        return port.map { "\(scheme)://\(h):\($0)" } ?? "\(scheme)://\(h)"
    }
}

extension SiteConfig {
    /// Whether a browser at `origin` may post beacons to this site (the rule in the type's documentation).
    ///
    /// - Parameter origin: the `Origin` request header value.
    public func allowsOrigin(_ origin: String) -> Bool {
        if allowAnyOrigin { return true }
        // Browsers send origins already normalised: an exact match needs no parsing (runs per beacon).
        if allowedOrigins.contains(where: { $0.utf8.elementsEqual(origin.utf8) }) { return true }
        guard let parsed = WebOrigin(origin) else { return false }
        if !allowedOrigins.isEmpty { return allowedOrigins.contains(parsed.description) }
        return parsed.port == nil && domains.contains(parsed.host)
    }
}

/// Host name syntax (RFC 1123 labels), shared by the config checks.
enum HostNameSyntax {
    /// Letters, digits and inner hyphens per label, labels of 1…63, at most 253 in all; no trailing dot.
    static func isValid(_ name: some StringProtocol) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            for c in label.utf8 {
                let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D
                if !ok { return false }
            }
        }
        return true
    }
}
