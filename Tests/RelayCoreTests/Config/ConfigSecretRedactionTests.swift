// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

@Suite struct ConfigSecretRedactionTests {
    static let secrets = ["SECRET-ACCESS-aaaa", "SECRET-ADMIN-bbbb", "SECRET-INGEST-cccc", "SECRET-FILE-dddd"]

    static let json = #"""
        {"admin":{"token":"${ADMIN}"},
         "sites":[{"name":"s","ingest_keys":["${INGEST}"],
                   "pixels":[{"pixel_id":"1","access_token":"${ACCESS}"},{"pixel_id":"2","access_token":"SECRET-FILE-dddd"}]}]}
        """#
    static let env = ["ADMIN": "SECRET-ADMIN-bbbb", "INGEST": "SECRET-INGEST-cccc", "ACCESS": "SECRET-ACCESS-aaaa"]

    static func leaks(_ text: String) -> [String] { secrets.filter { text.contains($0) } }

    /// Every string inside a JSON value.
    static func strings(_ v: JSONValue) -> [String] {
        switch v {
        case .string(let s): return [s]
        case .array(let a): return a.flatMap(strings)
        case .object(let o): return o.members.flatMap { [$0.key] + strings($0.value) }
        default: return []
        }
    }

    @Test("No secret appears when the config is printed, debug-printed, dumped or summarised")
    func configNeverShowsSecrets() throws {
        let config = try #require(ConfigLoader.make(json: Self.json, env: Self.env).config)
        #expect(config.sites[0].pixels[0].accessToken?.value == "SECRET-ACCESS-aaaa")
        var dumped = ""
        dump(config, to: &dumped)
        for text in [String(describing: config), String(reflecting: config), dumped] {
            #expect(Self.leaks(text).isEmpty)
            #expect(text.contains("<redacted>"))
        }
        let summary = config.redactedSummary()
        #expect(Self.strings(summary).allSatisfy { Self.leaks($0).isEmpty })
        #expect(summary["admin"]?["token"] == .string("<redacted>"))
        #expect(summary["sites"]?.arrayValue?.first?["ingest_keys"] == .array([.string("<redacted>")]))
        #expect(summary["sites"]?.arrayValue?.first?["pixels"]?.arrayValue?.count == 2)
        #expect(summary["server"]?["port"] == .number("8080"))
        #expect(summary["server"]?["trusted_proxies"] == .array([.string("127.0.0.1/32"), .string("::1/128")]))
        #expect(summary["dry_run_effective"] == .bool(false))
        #expect(summary["source"] == .string(ConfigLoader.testConfigPath))
    }

    @Test("No secret appears in any issue, even when the secret itself is invalid")
    func issuesNeverShowSecrets() {
        let bad = #"""
            {"admin":{"token":"SECRET-ADMIN-bbbb x"},
             "sites":[{"name":"s","ingest_keys":["SECRET-INGEST-cccc\t"],
                       "pixels":[{"pixel_id":"1","access_token":"${ACCESS} more"}]}],
             "graph_api":{"version":"${ACCESS}"}}
            """#
        let env = [
            "ACCESS": "SECRET-ACCESS-aaaa", "PIXELRELAY_ADMIN_TOKEN": "SECRET-ADMIN-bbbb y",
            "PIXELRELAY_ACCESS_TOKEN": "SECRET-FILE-dddd", "PIXELRELAY_ACCESS_TOKEN_FILE": "/f",
        ]
        let result = ConfigLoader.make(json: bad, env: env, files: ["/f": "SECRET-FILE-dddd z"])
        guard case .failure(let error) = result else {
            Issue.record("expected issues")
            return
        }
        #expect(error.issues.count == 6)
        #expect(Self.leaks(String(describing: error)).isEmpty)
        #expect(Self.leaks(String(reflecting: error)).isEmpty)
        for issue in error.issues { #expect(Self.leaks(issue.description).isEmpty) }
    }

    @Test("Secret prints as <redacted> and matches only its exact bytes")
    func secretType() {
        let s = Secret("abc123")
        #expect(s.description == "<redacted>")
        #expect(s.debugDescription == "<redacted>")
        #expect("\(s)" == "<redacted>")
        #expect(s.matches(Array("abc123".utf8)))
        #expect(!s.matches(Array("abc124".utf8)))
        #expect(!s.matches(Array("abc1234".utf8)))
        #expect(!s.matches(Array("abc12".utf8)))
        #expect(!s.matches([UInt8]()))
    }
}
