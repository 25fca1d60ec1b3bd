// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

@Suite struct ConfigSubstitutionTests {
    static func site(token: String) -> String {
        #"{"sites":[{"name":"s","pixels":[{"pixel_id":"1","access_token":"\#(token)"}]}]}"#
    }

    @Test(
        "References are replaced whole, embedded, repeated and escaped",
        arguments: [
            ("${A}", ["A": "x1"], "x1"),
            ("pre-${A}-post", ["A": "x1"], "pre-x1-post"),
            ("${A}${B}", ["A": "x1", "B": "y2"], "x1y2"),
            ("$${A}", ["A": "x1"], "${A}"),
            ("$5 and $A and $", [:], "$5 and $A and $"),
            ("a$${b}c${A}", ["A": "z"], "a${b}cz"),
            ("${A}", ["A": "${B}", "B": "never"], "${B}"),  // replacements are not scanned again
            ("x${A}y", ["A": ""], "xy"),
        ])
    func replaces(template: String, env: [String: String], expected: String) throws {
        let json = #"{"bots":{"extra_patterns":["\#(template)"]}}"#
        let config = try #require(ConfigLoader.make(json: json, env: env).config)
        #expect(config.bots.extraPatterns == [expected])
    }

    @Test("A missing variable is an issue naming the variable and the JSON path")
    func missingVariable() {
        let issues = ConfigLoader.issues(json: Self.site(token: "${SHOP_TOKEN}"))
        #expect(issues.map(\.path) == ["$.sites[0].pixels[0].access_token"])
        #expect(issues.first?.message.contains("SHOP_TOKEN is not set") == true)
    }

    @Test("Every missing variable is reported, embedded ones included")
    func everyMissingVariable() {
        let json = #"{"server":{"host":"${H}"},"graph_api":{"base_url":"https://${GRAPH_HOST}/x"}}"#
        let issues = ConfigLoader.issues(json: json)
        #expect(issues.map(\.path) == ["$.server.host", "$.graph_api.base_url"])
        #expect(issues.map { $0.message.contains("GRAPH_HOST") } == [false, true])
    }

