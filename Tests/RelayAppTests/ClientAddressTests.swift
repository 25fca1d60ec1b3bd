// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

/// `client_ip_address` / `client_user_agent` on the forwarded event (interface.md §3, §4): the socket's
/// peer, proxies believed only when trusted (the main gateway trusts `127.0.0.1/32` alone), and an ingest
/// key as the only way to supply them in the body.
@Suite("Client address and user agent (real binary)")
struct ClientAddressTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var source: String?
        var headers: [(String, String)]
        var expected: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "socket peer without proxy headers", source: nil, headers: [], expected: "127.0.0.1"),
        Case(
            label: "trusted peer, one X-Forwarded-For hop", source: nil, headers: [("X-Forwarded-For", "203.0.113.9")],
            expected: "203.0.113.9"),
        Case(
            label: "right-most untrusted hop", source: nil,
            headers: [("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 127.0.0.1")],
            expected: "203.0.113.9"),
        Case(
            label: "two X-Forwarded-For fields read as one list", source: nil,
            headers: [("X-Forwarded-For", "198.51.100.1"), ("X-Forwarded-For", "203.0.113.10")],
            expected: "203.0.113.10"),
        Case(
            label: "IPv4 port stripped", source: nil, headers: [("X-Forwarded-For", "203.0.113.9:4711")],
            expected: "203.0.113.9"),
        Case(
            label: "IPv6 kept as IPv6", source: nil, headers: [("X-Forwarded-For", "2001:db8::1")],
            expected: "2001:db8::1"),
        Case(
            label: "Forwarded with a bracketed IPv6 and a port", source: nil,
            headers: [("Forwarded", "for=\"[2001:db8::2]:4711\";proto=https")],
            expected: "2001:db8::2"),
        Case(
            label: "Forwarded, right-most untrusted element", source: nil,
            headers: [("Forwarded", "for=198.51.100.7, for=192.0.2.60;proto=http")], expected: "192.0.2.60"),
        Case(
            label: "untrusted peer: X-Forwarded-For ignored", source: "127.0.0.2",
            headers: [("X-Forwarded-For", "203.0.113.9")], expected: "127.0.0.2"),
        Case(
            label: "untrusted peer: Forwarded ignored", source: "127.0.0.2",
            headers: [("Forwarded", "for=203.0.113.9")], expected: "127.0.0.2"),
    ]

    @Test(
        "client_ip_address is the socket peer, or the right-most untrusted forwarded hop behind a trusted proxy",
        arguments: cases)
    func clientIP(_ c: Case) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let r = try await E2E.post(
            E2E.event(id: id), headers: E2E.browserHeaders() + c.headers, source: c.source, on: gw)
        #expect(r.status == 202, "\(r.text)")
        #expect(await gw.dryRun.find(eventID: id)?.event["user_data"]?["client_ip_address"]?.stringValue == c.expected)
    }

    @Test(
        "only a request with a valid ingest key may set client_ip_address and client_user_agent in the body",
        arguments: [true, false])
    func ingestKey(withKey: Bool) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let user =
            "\"user_data\":{\"client_ip_address\":\"198.51.100.77\",\"client_user_agent\":\"ServerSide/1.0 (backend)\"}"
        var headers: [(String, String)] = [("User-Agent", E2E.browserUA), ("Content-Type", "application/json")]
        if withKey {
            headers.append(("Authorization", "Bearer \(E2E.ingestKey)"))
        } else {
            headers.append(("Origin", E2E.shopOrigin))
        }
        let r = try await E2E.post(E2E.event(id: id, extra: user), headers: headers, on: gw)
        #expect(r.status == 202, "\(r.text)")
        let userData = try #require(await gw.dryRun.find(eventID: id)?.event["user_data"])
        #expect(userData["client_ip_address"]?.stringValue == (withKey ? "198.51.100.77" : "127.0.0.1"))
        #expect(userData["client_user_agent"]?.stringValue == (withKey ? "ServerSide/1.0 (backend)" : E2E.browserUA))
    }

    @Test("an unknown bearer key is refused with 403 and nothing is recorded")
    func unknownKey() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let r = try await E2E.post(
            E2E.event(id: id), headers: [("User-Agent", E2E.browserUA), ("Authorization", "Bearer not-a-key")], on: gw)
        #expect(r.status == 403, "\(r.text)")
        #expect(r.json?["error"]?.stringValue != nil)
        #expect(!r.text.contains("not-a-key"), "the refused key is echoed")
        let marker = E2EJSON.uniqueID()
        _ = try await E2E.post(E2E.event(id: marker), on: gw)
        #expect(await gw.dryRun.find(eventID: marker) != nil)
        #expect(!gw.dryRun.mentions(id))
    }
}
