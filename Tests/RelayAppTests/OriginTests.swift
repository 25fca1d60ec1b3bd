// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

/// S3 over the wire: allowed origins get CORS headers, others get `403` and nothing is queued.
@Suite("Origins and CORS (real binary)")
struct OriginTests {
    @Test("a beacon from an allowed origin is answered 202 with Access-Control-Allow-Origin and Vary: Origin")
    func allowed() async throws {
        let gw = try await E2E.main.get()
        let r = try await E2E.post(E2E.event(), on: gw)
        #expect(r.status == 202, "\(r.text)")
        #expect(r.header("Access-Control-Allow-Origin") == E2E.shopOrigin)
        #expect(r.headers("Vary").contains("Origin"))
    }

    static let refusedOrigins = [
        "https://evil.example", "http://shop.example.com", "https://shop.example.com.evil.net",
        "https://shop.example.com:8443",
        // A sandboxed frame or a file: page on any site: only a site accepting any origin takes it.
        "null",
    ]

    @Test("a beacon from an origin no site allows is refused with 403 and never forwarded", arguments: refusedOrigins)
    func refused(origin: String) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let r = try await E2E.post(E2E.event(id: id), headers: E2E.browserHeaders(origin: origin), on: gw)
        #expect(r.status == 403, "\(r.text)")
        #expect(r.header("Access-Control-Allow-Origin") == nil)
        #expect(r.headers("Vary").contains("Origin"))
        #expect(r.json?["error"]?.stringValue?.contains("not allowed") == true)
        #expect(r.setCookie("_fbp") == nil)
        // Events of one pixel are forwarded in order: once a later event is out, the refused one never will be.
        let marker = E2EJSON.uniqueID()
        #expect(try await E2E.post(E2E.event(id: marker), on: gw).status == 202)
        #expect(await gw.dryRun.find(eventID: marker) != nil)
        #expect(!gw.dryRun.mentions(id))
        let status = try await E2EClient.send(port: gw.port, "GET", "/status/events")
        // The marker, sent after, is listed: the refused id's absence is not the page having moved on.
        #expect(status.status == 200 && status.text.contains(marker) && !status.text.contains(id))
    }

    @Test(
        "a preflight from an allowed origin is answered 204 with CORS headers; any other origin, null too, gets 403",
        arguments: [E2E.shopOrigin, "https://evil.example", "null"])
    func preflight(origin: String) async throws {
        let gw = try await E2E.main.get()
        let allowed = origin == E2E.shopOrigin
        let r = try await E2EClient.send(
            port: gw.port, "OPTIONS", "/events",
            headers: [
                ("Origin", origin), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ])
        #expect(r.headers("Vary").contains("Origin"))
        if allowed {
            #expect(r.status == 204)
            #expect(r.header("Access-Control-Allow-Origin") == origin)
            #expect(r.header("Access-Control-Allow-Methods")?.contains("POST") == true)
            #expect(r.header("Access-Control-Allow-Headers")?.lowercased().contains("content-type") == true)
        } else {
            #expect(r.status == 403)
            #expect(r.header("Access-Control-Allow-Origin") == nil)
        }
    }

    @Test("the reflected Access-Control-Allow-Headers is at most 512 bytes, whatever the request's characters")
    func preflightHeadersAreBounded() async throws {
        let gw = try await E2E.main.get()
        // One Character of 2,001 bytes: cut by Characters, all of it would be reflected.
        let requested = "x" + String(repeating: "\u{0301}", count: 1000)
        let r = try await E2EClient.send(
            port: gw.port, "OPTIONS", "/events",
            headers: [
                ("Origin", E2E.shopOrigin), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", requested),
            ])
        #expect(r.status == 204)
        let reflected = try #require(r.header("Access-Control-Allow-Headers"))
        #expect(reflected.utf8.count <= 512 && reflected.utf8.count > 500)
    }

    @Test(
        "a bad body from a disallowed origin is refused with 403 and no CORS headers; from an allowed origin it is a readable 400",
        arguments: [true, false])
    func badBodyOrigin(allowed: Bool) async throws {
        let gw = try await E2E.main.get()
        let origin = allowed ? E2E.shopOrigin : "https://evil.example"
        let r = try await E2E.post("{not json", headers: E2E.browserHeaders(origin: origin), on: gw)
        #expect(r.status == (allowed ? 400 : 403), "\(r.text)")
        #expect(r.header("Access-Control-Allow-Origin") == (allowed ? origin : nil))
        #expect(r.header("Access-Control-Allow-Credentials") == (allowed ? "true" : nil))
        #expect(r.headers("Vary").contains("Origin"))
    }
}
