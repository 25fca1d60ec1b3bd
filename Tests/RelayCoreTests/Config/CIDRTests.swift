// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

@Suite struct CIDRTests {
    @Test(
        "Blocks and bare addresses parse to a canonical network/prefix",
        arguments: [
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("10.1.2.3/8", "10.0.0.0/8"),  // host bits are cleared
            ("127.0.0.1", "127.0.0.1/32"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("::1", "::1/128"),
            ("::1/128", "::1/128"),
            ("2001:DB8::/32", "2001:db8::/32"),
            ("2001:db8:ffff::1/48", "2001:db8:ffff::/48"),
            ("::/0", "::/0"),
            ("::ffff:0:0/96", "::ffff:0.0.0.0/96"),
            ("fe80::/10", "fe80::/10"),
            ("2001:db8::1/65", "2001:db8::/65"),
        ])
    func parses(input: String, canonical: String) throws {
        let block = try #require(CIDR(input))
        #expect(block.description == canonical)
    }

    @Test(
        "Malformed blocks are rejected",
        arguments: [
            "", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/+8", "10.0.0.0/-1", "10.0.0.0/8/9",
            "10.0.0.0/ 8", "10.0.0/8", "10.0.0.0/0x8", "garbage",
        ])
    func rejects(input: String) {
        #expect(CIDR(input) == nil)
    }

    @Test(
        "Containment covers IPv4, IPv6, mapped addresses and the /0 and host-route edges",
        arguments: [
            ("10.0.0.0/8", "10.255.255.255", true),
            ("10.0.0.0/8", "11.0.0.0", false),
            ("10.0.0.0/8", "::ffff:10.9.8.7", true),
            ("10.0.0.0/8", "::ffff:11.9.8.7", false),
            ("10.0.0.0/8", "2001:db8::1", false),
            ("192.168.1.0/24", "192.168.1.77", true),
            ("192.168.1.0/24", "192.168.2.1", false),
            ("127.0.0.1/32", "127.0.0.1", true),
            ("127.0.0.1/32", "127.0.0.2", false),
            ("0.0.0.0/0", "203.0.113.9", true),
            ("0.0.0.0/0", "2001:db8::1", false),
            ("::/0", "2001:db8::1", true),
            ("::/0", "192.0.2.1", true),  // every IPv4 peer has a mapped IPv6 form
            ("::1/128", "::1", true),
            ("::1/128", "::2", false),
            ("2001:db8::/32", "2001:db8:ffff::1", true),
            ("2001:db8::/32", "2001:db9::1", false),
            ("2001:db8::/65", "2001:db8::7fff:ffff:ffff:ffff", true),
            ("2001:db8::/65", "2001:db8::8000:0:0:0", false),
            ("::ffff:0:0/96", "198.51.100.4", true),
            ("::ffff:0:0/96", "::1", false),
        ])
    func contains(block: String, address: String, expected: Bool) throws {
        let cidr = try #require(CIDR(block))
        let ip = try #require(IPAddress(address))
        #expect(cidr.contains(ip) == expected)
    }

    @Test("The default trusted proxies are exactly the loopback host routes")
    func defaultTrustedProxies() {
        let server = ServerConfig()
        #expect(server.trustedProxies.map(\.description) == ["127.0.0.1/32", "::1/128"])
        #expect(server.isTrustedProxy(IPAddress("127.0.0.1")!))
        #expect(server.isTrustedProxy(IPAddress("::ffff:127.0.0.1")!))
        #expect(!server.isTrustedProxy(IPAddress("10.0.0.1")!))
    }
}
