// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGHUP (interface.md §1): the config file is read again; pixel tokens and test event codes apply to
/// the next request, a broken file keeps the old configuration, and connections are not dropped.
@Suite("SIGHUP reload (real binary)")
struct ReloadTests {
    static func config(testEventCode: String) -> String {
        """
        { "sites": [ { "name": "shop", "domains": ["shop.example.com"], "allowed_origins": ["\(E2E.shopOrigin)"],
                       "pixels": [ { "pixel_id": "\(E2E.shopPixel)", "test_event_code": "\(testEventCode)" } ] } ],
          "graph_api": { "linger_ms": 0 } }
        """
    }

    /// Sends one event and returns the `test_event_code` of the (dry-run) request that carried it.
    static func codeOfNextEvent(_ gw: E2EGateway) async throws -> String? {
        let id = E2EJSON.uniqueID("hup")
        let r = try await E2E.post(E2E.event(id: id), on: gw)
        #expect(r.status == 202, "\(r.text)")
        return await gw.dryRun.find(eventID: id)?.request["test_event_code"]?.stringValue
    }

    /// `GET /healthz` on a kept-alive connection.
    static func health(_ client: RawHTTPClient) -> Int? {
        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        return client.readResponses(1).first?.status
    }

    @Test("SIGHUP applies a new test event code to the next request and keeps the old config when the file is broken")
    func reload() async throws {
        let gw = try await E2EGateway.start(config: Self.config(testEventCode: "HUPOLD1"))
        defer { _ = gw.process.stop() }
        #expect(try await Self.codeOfNextEvent(gw) == "HUPOLD1")

        // A kept-alive client connected before the reload must still be served after it.
        let client = try RawHTTPClient(port: gw.port)
        #expect(Self.health(client) == 200)

        try Self.config(testEventCode: "HUPNEW2").write(
            toFile: gw.base + "/config.json", atomically: true, encoding: .utf8)
        #expect(kill(gw.process.pid, SIGHUP) == 0)
        #expect(
            await DurabilityRig.waitUntil(timeoutMs: 4_000) {
                gw.log.contains("pixel tokens and test event codes reloaded")
            }, "\(gw.log)")
        #expect(try await Self.codeOfNextEvent(gw) == "HUPNEW2")
        #expect(Self.health(client) == 200, "the connection opened before the reload is still served")

        try "{ \"sites\": [".write(toFile: gw.base + "/config.json", atomically: true, encoding: .utf8)
        #expect(kill(gw.process.pid, SIGHUP) == 0)
        #expect(await DurabilityRig.waitUntil(timeoutMs: 4_000) { gw.log.contains("keeping the old one") }, "\(gw.log)")
        #expect(try await Self.codeOfNextEvent(gw) == "HUPNEW2")
        #expect(kill(gw.process.pid, 0) == 0, "still running")
    }
}
