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
