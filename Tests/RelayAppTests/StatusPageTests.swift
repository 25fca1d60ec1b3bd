// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `/status` and `/status/events`: who may look, and that they show match keys but never values.
@Suite("Status pages (real binary)")
struct StatusPageTests {
    @Test("without an admin token the status pages answer loopback clients", arguments: ["/status", "/status/events"])
    func loopback(path: String) async throws {
        let gw = try await E2E.main.get()
        let r = try await E2EClient.send(port: gw.port, "GET", path)
        #expect(r.status == 200, "\(r.text)")
        #expect(r.header("Content-Type")?.hasPrefix(path == "/status" ? "text/html" : "application/json") == true)
    }

    @Test(
        "without an admin token the status pages refuse a non-loopback client with 403",
        arguments: ["/status", "/status/events"])
    func nonLoopback(path: String) async throws {
        let gw = try await E2E.main.get()
        let address = try #require(
            Self.nonLoopbackIPv4(), "this machine has no non-loopback IPv4 address to connect from")
        let r = try await E2EClient.send(port: gw.port, "GET", path, address: address)
        #expect(r.status == 403, "\(r.text)")
        #expect(r.json?["error"]?.stringValue?.contains("PIXELRELAY_ADMIN_TOKEN") == true)
        let health = try await E2EClient.send(port: gw.port, "GET", "/healthz", address: address)
        #expect(health.status == 200)
    }

    @Test(
        "without an admin token a request a proxy forwarded from loopback is refused with 403, trusted proxy or not",
        arguments: [
            ("127.0.0.1", "X-Forwarded-For", "203.0.113.9"), ("127.0.0.1", "Forwarded", "for=203.0.113.9"),
            ("127.0.0.2", "X-Forwarded-For", "203.0.113.9"), ("127.0.0.2", "X-Real-IP", "203.0.113.9"),
            ("127.0.0.1", "X-Forwarded-For", "127.0.0.1"), ("127.0.0.1", "Via", "1.1 proxy"),
            ("127.0.0.2", "X-Forwarded-Proto", "https"), ("127.0.0.1", "CF-Connecting-IP", "203.0.113.9"),
        ])
    func proxied(source: String, header: String, value: String) async throws {
        let gw = try await E2E.main.get()
        for path in ["/status", "/status/events"] {
            let r = try await E2EClient.send(port: gw.port, "GET", path, headers: [(header, value)], source: source)
            #expect(r.status == 403, "\(path) \(r.text)")
            #expect(r.json?["error"]?.stringValue?.contains("PIXELRELAY_ADMIN_TOKEN") == true)
        }
        let direct = try await E2EClient.send(port: gw.port, "GET", "/status/events", source: source)
        #expect(direct.status == 200, "\(direct.text)")
    }

    @Test(
        "with PIXELRELAY_ADMIN_TOKEN the status pages need it: 401 without or with a wrong one, 200 with Bearer or Basic",
        arguments: ["/status", "/status/events"])
    func adminToken(path: String) async throws {
        let gw = try await E2E.admin.get()
        let none = try await E2EClient.send(port: gw.port, "GET", path)
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
        #expect(!none.text.contains(E2E.adminToken))
        #expect(
            try await E2EClient.send(port: gw.port, "GET", path, headers: [("Authorization", "Bearer wrong")]).status
                == 401)
        #expect(
            try await E2EClient.send(
                port: gw.port, "GET", path, headers: [("Authorization", "Bearer " + E2E.adminToken)]
            ).status == 200)
        let basic = Data("admin:\(E2E.adminToken)".utf8).base64EncodedString()
        #expect(
            try await E2EClient.send(port: gw.port, "GET", path, headers: [("Authorization", "Basic " + basic)]).status
                == 200)
    }

    @Test("/status/events lists a recent event with its match keys but never the values, hashed or raw")
    func recentEvents() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let email = "status.\(id)@example.org"
        let r = try await E2E.post(
            E2E.event("Lead", id: id, extra: "\"user_data\":{\"em\":\(E2EJSON.quote(email)),\"external_id\":\"u-1\"}"),
            on: gw)
        #expect(r.status == 202)
        let hash = try #require(await gw.dryRun.find(eventID: id)?.event["user_data"]?["em"]?.strings.first)
        let status = try await E2EClient.send(port: gw.port, "GET", "/status/events")
        let events = try #require(status.json?["events"]?.arrayValue)
        let entries = events.filter { $0["event_id"]?.stringValue == id }
        let pixels = Set(entries.compactMap { $0["pixel_id"]?.stringValue })
        #expect(pixels == [E2E.shopPixel, E2E.secondShopPixel], "\(status.text.prefix(500))")
        for entry in entries {
            #expect(entry["event_name"]?.stringValue == "Lead")
            #expect(entry["match_keys"]?.strings == ["em", "external_id", "fbp", "ip", "ua"])
        }
        for secret in [email, hash, E2E.browserUA] {
            #expect(!status.text.contains(secret), "\(secret) leaked into /status/events")
        }
        // /status shows the last dry-run body (hashes, by contract) but never raw values.
        let page = try await E2EClient.send(port: gw.port, "GET", "/status")
        #expect(page.status == 200 && !page.text.contains(email))
    }

    /// The first IPv4 address of a non-loopback interface that is up.
    static func nonLoopbackIPv4() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return nil }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let addr = entry.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET),
                entry.pointee.ifa_flags & UInt32(IFF_LOOPBACK) == 0, entry.pointee.ifa_flags & UInt32(IFF_UP) != 0
            else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                var a = sin.pointee.sin_addr
                _ = inet_ntop(AF_INET, &a, &text, socklen_t(INET_ADDRSTRLEN))
            }
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return nil
    }

    @Test(
        "an event name full of HTML is shown escaped on /status, also where a grapheme cluster hides its < or \"",
        arguments: [
            ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
            // U+0600 is a prepend mark: "\u{0600}<" is one Character, which is not "<".
            ("\u{0600}<img src=x onerror=alert(2)>", "\u{0600}&lt;img src=x onerror=alert(2)&gt;"),
            // A combining acute accent after a quote: one Character, which is not "\"".
            ("x\"\u{0301} onmouseover=alert(3) <u>", "x&quot;\u{0301} onmouseover=alert(3) &lt;u&gt;"),
        ])
    func escapesHTML(name: String, escaped: String) async throws {
        let gw = try await E2E.main.get()
        #expect(try await E2E.post(E2E.event(name), on: gw).status == 202)
        let page = try await E2EClient.send(port: gw.port, "GET", "/status")
        #expect(page.status == 200)
        // On bytes: String.contains compares Characters, and would not see the `<` inside "\u{0600}<".
        #expect(page.body.firstRange(of: Array("<img src=x".utf8)) == nil)
        #expect(page.body.firstRange(of: Array("<u>".utf8)) == nil)
        #expect(page.body.firstRange(of: Array("x\"\u{0301}".utf8)) == nil)
        #expect(page.body.firstRange(of: Array(escaped.utf8)) != nil)
    }
}
