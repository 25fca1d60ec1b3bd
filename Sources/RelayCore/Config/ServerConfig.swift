// SPDX-License-Identifier: Apache-2.0

/// The HTTP listener and its protective limits (`"server"` in the config file).
public struct ServerConfig: Sendable, Equatable {
    /// Per-client-IP token bucket (`"rate_limit"`); `perSecond == 0` turns it off.
    public struct RateLimit: Sendable, Equatable {
        /// Sustained requests per second per client IP; default 50; 0 = no limit.
        public var perSecond: Int
        /// Bucket size: requests a client may send in a burst; default 200.
        public var burst: Int

        /// A rate limit; defaults 50 per second, burst 200.
        public init(perSecond: Int = 50, burst: Int = 200) {
            self.perSecond = perSecond
            self.burst = burst
        }

        /// True when requests are limited.
        public var isEnabled: Bool { perSecond > 0 }
    }

    /// Which forwarding header a trusted proxy's client address is read from (`"client_ip_header"`).
    public enum ClientIPHeader: String, Sendable, Equatable, CaseIterable {
        /// `X-Forwarded-For` when the request has one, else `Forwarded` (the default).
        case auto
        /// Only `X-Forwarded-For`: what nginx, HAProxy `forwardfor`, cloud load balancers and CDNs write.
        case xForwardedFor = "x-forwarded-for"
        /// Only `Forwarded` (RFC 7239), for a proxy that writes it and passes `X-Forwarded-For` through.
        case forwarded
    }

    /// Address to bind; default `"0.0.0.0"`. An IP literal or a host name such as `localhost`.
    public var host: String
    /// TCP port; default 8080; 0 lets the OS pick one (tests).
    public var port: Int
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed; default `127.0.0.1/32`, `::1/128`.
    public var trustedProxies: [CIDR]
    /// Largest accepted request body; default 65,536 bytes. Larger → `413`.
    public var maxBodyBytes: Int
    /// Path of the beacon endpoint; default `"/events"`.
    public var eventsPath: String
    /// Open connections beyond which new ones are refused; default 10,000.
    public var maxConnections: Int
    /// Time allowed to receive a request's header section; default 10,000 ms.
    public var headerTimeoutMs: Int
    /// Keep-alive idle timeout; default 60,000 ms.
    public var idleTimeoutMs: Int
    /// Minimum body upload rate before a slow client is cut off; default 1,024 bytes/s; 0 = off.
    public var minBodyBytesPerSecond: Int
    /// Per-client-IP rate limit; default 50/s, burst 200.
    public var rateLimit: RateLimit
    /// Where the client address comes from behind a trusted proxy; default ``ClientIPHeader/auto``. Name the
    /// header the proxy writes: with `auto`, a proxy that writes only `Forwarded` but passes a client's own
    /// `X-Forwarded-For` through lets the client choose its address.
    public var clientIPHeader: ClientIPHeader = .auto

    /// The default trusted proxies: loopback only.
    public static let defaultTrustedProxies: [CIDR] = [CIDR("127.0.0.1/32")!, CIDR("::1/128")!]

    /// A server configuration; every argument defaults to the built-in value.
    public init(
        host: String = "0.0.0.0", port: Int = 8080, trustedProxies: [CIDR] = ServerConfig.defaultTrustedProxies,
        maxBodyBytes: Int = 65_536, eventsPath: String = "/events", maxConnections: Int = 10_000,
        headerTimeoutMs: Int = 10_000, idleTimeoutMs: Int = 60_000, minBodyBytesPerSecond: Int = 1_024,
        rateLimit: RateLimit = .init()
    ) {
        self.host = host
        self.port = port
        self.trustedProxies = trustedProxies
        self.maxBodyBytes = maxBodyBytes
        self.eventsPath = eventsPath
        self.maxConnections = maxConnections
        self.headerTimeoutMs = headerTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.minBodyBytesPerSecond = minBodyBytesPerSecond
        self.rateLimit = rateLimit
    }

    /// Whether `peer` is a trusted proxy (its forwarding headers are believed).
    ///
    /// - Parameter peer: the socket peer or an address taken from `X-Forwarded-For`.
    public func isTrustedProxy(_ peer: IPAddress) -> Bool {
        for block in trustedProxies where block.contains(peer) { return true }
        return false
    }
}
