// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayApp
import RelayCore
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Graceful stop (F6) and S2 (secrets never in the log or on disk), each on its own binary.
@Suite("Shutdown and secrets (real binary)")
struct ShutdownAndSecretsTests {
    @Test("SIGTERM and SIGINT stop the gateway with exit 0 within 10 s", arguments: [SIGTERM, SIGINT])
    func gracefulStop(signal: Int32) async throws {
        let gw = try await E2EGateway.start(config: "{}")
        #expect(try await E2E.post(E2E.event(), on: gw).status == 202)
        let (status, ms) = try await gw.stop(signal: signal)
        #expect(status == 0, "\(gw.log)")
        #expect(ms < 10_000)
        #expect(gw.log.contains("\"msg\":\"stopped\""))
    }

    @Test(
        "events reach a fake Graph API with the env token, which never appears in the log or the data dir, even after a token error (S2)"
    )
    func tokenNeverLeaks() async throws {
        let token = "EAAB" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let adminToken = "admin-" + UUID().uuidString
        let fake = try FakeGraphAPI(validToken: token)
        defer { fake.stop() }
        let gw = try await E2EGateway.start(
            config: "{ \"graph_api\": { \"linger_ms\": 0 } }",
            environment: [
                "PIXELRELAY_PIXEL_ID": E2E.shopPixel, "PIXELRELAY_ACCESS_TOKEN": token,
                "PIXELRELAY_GRAPH_API_URL": fake.baseURL,
                "PIXELRELAY_TEST_EVENT_CODE": "TEST77", "PIXELRELAY_ADMIN_TOKEN": adminToken,
                "PIXELRELAY_LOG_LEVEL": "trace",
            ])
        let ids = [E2EJSON.uniqueID(), E2EJSON.uniqueID(), E2EJSON.uniqueID()]
        let r = try await E2E.post("[" + ids.map { E2E.event(id: $0) }.joined(separator: ",") + "]", on: gw)
        #expect(r.status == 202, "\(r.text)")
        let delivered = await Self.waitFor { Set(fake.received.map(\.eventID)).isSuperset(of: ids) }
        #expect(delivered, "\(gw.log)")
        let received = fake.received.filter { ids.contains($0.eventID) }
        let pixels = Set(received.map(\.pixelID))
        let codes = Set(received.map(\.testEventCode))
        let agents = Set(received.map(\.partnerAgent))
        #expect(pixels == [E2E.shopPixel])
        #expect(codes == ["TEST77"])
        #expect(agents == ["pixelrelay-" + RelayVersion.current])

        // A token error pauses the pixel and is logged: the token must not be in that message either.
        fake.setAlways(.graphError(http: 400, code: 190, subcode: 463))
        let paused = E2EJSON.uniqueID()
        #expect(try await E2E.post(E2E.event(id: paused), on: gw).status == 202)
        let pausedLogged = await Self.waitFor { gw.log.contains("pixel paused") }
        #expect(pausedLogged, "\(gw.log)")
        let ready = try await E2EClient.send(port: gw.port, "GET", "/readyz")
        #expect(ready.json?["pixels"]?.arrayValue?.first?["state"]?.stringValue == "paused", "\(ready.text)")
        let status = try await E2EClient.send(
            port: gw.port, "GET", "/status", headers: [("Authorization", "Bearer " + adminToken)])
        #expect(status.status == 200)
        // F4: the pause shows in /metrics too, the event stays queued, and a reload resumes the pixel.
        func pausedGauge() async throws -> Double? {
            let text = try await E2EClient.send(port: gw.port, "GET", "/metrics").text
            return OperationalEndpointTests.sample(
                text.split(separator: "\n").map(String.init), "pixelrelay_pixel_paused{pixel=\"\(E2E.shopPixel)\"}")
        }
        #expect(try await pausedGauge() == 1)
        #expect(!fake.received.contains { $0.eventID == paused })
        fake.setAlways(nil)
        #expect(kill(gw.process.pid, SIGHUP) == 0)
        let resumed = await Self.waitFor { fake.received.contains { $0.eventID == paused } }
        #expect(resumed, "the held event was not delivered after SIGHUP: \(gw.log.suffix(2000))")
        #expect(try await pausedGauge() == 0)

        let (exit, ms) = try await gw.stop()
        #expect(exit == 0)
        #expect(ms < 10_000)
        for secret in [token, adminToken] {
            #expect(gw.filesContaining(secret).isEmpty, "a secret leaked into \(gw.filesContaining(secret))")
            #expect(!ready.text.contains(secret) && !status.text.contains(secret))
        }
        #expect(gw.filesOnDisk().count > 1, "the queue is on disk")
        #expect(gw.log.contains("\"level\":\"debug\""), "the log ran at trace level, so every level was checked")
    }

    /// Polls `condition` every 20 ms for up to `timeoutMs`.
    static func waitFor(timeoutMs: Int = 8000, _ condition: () -> Bool) async -> Bool {
        let deadline = GatewayProcess.nowMs() + timeoutMs
        while GatewayProcess.nowMs() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}
