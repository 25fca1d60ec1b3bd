// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `queue replay` needs the data directory's lock, which a running server holds: SIGUSR1 asks the
/// server to replay its own dead letters.
@Suite("SIGUSR1 replays dead letters (real binary)")
struct ReplaySignalTests {
    @Test("an event Meta rejected is dead-lettered; after the cause is fixed, SIGUSR1 sends it again with its id")
    func replayWhileServing() async throws {
        let token = "EAAB" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let fake = try FakeGraphAPI(validToken: token)
        defer { fake.stop() }
        let gw = try await E2EGateway.start(
            config: #"{ "graph_api": { "linger_ms": 0 } }"#,
            environment: [
                "PIXELRELAY_PIXEL_ID": E2E.shopPixel, "PIXELRELAY_ACCESS_TOKEN": token,
                "PIXELRELAY_GRAPH_API_URL": fake.baseURL,
            ])
        defer { _ = gw.process.stop() }
        let rejected = E2EJSON.uniqueID("dead")
        fake.rejectEvents([rejected])
        #expect(try await E2E.post(E2E.event(id: rejected), on: gw).status == 202)
        let deadLettered = await ShutdownAndSecretsTests.waitFor {
            gw.filesOnDisk().contains { $0.path.hasSuffix("/dead/\(E2E.shopPixel).jsonl") }
        }
        #expect(deadLettered, "\(gw.log.suffix(2000))")
        #expect(!fake.received.contains { $0.eventID == rejected })

        // The offline command refuses while the server holds the lock, and says what to do instead.
        let offline = try await CommandLineTests.run(["queue", "replay", "--data-dir", gw.dataDir])
        #expect(offline.status != 0 && offline.output.contains("SIGUSR1"), "\(offline.output)")

        fake.rejectEvents([])
        #expect(kill(gw.process.pid, SIGUSR1) == 0)
        let delivered = await ShutdownAndSecretsTests.waitFor { fake.received.contains { $0.eventID == rejected } }
        #expect(delivered, "\(gw.log.suffix(2000))")
        // The replay logs after it rewrote the dead-letter file, which can be after the delivery.
        let logged = await ShutdownAndSecretsTests.waitFor { gw.log.contains("dead letters replayed") }
        #expect(
            logged && gw.log.contains("\"replayed\":\"1\""), "\(gw.log.suffix(1500))")
        #expect(!gw.filesOnDisk().contains { $0.path.hasSuffix("/dead/\(E2E.shopPixel).jsonl") })
    }
}
