// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayApp
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The executable's other commands: `check-config`, `--version`, `healthcheck`.
@Suite("pixelrelay commands (real binary)")
struct CommandLineTests {
    /// Runs the binary to completion in an empty directory with a clean environment (off the concurrency pool).
    static func run(_ arguments: [String], files: [String: String] = [:], environment: [String: String] = [:])
        async throws -> (status: Int32, output: String)
    {
        try await offPool { try runBlocking(arguments, files: files, environment: environment) }
    }

    static func runBlocking(_ arguments: [String], files: [String: String], environment: [String: String] = [:]) throws
        -> (status: Int32, output: String)
    {
        let dir = GatewayProcess.temporaryDirectory("pixelrelay-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: GatewayProcess.binaryPath())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": dir].merging(environment) { $1 }
        // A file, not a Pipe: a gateway spawned concurrently by another test could inherit the pipe's
        // write end and keep a read-to-EOF waiting forever.
        let outputPath = dir + "/output.txt"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }

    /// A config with one problem per line of `problems`.
    static let badConfig = """
        { "sevrer": {},
          "server": { "port": 70000, "trusted_proxies": ["10.0.0.1/8"] },
          "sites": [ { "name": "shop", "domains": ["example.com"], "cookie_domain": "1.2.3.4",
                       "pixels": [ { "pixel_id": "abc" } ] } ] }
        """
    static let problems = [
        "$.sevrer", "$.server.port", "$.server.trusted_proxies[0]", "$.sites[0].cookie_domain",
        "$.sites[0].pixels[0].pixel_id",
    ]

    @Test("check-config prints every problem of a bad config with its JSON path and exits 1")
    func badConfig() async throws {
        let (status, output) = try await Self.run(
            ["check-config", "--config", "bad.json"], files: ["bad.json": Self.badConfig])
        #expect(status == 1)
        let lines = output.split(separator: "\n")
        for path in Self.problems {
            #expect(lines.contains { $0.hasPrefix(path + ":") }, "no line for \(path) in:\n\(output)")
        }
        #expect(output.contains("\(Self.problems.count) problem(s) found"))
    }

    @Test(
        "queue commands refuse to guess a data directory when the configuration does not load, and say how to name one",
        arguments: [["queue", "stats"], ["queue", "dead-letters"], ["queue", "replay"]])
    func queueCommandsNeedTheConfig(_ command: [String]) async throws {
        let (status, output) = try await Self.run(
            command, files: ["bad.json": Self.badConfig], environment: ["PIXELRELAY_CONFIG": "bad.json"])
        #expect(status == 2, "\(output)")
        #expect(output.contains("cannot find the data directory"), "\(output)")
        #expect(output.contains("sites[0].pixels[0].pixel_id"), "\(output)")
        #expect(output.contains("--data-dir"), "\(output)")

        let named = try await Self.run(
            command + ["--data-dir", "q"], files: ["bad.json": Self.badConfig],
            environment: ["PIXELRELAY_CONFIG": "bad.json"])
        #expect(named.status == 0, "\(named.output)")
    }

    @Test(
        "queue stats --config reads the data directory from that file (an empty PIXELRELAY_DATA_DIR counts as unset)",
        arguments: [nil, ""])
    func queueStatsWithConfig(dataDirVariable: String?) async throws {
        let (status, output) = try await Self.run(
            ["queue", "stats", "--config", "other.json"],
            files: ["other.json": #"{ "storage": { "data_dir": "./elsewhere" } }"#],
            environment: dataDirVariable.map { ["PIXELRELAY_DATA_DIR": $0] } ?? [:])
        #expect(status == 0, "\(output)")
        #expect(output.contains("queue ./elsewhere:"), "\(output)")
    }

    @Test("check-config names an unset ${VAR} and never prints a secret's value")
    func secretsAndVariables() async throws {
        let config =
            "{ \"admin\": { \"token\": \"super-secret-admin-token\" }, \"graph_api\": { \"base_url\": \"${E2E_UNSET_VAR}\" } }"
        let (status, output) = try await Self.run(["check-config", "--config", "c.json"], files: ["c.json": config])
        #expect(status == 1)
        #expect(output.contains("E2E_UNSET_VAR"))
        #expect(!output.contains("super-secret-admin-token"))
    }

    @Test(
        "check-config accepts a good config and exits 0",
        arguments: [
            "{}", "{\"sites\":[{\"name\":\"a\",\"domains\":[\"a.example\"],\"pixels\":[{\"pixel_id\":\"123\"}]}]}",
        ])
    func goodConfig(config: String) async throws {
        let (status, output) = try await Self.run(
            ["check-config", "--config", "good.json"], files: ["good.json": config])
        #expect(status == 0, "\(output)")
        #expect(output.contains("configuration OK"))
    }

    @Test("--version prints the version")
    func version() async throws {
        let (status, output) = try await Self.run(["--version"])
        #expect(status == 0)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == RelayVersion.current)
    }

    @Test("healthcheck exits 0 against a serving gateway and 1 against a closed port")
    func healthcheck() async throws {
        let gw = try await E2E.main.get()
        #expect(try await Self.run(["healthcheck", "--url", "http://127.0.0.1:\(gw.port)/healthz"]).status == 0)
        let closed = try ReservedPort()
        defer { closed.release() }
        #expect(try await Self.run(["healthcheck", "--url", "http://127.0.0.1:\(closed.port)/healthz"]).status == 1)
        #expect(try await Self.run(["healthcheck", "--url", "http://127.0.0.1:\(gw.port)/nope"]).status == 1)
    }
}
