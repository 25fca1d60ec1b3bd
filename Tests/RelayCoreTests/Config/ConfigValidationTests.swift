// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayCore

@Suite struct ConfigValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let json: String
        let path: String
        let words: String
        init(_ json: String, _ path: String, _ words: String) {
            self.json = json
            self.path = path
            self.words = words
        }
        var testDescription: String { path + " ← " + json }
    }

    /// Wraps site fields into a one-site document.
    static func site(_ fields: String) -> String { #"{"sites":[{"name":"s",\#(fields)}]}"# }

    static let fileCases: [Case] = [
        Case("[]", "$", "must be an object"),
        Case(#"{"srever":{}}"#, "$.srever", #"did you mean "server"?"#),
        Case(#"{"server":{"prot":1}}"#, "$.server.prot", #"did you mean "port"?"#),
        Case(#"{"server":{"maxBodyBytes":1}}"#, "$.server.maxBodyBytes", #"did you mean "max_body_bytes"?"#),
        Case(#"{"server":{"max body":1}}"#, #"$.server["max body"]"#, "unknown key"),
        Case(#"{"server":{"zzz":1}}"#, "$.server.zzz", "known keys here: host, port"),
        Case(#"{"server":"0.0.0.0"}"#, "$.server", "must be an object"),
        Case(#"{"server":{"host":"bad host!"}}"#, "$.server.host", "IP address"),
        Case(#"{"server":{"port":70000}}"#, "$.server.port", "from 0 to 65535"),
        Case(#"{"server":{"port":-1}}"#, "$.server.port", "from 0 to 65535"),
        Case(#"{"server":{"port":80.5}}"#, "$.server.port", "integer"),
        Case(#"{"server":{"port":"http"}}"#, "$.server.port", #"(got "http")"#),
        Case(#"{"server":{"port":true}}"#, "$.server.port", "not a boolean"),
        Case(#"{"server":{"trusted_proxies":"10.0.0.0/8"}}"#, "$.server.trusted_proxies", "must be an array"),
        Case(
            #"{"server":{"trusted_proxies":["10.0.0.0/8","10.0.0.0/33"]}}"#, "$.server.trusted_proxies[1]", "10.0.0.0/8"
        ),
        Case(
            #"{"server":{"trusted_proxies":["10.0.0.1/8"]}}"#, "$.server.trusted_proxies[0]",
            #"did you mean "10.0.0.0/8"?"#),
        Case(#"{"server":{"trusted_proxies":[8]}}"#, "$.server.trusted_proxies[0]", "must be a string"),
        Case(#"{"server":{"max_body_bytes":10}}"#, "$.server.max_body_bytes", "from 1024 to"),
        Case(#"{"server":{"events_path":"events"}}"#, "$.server.events_path", "absolute path"),
        Case(#"{"server":{"events_path":"/healthz"}}"#, "$.server.events_path", "built-in endpoint"),
        Case(#"{"server":{"max_connections":0}}"#, "$.server.max_connections", "from 1 to"),
        Case(#"{"server":{"header_timeout_ms":5}}"#, "$.server.header_timeout_ms", "from 100 to 600000 ms"),
        Case(#"{"server":{"idle_timeout_ms":5}}"#, "$.server.idle_timeout_ms", "from 100 to"),
        Case(#"{"server":{"min_body_bytes_per_second":-5}}"#, "$.server.min_body_bytes_per_second", "0 = off"),
        Case(#"{"server":{"rate_limit":{"per_second":10,"burst":0}}}"#, "$.server.rate_limit.burst", "at least 1"),
        Case(#"{"server":{"rate_limit":{"per_minute":10}}}"#, "$.server.rate_limit.per_minute", "per_second"),
        Case(#"{"storage":{"data_dir":""}}"#, "$.storage.data_dir", "non-empty"),
        Case(#"{"storage":{"max_queue_bytes":100}}"#, "$.storage.max_queue_bytes", "from 4096"),
        Case(#"{"graph_api":{"version":"26.0"}}"#, "$.graph_api.version", #"like "v26.0" (got "26.0")"#),
        Case(#"{"graph_api":{"base_url":"ftp://graph.facebook.com"}}"#, "$.graph_api.base_url", "https://"),
        Case(#"{"graph_api":{"base_url":"https://graph.facebook.com/?a=1"}}"#, "$.graph_api.base_url", "query"),
        Case(#"{"graph_api":{"base_url":"https://bad host"}}"#, "$.graph_api.base_url", "URL"),
        Case(#"{"graph_api":{"max_batch_events":1001}}"#, "$.graph_api.max_batch_events", "at most 1000"),
        Case(#"{"graph_api":{"max_batch_events":0}}"#, "$.graph_api.max_batch_events", "from 1 to 1000"),
        Case(#"{"graph_api":{"timeout_ms":"fast"}}"#, "$.graph_api.timeout_ms", "integer"),
        Case(#"{"graph_api":{"linger_ms":600000}}"#, "$.graph_api.linger_ms", "from 0 to 60000"),
        Case(#"{"admin":{"token":"two words"}}"#, "$.admin.token", "whitespace"),
        Case(#"{"admin":{"tokne":"x"}}"#, "$.admin.tokne", #"did you mean "token"?"#),
        Case(#"{"logging":{"level":"verbose"}}"#, "$.logging.level", #""trace", "debug""#),
        Case(#"{"logging":{"format":"xml"}}"#, "$.logging.format", #""json", "text""#),
        Case(
            #"{"server":{"client_ip_header":"x-real-ip"}}"#, "$.server.client_ip_header",
            #""auto", "x-forwarded-for", "forwarded""#),
        Case(#"{"dry_run":"yes"}"#, "$.dry_run", "true or false"),
        Case(#"{"demo":1}"#, "$.demo", "true or false"),
        Case(#"{"bots":{"drop":"no"}}"#, "$.bots.drop", "true or false"),
        Case(#"{"bots":{"extra_patterns":[""]}}"#, "$.bots.extra_patterns[0]", "non-empty"),
        Case(#"{"sites":{}}"#, "$.sites", "must be an array"),
        Case(#"{"sites":[3]}"#, "$.sites[0]", "must be an object"),
        Case(#"{"sites":[{"domains":["a.com"]}]}"#, "$.sites[0].name", "is required"),
        Case(#"{"sites":[{"name":"my shop"}]}"#, "$.sites[0].name", "letters, digits"),
        Case(site(#""domain":["a.com"]"#), "$.sites[0].domain", #"did you mean "domains"?"#),
        Case(site(#""domains":["https://shop.example.com"]"#), "$.sites[0].domains[0]", "without scheme"),
        Case(site(#""domains":["bad_host.com"]"#), "$.sites[0].domains[0]", "host name"),
        Case(
            site(#""allowed_origins":["https://shop.example.com/"]"#), "$.sites[0].allowed_origins[0]",
            #"write "https://shop.example.com""#),
        Case(site(#""allowed_origins":["ftp://x.com"]"#), "$.sites[0].allowed_origins[0]", "scheme://host"),
        Case(site(#""allowed_origins":["https://x.com:99999"]"#), "$.sites[0].allowed_origins[0]", "scheme://host"),
        Case(site(#""cookie_domain":"com""#), "$.sites[0].cookie_domain", "two labels"),
        Case(site(#""cookie_domain":"10.0.0.1""#), "$.sites[0].cookie_domain", "no scheme, port or IP"),
        Case(site(#""cookie_domain":"https://example.com""#), "$.sites[0].cookie_domain", "registrable domain"),
        Case(
            site(#""domains":["shop.example.com"],"cookie_domain":"other.com""#), "$.sites[0].cookie_domain",
            #""example.com""#),
        Case(site(#""default_country":"xx""#), "$.sites[0].default_country", "ISO 3166-1"),
        Case(site(#""default_country":"usa""#), "$.sites[0].default_country", "alpha-2"),
        Case(site(#""pixels":[{"pixel_id":"12a"}]"#), "$.sites[0].pixels[0].pixel_id", "digits only"),
        Case(site(#""pixels":[{"pixel_id":""}]"#), "$.sites[0].pixels[0].pixel_id", "digits only"),
        Case(site(#""pixels":[{"access_token":"t"}]"#), "$.sites[0].pixels[0].pixel_id", "is required"),
        Case(site(#""pixels":[{"pixel_id":"1","token":"t"}]"#), "$.sites[0].pixels[0].token", "known keys here"),
        Case(site(#""pixels":[{"pixel_id":"1","access_token":""}]"#), "$.sites[0].pixels[0].access_token", "is empty"),
        Case(
            site(#""pixels":[{"pixel_id":"1","test_event_code":"TEST 1"}]"#),
            "$.sites[0].pixels[0].test_event_code", "Test events"),
        Case(site(#""pixels":[{"pixel_id":"1"},{"pixel_id":"1"}]"#), "$.sites[0].pixels[1].pixel_id", "listed twice"),
        Case(site(#""events":{"allow":["Lead"],"deny":["Lead"]}"#), "$.sites[0].events", "both allow and deny"),
        Case(site(#""events":{"allow":[""]}"#), "$.sites[0].events.allow[0]", "event name"),
        Case(site(#""events":{"block":[]}"#), "$.sites[0].events.block", "known keys here: allow, deny"),
        Case(
            site(#""rules":[{"selector":".a","url_contains":"/x","event":"Lead"}]"#), "$.sites[0].rules[0]",
            "exactly one"),
        Case(site(#""rules":[{"event":"Lead"}]"#), "$.sites[0].rules[0]", "exactly one"),
        Case(site(#""rules":[{"selector":".a"}]"#), "$.sites[0].rules[0].event", "is required"),
        Case(site(#""rules":[{"selector":"","event":"Lead"}]"#), "$.sites[0].rules[0].selector", "not be empty"),
        Case(
            site(#""rules":[{"url_contains":"/x","event":"Lead","custom_data":[1]}]"#),
            "$.sites[0].rules[0].custom_data", "must be an object"),
        Case(site(#""ingest_keys":[""]"#), "$.sites[0].ingest_keys[0]", "is empty"),
        Case(#"{"sites":[{"name":"a"},{"name":"a"}]}"#, "$.sites[1].name", "duplicate site name"),
        Case(
            #"{"sites":[{"name":"a","domains":["x.com"]},{"name":"b","domains":["X.com"]}]}"#,
            "$.sites[1].domains[0]", #"site "a""#),
        Case(
            #"{"sites":[{"name":"a","pixels":[{"pixel_id":"1","access_token":"tok"}]},{"name":"b","pixels":[{"pixel_id":"2"}]}]}"#,
            "$.sites[1].pixels[0].access_token", "no access token"),
        Case("{\"server\":{\n  \"port\": 80\n  \"host\": \"x\"}}", "file /test/pixelrelay.json", "line 3, column 3"),
    ]

    @Test("Each problem in the file is one issue at its exact JSON path", arguments: fileCases)
    func fileIssue(c: Case) {
        let issues = ConfigLoader.issues(json: c.json)
        #expect(issues.map(\.path) == [c.path])
        #expect(issues.first?.message.contains(c.words) == true, "message: \(issues.first?.message ?? "none")")
    }

    static let envCases: [(env: [String: String], path: String)] = [
        (["PIXELRELAY_HOST": "no such host!"], "env PIXELRELAY_HOST"),
        (["PIXELRELAY_PORT": "abc"], "env PIXELRELAY_PORT"),
        (["PIXELRELAY_PORT": "65536"], "env PIXELRELAY_PORT"),
        (["PIXELRELAY_GRAPH_API_URL": "graph.facebook.com"], "env PIXELRELAY_GRAPH_API_URL"),
        (["PIXELRELAY_GRAPH_API_VERSION": "26"], "env PIXELRELAY_GRAPH_API_VERSION"),
        (["PIXELRELAY_TRUSTED_PROXIES": "10.0.0.0/8,nope"], "env PIXELRELAY_TRUSTED_PROXIES"),
        (["PIXELRELAY_LOG_LEVEL": "loud"], "env PIXELRELAY_LOG_LEVEL"),
        (["PIXELRELAY_LOG_FORMAT": "xml"], "env PIXELRELAY_LOG_FORMAT"),
        (["PIXELRELAY_PIXEL_ID": "abc"], "env PIXELRELAY_PIXEL_ID"),
        (["PIXELRELAY_ALLOWED_ORIGINS": "https://a.com/path"], "env PIXELRELAY_ALLOWED_ORIGINS"),
        (["PIXELRELAY_TEST_EVENT_CODE": "A B"], "env PIXELRELAY_TEST_EVENT_CODE"),
        (["PIXELRELAY_ADMIN_TOKEN": "has space"], "env PIXELRELAY_ADMIN_TOKEN"),
    ]

    @Test("Each bad environment variable is one issue naming the variable", arguments: envCases)
    func envIssue(env: [String: String], path: String) {
        #expect(ConfigLoader.issues(env: env).map(\.path) == [path])
    }

    @Test("All problems are reported in one pass, in document order")
    func collectsAll() {
        let json = #"""
            {"server":{"port":0.5,"hots":"x"},"graph_api":{"version":"x"},
             "sites":[{"name":"s","pixels":[{"pixel_id":"x"}],"default_country":"zz"}]}
            """#
        let issues = ConfigLoader.issues(json: json, env: ["PIXELRELAY_LOG_LEVEL": "x"], overrides: .init(port: -1))
        #expect(
            issues.map(\.path) == [
                "$.server.hots", "$.server.port", "$.graph_api.version", "$.sites[0].pixels[0].pixel_id",
                "$.sites[0].default_country", "env PIXELRELAY_LOG_LEVEL", "flag --port",
            ])
        #expect(issues.first?.message.contains(#"did you mean "host"?"#) == true)
    }

    @Test("The same pixel in two sites is allowed (each site fans out to it)")
    func sharedPixelAllowed() {
        let json = #"{"sites":[{"name":"a","pixels":[{"pixel_id":"1"}]},{"name":"b","pixels":[{"pixel_id":1}]}]}"#
        let config = ConfigLoader.make(json: json).config
        #expect(config?.sites.map { $0.pixels.map(\.pixelID) } == [["1"], ["1"]])
    }

    @Test("Null means default, keys starting with _ are ignored, and empty optional strings mean absent")
    func lenientForms() throws {
        let json = #"""
            {"_comment":"hi","server":{"port":null,"_note":1},"admin":{"token":""},
             "sites":[{"name":"s","cookie_domain":"","default_country":"","domains":["Shop.Example.com"],
                       "pixels":[{"pixel_id":"7","test_event_code":""}]}]}
            """#
        let config = try #require(ConfigLoader.make(json: json).config)
        #expect(config.server.port == 8080)
        #expect(config.admin.token == nil)
        #expect(config.sites[0].cookieDomain == nil)
        #expect(config.sites[0].defaultCountry == nil)
        #expect(config.sites[0].pixels[0].testEventCode == nil)
        #expect(config.sites[0].domains == ["shop.example.com"])
    }

    @Test("client_ip_header takes auto, x-forwarded-for or forwarded (any case); auto is the default")
    func clientIPHeader() throws {
        #expect(ConfigLoader.make(json: "{}").config?.server.clientIPHeader == .auto)
        for (text, value) in [
            ("forwarded", ServerConfig.ClientIPHeader.forwarded), ("X-Forwarded-For", .xForwardedFor),
        ] {
            let config = ConfigLoader.make(json: #"{"server":{"client_ip_header":"\#(text)"}}"#).config
            #expect(config?.server.clientIPHeader == value)
        }
    }

    @Test("base_url keeps its path, loses trailing slashes, and its scheme is lowercased (HTTP:// is plain HTTP)")
    func baseURLNormalised() {
        for (given, kept) in [
            ("HTTP://127.0.0.1:9000/", "http://127.0.0.1:9000"),
            ("HTTPS://Graph.Facebook.com", "https://Graph.Facebook.com"),
            ("https://proxy.example/graph//", "https://proxy.example/graph"),
        ] {
            let config = ConfigLoader.make(json: #"{"graph_api":{"base_url":"\#(given)"}}"#).config
            #expect(config?.graphAPI.baseURL == kept, "\(given)")
        }
    }

    @Test("Values are normalised: origins, countries, cookie domains, rules")
    func normalised() throws {
        let json = #"""
            {"sites":[{"name":"s","domains":["shop.example.com"],
              "allowed_origins":["HTTPS://Shop.Example.com:443","http://localhost:3000","http://[::1]:80"],
              "cookie_domain":".Example.com","default_country":"US",
              "rules":[{"selector":"#buy","event":"AddToCart","custom_data":{"value":9.90}},{"url_contains":"/ok","event":"Lead"}]}]}
            """#
        let site = try #require(ConfigLoader.make(json: json).config?.sites.first)
        #expect(site.allowedOrigins == ["https://shop.example.com", "http://localhost:3000", "http://[::1]"])
        #expect(site.cookieDomain == "example.com")
        #expect(site.defaultCountry == "us")
        #expect(site.rules.map(\.trigger) == [.selector("#buy"), .urlContains("/ok")])
        #expect(site.rules[0].customData?["value"] == .number("9.90"))
        #expect(site.rules[1].customData == nil)
    }

    @Test("\"*\" in allowed_origins allows every origin")
    func starOrigin() throws {
        let json = #"{"sites":[{"name":"s","allowed_origins":["*"]}]}"#
        let site = try #require(ConfigLoader.make(json: json).config?.sites.first)
        #expect(site.allowAnyOrigin)
        #expect(site.allowedOrigins.isEmpty)
        #expect(site.allowsOrigin("https://anywhere.example"))
    }

    @Test("Cross-site issues point at the site's own index even after a skipped bad element")
    func pathsSurviveSkippedSites() {
        let issues = ConfigLoader.issues(json: #"{"sites":[{"name":"a"},7,{"name":"a"}]}"#)
        #expect(issues.map(\.path) == ["$.sites[1]", "$.sites[2].name"])
    }

    @Test(
        "default_country takes alpha-2 codes in any case, and the alias uk as gb",
        arguments: [
            ("US", "us"), ("de", "de"), ("uk", "gb"),
        ])
    func country(input: String, stored: String) {
        let json = #"{"sites":[{"name":"s","default_country":"\#(input)"}]}"#
        #expect(ConfigLoader.make(json: json).config?.sites.first?.defaultCountry == stored)
    }
}
