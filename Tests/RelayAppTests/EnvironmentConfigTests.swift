// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

/// A gateway set up by `PIXELRELAY_*` variables (the single-site shortcut) with `events_path` moved.
@Suite("Configuration from the environment and a moved events_path (real binary)")
struct EnvironmentConfigTests {
    @Test(
        "PIXELRELAY_ALLOWED_ORIGINS decides which origins may post to the moved events_path",
        arguments: [
            (E2E.envOrigins[0], 202), (E2E.envOrigins[1], 202), ("https://b.example", 403), (E2E.shopOrigin, 403),
        ])
    func allowedOrigins(origin: String, status: Int) async throws {
        let gw = try await E2E.admin.get()
        let id = E2EJSON.uniqueID()
        let r = try await E2EClient.send(
            port: gw.port, "POST", "/collect", headers: E2E.browserHeaders(origin: origin, host: "t.a.example"),
            body: Array(E2E.event(id: id, url: "https://a.example/page").utf8))
        #expect(r.status == status, "\(r.text)")
        if status == 202 {
            let (request, event) = try #require(await gw.dryRun.find(eventID: id))
            #expect(request["test_event_code"] == nil)
            #expect(event["user_data"]?["client_user_agent"]?.stringValue == E2E.browserUA)
        }
    }

    @Test("the default /events path is not served when events_path moved it")
    func oldPathGone() async throws {
        let gw = try await E2E.admin.get()
        let r = try await E2EClient.send(
            port: gw.port, "POST", "/events", headers: E2E.browserHeaders(origin: E2E.envOrigins[0]),
            body: Array(E2E.event().utf8))
        #expect(r.status == 404)
    }

    @Test("/sdk.js tells the snippet the moved path before any queued call runs")
    func sdkKnowsPath() async throws {
        let gw = try await E2E.admin.get()
        let r = try await E2EClient.send(port: gw.port, "GET", "/sdk.js")
        #expect(r.status == 200)
        let firstLine = r.text.prefix { $0 != "\n" }
        #expect(firstLine.contains("unshift(['_path',\"/collect\"])"), "\(firstLine)")
        #expect(firstLine.contains("p('_path',\"/collect\")"))
    }
}