    @Test("Malformed references are issues", arguments: ["${unterminated", "${1ABC}", "${}", "${A-B}"])
    func malformed(template: String) {
        let issues = ConfigLoader.issues(json: #"{"bots":{"extra_patterns":["\#(template)"]}}"#)
        #expect(issues.map(\.path) == ["$.bots.extra_patterns[0]"])
        #expect(issues.first?.message.contains("$${") == true)
    }

    @Test("A substituted numeric or boolean string becomes a number or a boolean")
    func typedFromStrings() throws {
        let json = #"{"server":{"port":"${PORT}"},"demo":"${DEMO}"}"#
        let config = try #require(ConfigLoader.make(json: json, env: ["PORT": "9090", "DEMO": "true"]).config)
        #expect(config.server.port == 9090)
        #expect(config.demo)
    }

    @Test("An invalid substituted value is reported without quoting it")
    func invalidSubstitutedValueNotQuoted() {
        let issues = ConfigLoader.issues(json: #"{"graph_api":{"version":"${V}"}}"#, env: ["V": "zz-hidden-zz"])
        #expect(issues.map(\.path) == ["$.graph_api.version"])
        #expect(issues.first?.message.contains("zz-hidden-zz") == false)
        #expect(issues.first?.message.contains("${...}") == true)
    }

    @Test("NAME_FILE supplies a referenced variable, with the trailing newline trimmed")
    func referenceFromFile() throws {
        let result = ConfigLoader.make(
            json: Self.site(token: "${SHOP_TOKEN}"), env: ["SHOP_TOKEN_FILE": "/run/secrets/shop"],
            files: ["/run/secrets/shop": "tok-from-file\r\n"])
        let config = try #require(result.config)
        #expect(config.sites[0].pixels[0].accessToken == Secret("tok-from-file"))
    }

    @Test("A reference whose NAME and NAME_FILE are both set, or whose file is missing, is an issue at the path")
    func referenceFileProblems() {
        let both = ConfigLoader.issues(
            json: Self.site(token: "${T}"), env: ["T": "a", "T_FILE": "/f"], files: ["/f": "b"])
        #expect(both.map(\.path) == ["$.sites[0].pixels[0].access_token"])
        #expect(both.first?.message.contains("T_FILE") == true)
        let missing = ConfigLoader.issues(json: Self.site(token: "${T}"), env: ["T_FILE": "/nowhere"])
        #expect(missing.map(\.path) == ["$.sites[0].pixels[0].access_token"])
        #expect(missing.first?.message.contains("/nowhere") == true)
    }

    @Test("Keys are not substituted")
    func keysUntouched() {
        let issues = ConfigLoader.issues(json: #"{"server":{"${K}":1}}"#, env: ["K": "port"])
        #expect(issues.map(\.path) == [#"$.server["${K}"]"#])
    }
}

@Suite struct ConfigSecretFileTests {
    static let pixelEnv = ["PIXELRELAY_PIXEL_ID": "123"]

    @Test("PIXELRELAY_ACCESS_TOKEN_FILE is read and its trailing newline trimmed")
    func tokenFile() throws {
        var env = Self.pixelEnv
        env["PIXELRELAY_ACCESS_TOKEN_FILE"] = "/run/secrets/capi"
        let config = try #require(ConfigLoader.make(env: env, files: ["/run/secrets/capi": "EAAB-token\n"]).config)
        #expect(config.sites[0].pixels[0].accessToken == Secret("EAAB-token"))
        #expect(!config.isDryRun)
    }

    @Test("PIXELRELAY_ADMIN_TOKEN_FILE is read")
    func adminTokenFile() throws {
        let config = try #require(
            ConfigLoader.make(env: ["PIXELRELAY_ADMIN_TOKEN_FILE": "/s"], files: ["/s": "adm1n\n\n"]).config)
        #expect(config.admin.token == Secret("adm1n"))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let env: [String: String]
        let files: [String: String]
        let path: String
        let words: String
        var testDescription: String { label }
    }

    @Test(
        "Secret file problems are reported against the right variable",
        arguments: [
            Case(
                label: "file missing", env: ["PIXELRELAY_ACCESS_TOKEN_FILE": "/missing"], files: [:],
                path: "env PIXELRELAY_ACCESS_TOKEN_FILE", words: "cannot read"),
            Case(
                label: "both set", env: ["PIXELRELAY_ACCESS_TOKEN": "t", "PIXELRELAY_ACCESS_TOKEN_FILE": "/f"],
                files: ["/f": "t2"], path: "env PIXELRELAY_ACCESS_TOKEN", words: "keep exactly one"),
            Case(
                label: "empty file", env: ["PIXELRELAY_ACCESS_TOKEN_FILE": "/f"], files: ["/f": "\n"],
                path: "env PIXELRELAY_ACCESS_TOKEN_FILE", words: "is empty"),
            Case(
                label: "token with a space", env: ["PIXELRELAY_ACCESS_TOKEN_FILE": "/f"], files: ["/f": "ab cd\n"],
                path: "env PIXELRELAY_ACCESS_TOKEN_FILE", words: "whitespace"),
            Case(
                label: "admin both set", env: ["PIXELRELAY_ADMIN_TOKEN": "a", "PIXELRELAY_ADMIN_TOKEN_FILE": "/f"],
                files: ["/f": "b"], path: "env PIXELRELAY_ADMIN_TOKEN", words: "keep exactly one"),
        ])
    func problems(c: Case) {
        var env = c.env
        env["PIXELRELAY_PIXEL_ID"] = "123"
        let issues = ConfigLoader.issues(env: env, files: c.files)
        #expect(issues.map(\.path) == [c.path])
        #expect(issues.first?.message.contains(c.words) == true)
    }
}
