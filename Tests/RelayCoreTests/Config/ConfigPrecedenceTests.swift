// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

@Suite struct ConfigPrecedenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let file: Bool
        let env: Bool
        let flag: Bool
        let expected: (host: String, port: Int, dataDir: String)
        var testDescription: String { label }
    }

    static let fileJSON = #"{"server":{"host":"10.0.0.1","port":1111},"storage":{"data_dir":"/file"}}"#
    static let env = ["PIXELRELAY_HOST": "10.0.0.2", "PIXELRELAY_PORT": "2222", "PIXELRELAY_DATA_DIR": "/env"]
    static let flags = ConfigOverrides(host: "10.0.0.3", port: 3333, dataDir: "/flag")

    @Test(
        "Flag beats environment beats file beats default, for host, port and data dir",
        arguments: [
            Case(label: "nothing set", file: false, env: false, flag: false, expected: ("0.0.0.0", 8080, "./data")),
            Case(label: "file only", file: true, env: false, flag: false, expected: ("10.0.0.1", 1111, "/file")),
            Case(label: "env only", file: false, env: true, flag: false, expected: ("10.0.0.2", 2222, "/env")),
            Case(label: "file and env", file: true, env: true, flag: false, expected: ("10.0.0.2", 2222, "/env")),
            Case(label: "flag only", file: false, env: false, flag: true, expected: ("10.0.0.3", 3333, "/flag")),
            Case(label: "file and flag", file: true, env: false, flag: true, expected: ("10.0.0.3", 3333, "/flag")),
            Case(label: "env and flag", file: false, env: true, flag: true, expected: ("10.0.0.3", 3333, "/flag")),
            Case(label: "all three", file: true, env: true, flag: true, expected: ("10.0.0.3", 3333, "/flag")),
        ])
    func precedence(c: Case) throws {
        let result = ConfigLoader.make(
            json: c.file ? Self.fileJSON : nil, env: c.env ? Self.env : [:], overrides: c.flag ? Self.flags : .init())
        let config = try #require(result.config)
        #expect(config.server.host == c.expected.host)
        #expect(config.server.port == c.expected.port)
        #expect(config.storage.dataDir == c.expected.dataDir)
    }

    @Test("An empty environment variable counts as unset and leaves the file's value")
    func emptyEnvIsUnset() throws {
        let config = try #require(ConfigLoader.make(json: Self.fileJSON, env: ["PIXELRELAY_PORT": ""]).config)
        #expect(config.server.port == 1111)
    }

    @Test("The --dry-run flag beats the file's dry_run in both directions")
    func dryRunFlag() throws {
        let on = try #require(ConfigLoader.make(json: #"{"dry_run":false}"#, overrides: .init(dryRun: true)).config)
        #expect(on.dryRun)
        let off = try #require(ConfigLoader.make(json: #"{"dry_run":true}"#, overrides: .init(dryRun: false)).config)
        #expect(!off.dryRun)
    }

    @Test("The config file is --config, else PIXELRELAY_CONFIG, else ./config, else /etc, else none")
    func fileLocation() throws {
        let a = #"{"server":{"port":1}}"#
        let b = #"{"server":{"port":2}}"#
        let c = #"{"server":{"port":3}}"#
        let d = #"{"server":{"port":4}}"#
        let all = ["/a.json": a, "/b.json": b, "./config/pixelrelay.json": c, "/etc/pixelrelay/pixelrelay.json": d]
        func port(_ files: [String: String], env: [String: String] = [:], flag: String? = nil) -> Int? {
            ConfigLoader.make(env: env, files: files, overrides: .init(configPath: flag)).config?.server.port
        }
        #expect(port(all, env: ["PIXELRELAY_CONFIG": "/b.json"], flag: "/a.json") == 1)
        #expect(port(all, env: ["PIXELRELAY_CONFIG": "/b.json"]) == 2)
        #expect(port(all) == 3)
        #expect(port(all.filter { $0.key != "./config/pixelrelay.json" }) == 4)
        #expect(port([:]) == 8080)
        let loaded = try #require(ConfigLoader.make(files: all).config)
        #expect(loaded.sourcePath == "./config/pixelrelay.json")
        #expect(try #require(ConfigLoader.make().config).sourcePath == nil)
    }

    @Test("A config file named explicitly that does not exist is an error naming where it was named")
    func missingNamedFile() {
        #expect(ConfigLoader.issues(overrides: .init(configPath: "/nope.json")).map(\.path) == ["flag --config"])
        #expect(ConfigLoader.issues(env: ["PIXELRELAY_CONFIG": "/nope.json"]).map(\.path) == ["env PIXELRELAY_CONFIG"])
        #expect(
            ConfigLoader.issues(overrides: .init(configPath: "/nope.json")).first?.message.contains("/nope.json")
                == true)
    }

    @Test("Bad flag values are reported against the flag")
    func badFlags() {
        let issues = ConfigLoader.issues(overrides: .init(host: "not a host", port: 70_000, dataDir: ""))
        #expect(issues.map(\.path) == ["flag --host", "flag --port", "flag --data-dir"])
    }

    @Test("The other environment variables override their file settings")
    func otherEnvironment() throws {
        let env = [
            "PIXELRELAY_GRAPH_API_URL": "http://127.0.0.1:9999/",
            "PIXELRELAY_GRAPH_API_VERSION": "v25.0",
            "PIXELRELAY_TRUSTED_PROXIES": " 10.0.0.0/8 , ::1 ,",
            "PIXELRELAY_ADMIN_TOKEN": "admin-secret-value",
            "PIXELRELAY_LOG_LEVEL": "DEBUG",
            "PIXELRELAY_LOG_FORMAT": "text",
        ]
        let json = #"{"graph_api":{"base_url":"https://x.example","version":"v20.0"},"logging":{"level":"error"}}"#
        let config = try #require(ConfigLoader.make(json: json, env: env).config)
        #expect(config.graphAPI.baseURL == "http://127.0.0.1:9999")
        #expect(config.graphAPI.version == "v25.0")
        #expect(config.graphAPI.eventsURL(pixelID: "123") == "http://127.0.0.1:9999/v25.0/123/events")
        #expect(config.server.trustedProxies.map(\.description) == ["10.0.0.0/8", "::1/128"])
        #expect(config.admin.token == Secret("admin-secret-value"))
        #expect(config.logging.level == .debug)
        #expect(config.logging.format == .text)
    }
}
