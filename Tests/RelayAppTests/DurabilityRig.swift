// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The real `pixelrelay` binary, a fake Graph API and one private data dir, for the end-to-end
/// durability and forwarding proofs (reliability.md D2, D5, F1, F5, F6, S1, S2).
///
/// The binary gets its pixel and token from the environment (the single-site shortcut, any origin)
/// and everything else from a config file written here, so a test can tune caps and timeouts.
/// Restarts reuse the data dir and append to the same log.
final class DurabilityRig: @unchecked Sendable {
    static let pixelID = "123456789012345"

    let fake: FakeGraphAPI
    /// A private temporary directory holding the config file, the data dir and the log.
    let base: String
    let dataDir: String
    let configPath: String
    let environment: [String: String]
    /// The process, while it runs (used from the test's thread only; load threads read `port`).
    private(set) var process: GatewayProcess?
    private let currentPort = Atomic<Int>(0)
    private let started = Atomic<Int>(0)

    /// - Parameters:
    ///   - config: the config file's JSON (see ``config(maxQueueBytes:timeoutMs:lingerMs:)``).
    ///   - token: the access token the binary sends and the fake accepts.
    ///   - dataDir: the data dir (default: `data` inside the rig's own directory).
    ///   - logLevel: the binary's log level.
    ///   - extraEnvironment: more variables for the binary.
    init(
        config: String = DurabilityRig.config(), token: String = "test-token", dataDir: String? = nil,
        logLevel: String = "info",
        extraEnvironment: [String: String] = [:]
    ) throws {
        fake = try FakeGraphAPI(validToken: token)
        base = GatewayProcess.temporaryDirectory("pixelrelay-durability")
        self.dataDir = dataDir ?? base + "/data"
        configPath = base + "/config.json"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        environment = [
            "PIXELRELAY_GRAPH_API_URL": fake.baseURL, "PIXELRELAY_PIXEL_ID": Self.pixelID,
            "PIXELRELAY_ACCESS_TOKEN": token, "PIXELRELAY_LOG_LEVEL": logLevel,
        ].merging(extraEnvironment) { _, extra in extra }
    }

    /// A config file: rate limiting off (the load comes from one address), tiny linger, given caps.
    static func config(maxQueueBytes: Int = 1 << 30, timeoutMs: Int = 5000, lingerMs: Int = 5) -> String {
        """
        {"server": {"rate_limit": {"per_second": 0}},
         "storage": {"max_queue_bytes": \(maxQueueBytes)},
         "graph_api": {"timeout_ms": \(timeoutMs), "linger_ms": \(lingerMs)}}
        """
    }

    /// The port of the running binary; 0 while it is down.
    var port: Int { currentPort.load(ordering: .acquiring) }
    /// How many times the binary was started.
    var starts: Int { started.load(ordering: .relaxed) }
    /// Everything every run of the binary logged.
    var log: String { (try? String(contentsOfFile: dataDir + ".log", encoding: .utf8)) ?? "" }

    /// Starts the binary on the rig's data dir (it must not be running), with `extraEnvironment` for
    /// this run only.
    func start(extraEnvironment: [String: String] = [:]) throws {
        let p = try GatewayProcess(
            dataDir: dataDir, arguments: ["--config", configPath],
            environment: environment.merging(extraEnvironment) { _, extra in extra }, timeoutMs: 20_000)
        process = p
        started.add(1, ordering: .relaxed)
        currentPort.store(p.port, ordering: .releasing)
    }

    /// `kill -9`, and waits until the process is gone.
    func kill9() {
        currentPort.store(0, ordering: .releasing)
        process?.stop(signal: SIGKILL)
        process = nil
    }

    /// Sends `signal` and waits for the exit; returns the exit status and how long it took.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> (status: Int32, ms: Int) {
        let result = process?.stop(signal: signal, timeoutMs: 20_000) ?? (0, 0)
        process = nil
        currentPort.store(0, ordering: .releasing)
        return result
    }

    /// The event ids the fake accepted, in arrival order (duplicates included).
    var deliveredIDs: [String] { fake.received.map(\.eventID) }

    /// Polls `condition` every 20 ms until it holds or `timeoutMs` passes; returns its last value.
    /// Sleeps without holding a thread of the shared test pool (other suites run meanwhile).
    @discardableResult
    static func waitUntil(timeoutMs: Int, _ condition: () -> Bool) async -> Bool {
        let deadline = GatewayProcess.nowMs() + timeoutMs
        while GatewayProcess.nowMs() < deadline {
            if condition() { return true }
            await pause(ms: 20)
        }
        return condition()
    }

    /// Sleeps without holding a thread of the shared test pool.
    static func pause(ms: Int) async {
        try? await Task.sleep(for: .milliseconds(ms))
    }

    /// Waits until the fake has received every id in `ids` (at least once).
    @discardableResult
    func waitForDelivery(of ids: Set<String>, timeoutMs: Int) async -> Bool {
        await Self.waitUntil(timeoutMs: timeoutMs) { ids.isSubset(of: Set(deliveredIDs)) }
    }

    /// Stops the binary (kill -9 if it is still running), stops the fake and removes the rig's directory.
    /// (Answers the fake still owes from `.hang`/`.slow` timers are dropped by its stopped server.)
    func cleanup() {
        if process != nil { kill9() }
        fake.setAlways(nil)
        fake.stop()
        try? FileManager.default.removeItem(atPath: base)
    }

    // MARK: one-off requests

    /// Sends one request on a fresh connection and reads its response.
    func request(_ text: String, timeoutMs: Int = 5000) -> RawResponse? {
        guard port > 0, let client = try? RawHTTPClient(port: port, timeoutMs: timeoutMs) else { return nil }
        client.send(text)
        return client.readResponses(1).first
    }

    /// `GET path` on a fresh connection.
    func get(_ path: String) -> RawResponse? {
        request("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    }

    /// Posts `events` as one beacon on a fresh connection.
    func post(_ events: [String]) -> RawResponse? {
        request(Beacon.request(events, close: true))
    }
}

/// Beacon bodies for the durability tests.
enum Beacon {
    static let userAgent = "Mozilla/5.0 (X11; Linux x86_64) DurabilityTest/1.0"

    /// A `Lead` event with `event_id` = `id`, and the same id in `custom_data.order_id`: a re-send that
    /// changed the event id would show up as a mismatch between the two.
    static func event(id: String, userData: String? = nil) -> String {
        let ud = userData.map { ",\"user_data\":{\($0)}" } ?? ""
        return "{\"event_name\":\"Lead\",\"event_id\":\"\(id)\",\"event_source_url\":\"https://shop.example.com/p\","
            + "\"custom_data\":{\"order_id\":\"\(id)\"}\(ud)}"
    }

    /// A complete `POST /events` request carrying `events` as a JSON array.
    static func request(_ events: [String], close: Bool = false) -> String {
        let body = "[" + events.joined(separator: ",") + "]"
        return "POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: \(userAgent)\r\nContent-Type: text/plain\r\n"
            + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }
}
