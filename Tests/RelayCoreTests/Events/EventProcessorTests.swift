// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayCore

@Suite("EventProcessor: validation, enrichment and hashing of one event")
struct EventProcessorTests {
    static let now: Int64 = 1_795_000_000_000  // ms
    let processor = EventProcessor(currentYear: 2026)

    func context(_ configure: (inout IngestContext) -> Void = { _ in }) -> IngestContext {
        var c = IngestContext(nowMs: Self.now)
        c.clientIP = "203.0.113.7"
        c.userAgent = "Mozilla/5.0 (X11; Linux x86_64)"
        c.referer = "https://shop.example.com/page"
        c.defaultCountry = "us"
        configure(&c)
        return c
    }

    func process(_ json: String, _ ctx: inout IngestContext) throws -> Result<ProcessedEvent, EventRejection> {
        processor.process(try JSONParser.parse(json), context: &ctx)
    }

    func payload(_ json: String, _ configure: (inout IngestContext) -> Void = { _ in }) throws -> JSONValue {
        var ctx = context(configure)
        let event = try process(json, &ctx).get()
        return try JSONParser.parse(event.payload)
    }

    @Test("a member repeated in an object built from /tr parameters counts once: the first one wins")
    func repeatedMembersFirstWins() throws {
        // `/tr?fbp=A&ud[fbp]=B&…` builds such objects; the JSON parser itself rejects duplicate keys.
        let user = JSONObject([
            ("fbp", .string("fb.1.1700000000000.111")), ("fbp", .string("fb.1.1700000000000.222")),
            ("em", .string("first@example.com")), ("em", .string("second@example.com")),
        ])
        let event = JSONValue.object(
            JSONObject([
                ("event_name", .string("Lead")), ("event_name", .string("Purchase")), ("user_data", .object(user)),
                ("opt_out", .bool(false)), ("opt_out", .bool(true)),
            ]))
        var ctx = context()
        let processed = try processor.process(event, context: &ctx).get()
        #expect(processed.eventName == "Lead")
        let p = try JSONParser.parse(processed.payload)  // would throw on a repeated key
        #expect(p["user_data"]?["fbp"] == .string("fb.1.1700000000000.111"))
        #expect(p["user_data"]?["em"] == .array([.string(SHA256Digest().hex("first@example.com"))]))
        #expect(p["opt_out"] == .bool(false))
    }

    @Test("the documented hashes are sent as arrays and the raw values never appear in the payload")
    func hashesDocumentedExamples() throws {
        let p = try payload(
            #"{"event_name":"Lead","user_data":{"em":"John_Smith@gmail.com","ph":"(650)555-1212","db":"2/16/1997","country":"United States"}}"#
        )
        let ud = try #require(p["user_data"])
        #expect(ud["em"] == .array([.string("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f")]))
        #expect(ud["ph"] == .array([.string("e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176")]))
        #expect(ud["db"] == .array([.string("01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c")]))
        #expect(ud["country"] == .array([.string("79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621")]))
        let text = p.jsonString
        // Raw and normalised forms (long enough not to occur by chance in a hash or a minted id).
        for raw in [
            "John_Smith", "john_smith@gmail.com", "555-1212", "6505551212", "2/16/1997", "19970216", "United States",
        ] {
            #expect(!text.contains(raw))
        }
    }

