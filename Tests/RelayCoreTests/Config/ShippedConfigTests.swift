// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import RelayCore

@Suite struct ShippedConfigTests {
    /// The repository root: this file is Tests/RelayCoreTests/Config/ShippedConfigTests.swift.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func load(_ name: String, env: [String: String] = [:]) throws -> RelayConfig {
        let path = root.appendingPathComponent("config").appendingPathComponent(name).path
        let result = ConfigLoader.load(
            overrides: .init(configPath: path), environment: env, readFile: ConfigLoader.readSystemFile)
        if case .failure(let error) = result { Issue.record("\(error)") }
        return try #require(result.config)
    }

    @Test("config/pixelrelay.json loads without issues and equals the built-in defaults")
    func defaultConfig() throws {
        var config = try Self.load("pixelrelay.json")
        #expect(config.sourcePath?.hasSuffix("config/pixelrelay.json") == true)
        config.sourcePath = nil
        var builtIn = try #require(ConfigLoader.make().config)
        builtIn.sourcePath = nil
        #expect(config == builtIn)
        #expect(config.isDryRun)
    }

    @Test(
        "every default config/README.md states for a server, storage, graph_api, admin, logging or top-level key is its value in config/pixelrelay.json"
    )
    func documentedDefaults() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("config/README.md"), encoding: .utf8)
        let shipped = try JSONParser.parse(
            Array(try Data(contentsOf: Self.root.appendingPathComponent("config/pixelrelay.json"))))
        let sections = [
            "### `server`": "server", "### `storage`": "storage", "### `graph_api`": "graph_api",
            "### `admin`": "admin", "### `logging`": "logging", "### top level": "",
        ]
        var section: String?
        var checked: [String] = []
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("#") {
                section = sections[line]
                continue
            }
            guard let section, line.hasPrefix("| `") else { continue }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let documented = cells[1].split(separator: "`").first.map(String.init) else {
                continue
            }
            let key = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let path = (section.isEmpty ? [] : [section]) + key.split(separator: ".").map(String.init)
            var value: JSONValue? = shipped
            for component in path { value = value?[component] }
            let expected = try JSONParser.parse(Array(documented.utf8))
            #expect(value == expected, "\(path.joined(separator: ".")): README says \(documented)")
            checked.append(path.joined(separator: "."))
        }
        #expect(checked.count >= 25, "rows checked: \(checked)")
        #expect(checked.contains("graph_api.timeout_ms") && checked.contains("server.header_timeout_ms"))
    }

    @Test("config/pixelrelay.example.json loads without issues once its variables are set")
    func exampleConfig() throws {
        let env = [
            "SHOP_CAPI_TOKEN": "shop-token", "BLOG_CAPI_TOKEN": "blog-token",
            "SHOP_INGEST_KEY": "ingest-key-0123456789", "PIXELRELAY_ADMIN_TOKEN": "admin-token",
        ]
        let config = try Self.load("pixelrelay.example.json", env: env)
        #expect(config.sites.map(\.name) == ["shop", "blog"])
        #expect(!config.isDryRun)
        #expect(config.sites[1].pixels.map(\.pixelID) == ["987654321098765", "123456789012345"])
        #expect(config.admin.token == Secret("admin-token"))
    }

    @Test("config/pixelrelay.example.json names every variable it needs when they are missing")
    func exampleConfigNeedsVariables() {
        let path = Self.root.appendingPathComponent("config/pixelrelay.example.json").path
        let result = ConfigLoader.load(
            overrides: .init(configPath: path), environment: [:], readFile: ConfigLoader.readSystemFile)
        guard case .failure(let error) = result else {
            Issue.record("expected missing-variable issues")
            return
        }
        let text = error.description
        for name in ["SHOP_CAPI_TOKEN", "BLOG_CAPI_TOKEN", "SHOP_INGEST_KEY", "PIXELRELAY_ADMIN_TOKEN"] {
            #expect(text.contains(name))
        }
    }
}
