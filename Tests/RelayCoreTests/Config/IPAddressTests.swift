// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

@Suite struct IPAddressTests {
    @Test(
        "Valid addresses parse and print in canonical (RFC 5952) form",
        arguments: [
            ("192.0.2.1", "192.0.2.1"),
            ("0.0.0.0", "0.0.0.0"),
            ("255.255.255.255", "255.255.255.255"),
            ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("2001:DB8::1", "2001:db8::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),  // equal runs: the first is compressed
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),  // the longest run is compressed
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // a single zero group is not
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
            ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
            ("fe80::0001:0:0:0:1", "fe80:0:0:1::1"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
            ("::FFFF:c000:0201", "::ffff:192.0.2.1"),
            ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
            ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ])
    func canonicalForm(input: String, canonical: String) throws {
        let ip = try #require(IPAddress(input))
        #expect(ip.description == canonical)
        #expect(IPAddress(canonical) == ip)
    }

    @Test(
        "Malformed addresses are rejected",
        arguments: [
            "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "1..2.3",
            "1.2.3.4.", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":1::", "1:", ":", ":::", "::1%eth0", "[::1]",
            "g::1", "1.2.3.4::", "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:7:8::", "::1.2.3", "1.2.3.4:80",
            "localhost",
        ])
    func rejectsMalformed(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test("IPv4-mapped IPv6 unmaps to the IPv4 address and other addresses stay as they are")
    func mapped() throws {
        let mapped = try #require(IPAddress("::ffff:10.1.2.3"))
        #expect(mapped.isIPv4Mapped)
        #expect(mapped.unmapped == IPAddress("10.1.2.3"))
        let plain = try #require(IPAddress("2001:db8::1"))
        #expect(!plain.isIPv4Mapped)
        #expect(plain.unmapped == plain)
        #expect(IPAddress("10.1.2.3")?.unmapped == IPAddress("10.1.2.3"))
    }

    @Test(
        "Loopback is recognised for IPv4, IPv6 and mapped addresses",
        arguments: [
            ("127.0.0.1", true), ("127.9.9.9", true), ("::1", true), ("::ffff:127.0.0.1", true),
            ("128.0.0.1", false), ("::2", false), ("10.0.0.1", false),
        ])
    func loopback(input: String, expected: Bool) {
        #expect(IPAddress(input)?.isLoopback == expected)
    }

    @Test("Sixteen network-order bytes build the same address as its text")
    func fromBytes() {
        let bytes: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]
        #expect(IPAddress(ipv6Bytes: bytes) == IPAddress("2001:db8::1"))
        #expect(IPAddress.v4(0xC000_0201) == IPAddress("192.0.2.1"))
    }
}