    @Test(
        "invalid events are rejected with a message naming the field",
        arguments: [
            (#"{"user_data":{}}"#, "event_name is required"),
            (#"{"event_name":""}"#, "event_name must be a non-empty string"),
            (#"{"event_name":"X","event_time":"yesterday"}"#, "event_time must be Unix seconds"),
            (#"{"event_name":"X","event_time":1000}"#, "more than 7 days old"),
            (#"{"event_name":"X","action_source":"fax"}"#, "action_source must be one of"),
            (#"{"event_name":"Purchase"}"#, "a Purchase needs custom_data.value and custom_data.currency"),
            (
                #"{"event_name":"Purchase","custom_data":{"value":10,"currency":null}}"#,
                "a Purchase needs custom_data.value and custom_data.currency"
            ),
            (
                #"{"event_name":"Purchase","custom_data":{"value":null,"currency":"EUR"}}"#,
                "a Purchase needs custom_data.value and custom_data.currency"
            ),
            (#"{"event_name":"X","custom_data":{"currency":"dollars"}}"#, "custom_data.currency must be a 3-letter"),
            (#"{"event_name":"X","custom_data":[]}"#, "custom_data must be an object"),
            (#"{"event_name":"X","user_data":{"em":{"a":1}}}"#, "user_data.em must be a string or an array of strings"),
            (#"{"event_name":"X","event_id":true}"#, "event_id must be a string"),
            (
                #"{"event_name":"X","custom_data":{"value":1e400,"currency":"USD"}}"#,
                "custom_data.value must be a number"
            ),
            (#"{"event_name":"X","custom_data":{"value":-1e309}}"#, "custom_data.value must be a number"),
            (#"{"event_name":"X","event_id":""}"#, "event_id must be 1 to 256 bytes"),
            (
                #"{"event_name":"X","event_id":""# + String(repeating: "x", count: 257) + #""}"#,
                "event_id must be 1 to 256"
            ),
            (#"{"event_name":"X","event_id":"# + String(repeating: "7", count: 257) + "}", "event_id must be 1 to 256"),
            (#"[1]"#, "an event must be a JSON object"),
        ])
    func rejections(json: String, message: String) throws {
        var ctx = context()
        let result = try processor.process(JSONParser.parse(json), context: &ctx)
        guard case .failure(let rejection) = result else {
            Issue.record("accepted \(json)")
            return
        }
        #expect(rejection.message.contains(message), "\(rejection.message)")
    }

    @Test("a website event without a URL or Referer, or without a user agent, is rejected")
    func websiteNeedsURLAndAgent() throws {
        var noURL = context { $0.referer = nil }
        #expect(throws: Never.self) { _ = try process(#"{"event_name":"X"}"#, &noURL) }
        guard case .failure(let r1) = try process(#"{"event_name":"X"}"#, &noURL) else {
            Issue.record("accepted"); return
        }
        #expect(r1.message.contains("event_source_url is required"))
        var noUA = context { $0.userAgent = nil }
        guard case .failure(let r2) = try process(#"{"event_name":"X"}"#, &noUA) else {
            Issue.record("accepted"); return
        }
        #expect(r2.message.contains("client_user_agent"))
        var app = context {
            $0.referer = nil; $0.userAgent = nil
        }
        #expect(try process(#"{"event_name":"X","action_source":"app"}"#, &app).get().eventName == "X")
    }

    @Test("event_time: absent is the receive time, milliseconds are converted, the future is clamped")
    func eventTimeRules() throws {
        let nowS = Self.now / 1000
        #expect(try payload(#"{"event_name":"X"}"#)["event_time"] == .number(String(nowS)))
        #expect(
            try payload(#"{"event_name":"X","event_time":\#(Self.now - 5000)}"#)["event_time"]
                == .number(String(nowS - 5)))
        #expect(try payload(#"{"event_name":"X","event_time":\#(nowS + 3600)}"#)["event_time"] == .number(String(nowS)))
        #expect(
            try payload(#"{"event_name":"X","event_time":"\#(nowS - 60)"}"#)["event_time"] == .number(String(nowS - 60))
        )
    }

    @Test(
        "event_time is accepted up to 7 days less an hour and rejected past it, 55 minutes before the forwarder gives up"
    )
    func eventAgeLeavesTimeToDeliver() throws {
        #expect(EventProcessor.deliverableAgeSeconds - EventProcessor.maxAgeSeconds == 55 * 60)
        #expect(EventProcessor.deliverableAgeSeconds < EventProcessor.metaMaxAgeSeconds)
        let nowS = Self.now / 1000
        let limit = EventProcessor.maxAgeSeconds
        #expect(limit == 7 * 86400 - 3600)
        let inside = nowS - limit + 1
        #expect(try payload(#"{"event_name":"X","event_time":\#(inside)}"#)["event_time"] == .number(String(inside)))
        var ctx = context()
        for age: Int64 in [limit + 1, 7 * 86400 - 60] {
            let result = try process(#"{"event_name":"X","event_time":\#(nowS - age)}"#, &ctx)
            guard case .failure(let rejection) = result else {
                Issue.record("an event \(age) s old was accepted")
                continue
            }
            #expect(rejection.reason == "too_old")
            #expect(rejection.message.contains("more than 7 days old"))
        }
    }

    @Test("null members of custom_data are left out (Meta refuses a batch for one), whichever path reads the body")
    func customDataNulls() throws {
        var ctx = context()
        let body = #"{"event_name":"AddToCart","custom_data":{"value":null,"currency":null,"content_type":"product"}}"#
        let viaParser = try process(body, &ctx).get()
        #expect(
            try JSONParser.parse(viaParser.payload)["custom_data"]
                == .object(JSONObject([("content_type", .string("product"))])))
        let scanned = try #require(Array(body.utf8).withUnsafeBytes { BeaconEvent.scan($0) })
        var ctx2 = context()
        let viaScan = try processor.process(scanned, context: &ctx2).get()
        #expect(
            try JSONParser.parse(viaScan.payload)["custom_data"] == JSONParser.parse(viaParser.payload)["custom_data"])
    }

    @Test("an empty Referer is no page: a website event without event_source_url is refused")
    func emptyReferer() throws {
        for referer in ["", "  "] {
            var ctx = context { $0.referer = referer }
            let result = try processor.process(JSONParser.parse(#"{"event_name":"Lead"}"#), context: &ctx)
            guard case .failure(let rejection) = result else {
                Issue.record("accepted with Referer \(referer.debugDescription)")
                continue
            }
            #expect(rejection.message.contains("event_source_url is required"))
        }
    }

    @Test("event_id is kept exactly when given and minted as a UUID v4 when absent")
    func eventIDs() throws {
        var ctx = context()
        let kept = try process(#"{"event_name":"X","event_id":"Order-42 ß"}"#, &ctx).get()
        #expect(kept.eventID == "Order-42 ß")
        #expect(!kept.mintedEventID)
        let digits = String(repeating: "7", count: 256)
        #expect(try process(#"{"event_name":"X","event_id":"# + digits + "}", &ctx).get().eventID == digits)
        let minted = try process(#"{"event_name":"X"}"#, &ctx).get()
        #expect(minted.mintedEventID)
        let parts = minted.eventID.split(separator: "-")
        #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
        #expect(parts[2].first == "4")
        #expect("89ab".contains(parts[3].first!))
    }

    @Test("client IP and user agent come from the connection; a browser cannot override them")
    func enrichmentFromConnection() throws {
        let p = try payload(
            #"{"event_name":"X","user_data":{"client_ip_address":"1.2.3.4","client_user_agent":"evil"}}"#)
        #expect(p["user_data"]?["client_ip_address"] == .string("203.0.113.7"))
        #expect(p["user_data"]?["client_user_agent"] == .string("Mozilla/5.0 (X11; Linux x86_64)"))
        let trusted = try payload(
            #"{"event_name":"X","user_data":{"client_ip_address":"1.2.3.4","client_user_agent":"srv"}}"#
        ) {
            $0.trustedSource = true
        }
        #expect(trusted["user_data"]?["client_ip_address"] == .string("1.2.3.4"))
        #expect(trusted["user_data"]?["client_user_agent"] == .string("srv"))
    }

    @Test(
        "a server's client_ip_address is sent in canonical form, and one that is not a single address is left out with a warning",
        arguments: [
            (" 2001:DB8::1 ", "2001:db8::1"), ("::ffff:198.51.100.4", "198.51.100.4"), ("1.2.3.4, 10.0.0.1", nil),
            ("unknown", nil), ("1.2.3.4:80", nil),
        ] as [(String, String?)])
    func serverClientIP(given: String, sent: String?) throws {
        var ctx = context { $0.trustedSource = true }
        let body = #"{"event_name":"X","user_data":{"client_ip_address":""# + given + #""}}"#
        let event = try process(body, &ctx).get()
        let p = try JSONParser.parse(event.payload)
        #expect(p["user_data"]?["client_ip_address"]?.stringValue == sent)
        #expect(event.warnings.contains { $0.contains("client_ip_address") } == (sent == nil))
    }

    @Test("_fbp: body first, then a valid cookie byte-for-byte, else minted and set as a cookie")
    func fbpDecisions() throws {
        var fromCookie = context { $0.cookieFbp = "fb.1.1700000000000.AbC" }
        let e1 = try process(#"{"event_name":"X"}"#, &fromCookie).get()
        #expect(try JSONParser.parse(e1.payload)["user_data"]?["fbp"] == .string("fb.1.1700000000000.AbC"))
        #expect(fromCookie.setFbp == nil)

        var minted = context { $0.cookieIndex = 1 }
        let e2 = try process(#"{"event_name":"X"}"#, &minted).get()
        let fbp = try #require(try JSONParser.parse(e2.payload)["user_data"]?["fbp"]?.stringValue)
        #expect(fbp.hasPrefix("fb.1.\(Self.now)."))
        #expect(minted.setFbp == fbp)
        // A second event in the same request reuses the minted value.
        let e3 = try process(#"{"event_name":"Y"}"#, &minted).get()
        #expect(try JSONParser.parse(e3.payload)["user_data"]?["fbp"]?.stringValue == fbp)
    }

    @Test("_fbc: a new fbclid mints a value, the same click id keeps the original, cookies pass through")
    func fbcDecisions() throws {
        var fresh = context()
        let e1 = try process(
            #"{"event_name":"X","event_source_url":"https://s.example.com/?a=1&fbclid=IwAR1x"}"#, &fresh
        ).get()
        #expect(try JSONParser.parse(e1.payload)["user_data"]?["fbc"] == .string("fb.1.\(Self.now).IwAR1x"))
        #expect(fresh.setFbc == "fb.1.\(Self.now).IwAR1x")

        var same = context { $0.cookieFbc = "fb.1.1600000000000.IwAR1x" }
        let e2 = try process(#"{"event_name":"X","event_source_url":"https://s.example.com/?fbclid=IwAR1x"}"#, &same)
            .get()
        #expect(try JSONParser.parse(e2.payload)["user_data"]?["fbc"] == .string("fb.1.1600000000000.IwAR1x"))
        #expect(same.setFbc == nil)

        var changed = context { $0.cookieFbc = "fb.1.1600000000000.OLD" }
        _ = try process(#"{"event_name":"X","event_source_url":"https://s.example.com/?fbclid=NEW"}"#, &changed).get()
        #expect(changed.setFbc == "fb.1.\(Self.now).NEW")

        var viaReferer = context { $0.referer = "https://s.example.com/landing?fbclid=REF" }
        let e4 = try process(#"{"event_name":"X"}"#, &viaReferer).get()
        #expect(try JSONParser.parse(e4.payload)["user_data"]?["fbc"] == .string("fb.1.\(Self.now).REF"))
    }

    @Test("a field that fails its rule is dropped and counted; the event still goes")
    func droppedFields() throws {
        var ctx = context()
        let e = try process(#"{"event_name":"X","user_data":{"em":"not-an-email","ph":"12"}}"#, &ctx).get()
        #expect(Set(e.droppedFields.map(\.field)) == [.em, .ph])
        let ud = try JSONParser.parse(e.payload)["user_data"]
        #expect(ud?["em"] == nil)
        #expect(ud?["ph"] == nil)
    }

    @Test("unknown user_data keys produce a warning with a suggestion")
    func unknownKeysWarn() throws {
        var ctx = context()
        let e = try process(#"{"event_name":"X","user_data":{"email":"a@b.co"}}"#, &ctx).get()
        #expect(e.warnings.contains { $0.contains("did you mean em?") })
    }

    @Test("match keys report which identifiers are present")
    func matchKeys() throws {
        var ctx = context()
        let e = try process(#"{"event_name":"X","user_data":{"em":"a@b.co","external_id":"u1"}}"#, &ctx).get()
        #expect(e.matchKeys.contains([.em, .externalID, .ip, .ua, .fbp]))
        #expect(!e.matchKeys.contains(.ph))
    }

    @Test("consent, opt_out and LDU fields pass as given; consent denied is flagged")
    func passThrough() throws {
        var ctx = context()
        let e = try process(
            #"{"event_name":"X","opt_out":true,"data_processing_options":["LDU"],"data_processing_options_country":1,"data_processing_options_state":1000,"consent":{"ad_storage":"denied"}}"#,
            &ctx
        ).get()
        #expect(e.consentDenied)
        let p = try JSONParser.parse(e.payload)
        #expect(p["opt_out"] == .bool(true))
        #expect(p["data_processing_options"] == .array([.string("LDU")]))
        #expect(p["data_processing_options_state"] == .number("1000"))
        #expect(p["consent"] == nil)
    }
}
