// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The real `pixelrelay` binary, started once per suite (a `static let`) and shared by its tests.
///
/// Swift Testing has no suite teardown, so every started process is registered and killed, and its
/// directory removed, by an `atexit` handler when the test process ends.
final class E2EGateway: @unchecked Sendable {
    let process: GatewayProcess
    /// The temporary directory holding the config file, the data dir and the log.
    let base: String
    let dataDir: String
    var port: Int { process.port }
    var log: String { process.log }
    var dryRun: E2EDryRun { E2EDryRun(path: dataDir + "/dry-run/requests.jsonl") }

    private static let running = Mutex<[(pid: pid_t, base: String)]>([])
    private static let registered = Mutex(false)

    /// Starts `pixelrelay serve` on port 0 with `--config` (always given, so the test's working directory
    /// and its `./config/pixelrelay.json` play no part).
    /// - Parameters:
    ///   - config: the config file's JSON text (`"{}"` for defaults plus `environment`).
    ///   - environment: `PIXELRELAY_*` variables.
    ///   - arguments: extra `serve` flags (a later `--host` wins over the harness's `127.0.0.1`).
    init(config: String, environment: [String: String] = [:], arguments: [String] = []) throws {
        base = GatewayProcess.temporaryDirectory("pixelrelay-e2e")
        dataDir = base + "/data"
        try config.write(toFile: base + "/config.json", atomically: true, encoding: .utf8)
        process = try GatewayProcess(
            dataDir: dataDir, arguments: ["--config", base + "/config.json"] + arguments, environment: environment)
        Self.register(pid: process.pid, base: base)
    }

    /// Starts a gateway (see `init`) without blocking the concurrency pool while it comes up.
    static func start(config: String, environment: [String: String] = [:], arguments: [String] = []) async throws
        -> E2EGateway
    {
        try await offPool { try E2EGateway(config: config, environment: environment, arguments: arguments) }
    }

    /// Stops the process and returns its exit status and duration.
    func stop(signal: Int32 = SIGTERM) async throws -> (status: Int32, ms: Int) {
        let result = try await offPool { [self] in process.stop(signal: signal) }
        // Still listed so its directory is removed at exit; pid 0 means nothing to kill.
        Self.running.withLock { list in
            for i in list.indices where list[i].pid == process.pid { list[i].pid = 0 }
        }
        return result
    }

    /// Every file under the data dir plus the log, as raw bytes keyed by path.
    func filesOnDisk() -> [(path: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        if let e = FileManager.default.enumerator(atPath: dataDir) {
            for case let relative as String in e {
                let path = dataDir + "/" + relative
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                    let data = FileManager.default.contents(atPath: path)
                {
                    out.append((path, Array(data)))
                }
            }
        }
        out.append((process.logPath, Array(process.log.utf8)))
        return out
    }

    /// Paths (data dir files and the log) whose bytes contain `needle`.
    func filesContaining(_ needle: String) -> [String] {
        let n = Array(needle.utf8)
        return filesOnDisk().filter { E2EGateway.contains($0.bytes, n) }.map(\.path)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, haystack[i..<i + needle.count].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    private static func register(pid: pid_t, base: String) {
        running.withLock { $0.append((pid, base)) }
        let first = registered.withLock { done in
            defer { done = true }
            return !done
        }
        if first { atexit { E2EGateway.cleanUpAll() } }
    }

    private static func cleanUpAll() {
        let all = running.withLock { list in
            defer { list = [] }
            return list
        }
        for (pid, _) in all where pid > 0 { kill(pid, SIGKILL) }
        for (pid, base) in all {
            var status: Int32 = 0
            if pid > 0 { waitpid(pid, &status, 0) }
            try? FileManager.default.removeItem(atPath: base)
        }
    }
}

/// The dry-run sink's output, `{data_dir}/dry-run/requests.jsonl`: one Graph API request body per line.
struct E2EDryRun {
    let path: String

    var text: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// The first request whose `data` holds the event `id`, and that event; waits up to `timeoutMs` for the
    /// forwarder to get there.
    func find(eventID id: String, timeoutMs: Int = 8000) async -> (request: JSONValue, event: JSONValue)? {
        await findAll(eventID: id, atLeast: 1, timeoutMs: timeoutMs).first
    }

    /// Every recorded request holding the event `id` (one per pixel it went to), once there are `atLeast`
    /// of them or `timeoutMs` passed.
    func findAll(eventID id: String, atLeast: Int, timeoutMs: Int = 8000) async -> [(
        request: JSONValue, event: JSONValue
    )] {
        let marker = "\"event_id\":\(E2EJSON.quote(id))"
        let deadline = GatewayProcess.nowMs() + timeoutMs
        var found: [(request: JSONValue, event: JSONValue)] = []
        repeat {
            found = []
            let text = self.text
            for line in text.split(separator: "\n") where line.contains(marker) {
                guard let request = try? JSONParser.parse(String(line)), case .array(let data)? = request["data"] else {
                    continue
                }
                for event in data where event["event_id"]?.stringValue == id { found.append((request, event)) }
            }
            if found.count >= atLeast { return found }
            try? await Task.sleep(for: .milliseconds(20))
        } while GatewayProcess.nowMs() < deadline
        return found
    }

    /// Whether any recorded request mentions `id` (an immediate check, no waiting).
    func mentions(_ id: String) -> Bool { text.contains(id) }
}

/// Small JSON helpers for building beacon bodies in tests.
enum E2EJSON {
    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var w = JSONWriter(capacity: s.utf8.count + 2)
        w.string(s)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// A fresh id for tagging one event in the shared dry-run output.
    static func uniqueID(_ prefix: String = "e2e") -> String { "\(prefix)-\(UUID().uuidString.lowercased())" }

    /// Unix milliseconds, wall clock.
    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension JSONValue {
    /// The string elements of an array value (empty when it is not an array).
    var strings: [String] { arrayValue?.compactMap(\.stringValue) ?? [] }
}
