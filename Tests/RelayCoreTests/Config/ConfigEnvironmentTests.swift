// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

@Suite struct ConfigEnvironmentShortcutTests {
    @Test(
        "With nothing configured there is one catch-all default site, with the demo's rule, and the gateway is in dry-run"
    )
    func nothingConfigured() throws {
        let config = try #require(ConfigLoader.make().config)
        #expect(
            config.sites == [
                SiteConfig(
                    name: "default", allowAnyOrigin: true,
                    rules: [SiteConfig.Rule(trigger: .selector("#attend"), event: "Lead")])
            ])
        #expect(config.isDryRun)
        #expect(config.servesDemo)
    }

    @Test("PIXELRELAY_PIXEL_ID and a token define a default site that allows any origin")
    func definesDefaultSite() throws {
        let env = [
            "PIXELRELAY_PIXEL_ID": "123456789012345", "PIXELRELAY_ACCESS_TOKEN": "EAAtoken",
            "PIXELRELAY_TEST_EVENT_CODE": "TEST123",
        ]
        let config = try #require(ConfigLoader.make(env: env).config)
        let expected = SiteConfig(
            name: "default", allowAnyOrigin: true,
            pixels: [PixelConfig(pixelID: "123456789012345", accessToken: Secret("EAAtoken"), testEventCode: "TEST123")]
        )
        #expect(config.sites == [expected])
        #expect(!config.isDryRun)
        #expect(config.sites[0].allowsOrigin("https://anything.example"))
    }

    @Test("PIXELRELAY_ALLOWED_ORIGINS restricts the default site and gives it the origins' hosts as domains")
    func allowedOrigins() throws {
        let env = ["PIXELRELAY_PIXEL_ID": "1", "PIXELRELAY_ALLOWED_ORIGINS": "https://A.com, http://localhost:3000,"]
        let site = try #require(ConfigLoader.make(env: env).config?.sites.first)
        #expect(!site.allowAnyOrigin)
        #expect(site.allowedOrigins == ["https://a.com", "http://localhost:3000"])
        #expect(site.domains == ["a.com", "localhost"])
        #expect(site.allowsOrigin("https://a.com"))
        #expect(!site.allowsOrigin("https://b.com"))
        let star = try #require(ConfigLoader.make(env: ["PIXELRELAY_ALLOWED_ORIGINS": "*"]).config?.sites.first)
        #expect(star.allowAnyOrigin)
    }

    @Test("The shortcut overrides the file's site named default and keeps the other sites")
    func overridesFileSite() throws {
        let json = #"""
            {"sites":[{"name":"shop","pixels":[{"pixel_id":"9","access_token":"t9"}]},
                      {"name":"default","domains":["d.com"],"pixels":[{"pixel_id":"1","access_token":"old","test_event_code":"T1"}]}]}
            """#
        let config = try #require(
            ConfigLoader.make(json: json, env: ["PIXELRELAY_PIXEL_ID": "1", "PIXELRELAY_ACCESS_TOKEN": "new"]).config)
        #expect(config.sites.map(\.name) == ["shop", "default"])
        #expect(config.sites[1].pixels == [PixelConfig(pixelID: "1", accessToken: Secret("new"), testEventCode: "T1")])
        #expect(config.sites[1].domains == ["d.com"])
        #expect(!config.sites[1].allowAnyOrigin)
    }

    @Test("A token without a pixel id applies to the default site's only pixel")
    func tokenForOnlyPixel() throws {
        let json = #"{"sites":[{"name":"default","pixels":[{"pixel_id":"1"}]}]}"#
        let config = try #require(ConfigLoader.make(json: json, env: ["PIXELRELAY_ACCESS_TOKEN": "tok"]).config)
        #expect(config.sites[0].pixels[0].accessToken == Secret("tok"))
    }

    @Test("A token without a pixel id and no single pixel to attach it to is an issue")
    func tokenWithoutPixel() {
        let issues = ConfigLoader.issues(env: ["PIXELRELAY_ACCESS_TOKEN": "tok"])
        #expect(issues.map(\.path) == ["env PIXELRELAY_ACCESS_TOKEN"])
        #expect(issues.first?.message.contains("PIXELRELAY_PIXEL_ID") == true)
    }

    @Test("A pixel from the environment beside file pixels with tokens needs its own token")
    func mixedTokensFromEnvironment() {
        let json = #"{"sites":[{"name":"shop","pixels":[{"pixel_id":"9","access_token":"t9"}]}]}"#
        let issues = ConfigLoader.issues(json: json, env: ["PIXELRELAY_PIXEL_ID": "1"])
        #expect(issues.map(\.path) == ["env PIXELRELAY_PIXEL_ID"])
    }
}

@Suite struct ConfigDryRunTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let json: String?
        let env: [String: String]
        let flag: Bool?
        let dryRun: Bool
        var testDescription: String { label }
    }

    @Test(
        "Dry-run is explicit, or inferred when no pixel has a token",
        arguments: [
            Case(label: "no config", json: nil, env: [:], flag: nil, dryRun: true),
            Case(label: "pixel without token", json: nil, env: ["PIXELRELAY_PIXEL_ID": "1"], flag: nil, dryRun: true),
            Case(
                label: "pixel with token", json: nil,
                env: ["PIXELRELAY_PIXEL_ID": "1", "PIXELRELAY_ACCESS_TOKEN": "t"],
                flag: nil, dryRun: false),
            Case(
                label: "token but --dry-run", json: nil,
                env: ["PIXELRELAY_PIXEL_ID": "1", "PIXELRELAY_ACCESS_TOKEN": "t"], flag: true, dryRun: true),
            Case(
                label: "file dry_run",
                json: #"{"dry_run":true,"sites":[{"name":"a","pixels":[{"pixel_id":"1","access_token":"t"}]}]}"#,
                env: [:], flag: nil, dryRun: true),
            Case(
                label: "file pixels without tokens",
                json: #"{"sites":[{"name":"a","pixels":[{"pixel_id":"1"},{"pixel_id":"2"}]}]}"#,
                env: [:], flag: nil, dryRun: true),
            Case(
                label: "explicit dry-run allows mixed tokens",
                json: #"{"sites":[{"name":"a","pixels":[{"pixel_id":"1","access_token":"t"},{"pixel_id":"2"}]}]}"#,
                env: [:], flag: true, dryRun: true),
        ])
    func inference(c: Case) throws {
        let config = try #require(ConfigLoader.make(json: c.json, env: c.env, overrides: .init(dryRun: c.flag)).config)
        #expect(config.isDryRun == c.dryRun)
        #expect(config.servesDemo == c.dryRun)
    }

    @Test("demo: true serves the demo page outside dry-run")
    func demoFlag() throws {
        let json = #"{"demo":true,"sites":[{"name":"a","pixels":[{"pixel_id":"1","access_token":"t"}]}]}"#
        let config = try #require(ConfigLoader.make(json: json).config)
        #expect(!config.isDryRun)
        #expect(config.servesDemo)
    }
}
