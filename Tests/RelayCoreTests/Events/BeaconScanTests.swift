// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayCore

/// The beacon fast path (`BeaconEvent.scan`) against the full path (`JSONParser` + `BeaconBody`):
/// whatever the scan accepts, the full path accepts as the same single event, and processing either
/// gives the same CAPI event (or the same rejection).
@Suite("Beacon scan: the fast path gives what the full parser gives")
struct BeaconScanTests {
    static let now: Int64 = 1_795_000_000_000  // ms
    let processor = EventProcessor(currentYear: 2026)

    static let benchBeacon = #"""
        {"event_name":"Purchase","event_id":"ord-100045872-7f3c9a2e","event_source_url":"https://shop.example.com/checkout/thank-you?order=100045872&utm_source=newsletter","action_source":"website","custom_data":{"value":149.99,"currency":"EUR","content_ids":["SKU-10482","SKU-20931"],"content_type":"product","num_items":3},"user_data":{"em":"jane.doe+shop@example.com","ph":"+49 151 2345 6789","fbp":"fb.1.1767225512345.1234567890","fbc":"fb.1.1767225500000.IwAR2xYz"}}
        """#

    /// Bodies the scan must take (so that the comparison below is not vacuous), each also compared.
    static let scanned: [String] = [
        benchBeacon,
        #"{"event_name":"PageView","event_id":"e1","event_source_url":"https://shop.example.com/?fbclid=IwAR-abc"}"#,
        #"{"event_name":"Lead","event_time":1794999000,"user_data":{"em":["A@Example.com","b@example.com"],"zp":94107,"country":"US","ct":"San Francisco"}}"#,
        #"{"event_name":"Lead","event_time":"1794999000123","event_id":12345,"pixel_id":"111","consent":{"ad_storage":"denied"}}"#,
        #"{"event_name":"ViewContent","custom_data":{ "value" : 1, "currency":"usd" },"opt_out":false,"referrer_url":"https://r.example/"}"#,
        #"{"event_name":"ViewContent","custom_data":{"contents":[{"id":"a","quantity":2},{"id":"b\u00e9","quantity":1}],"value":2.5e1,"currency":"EUR"}}"#,
        #"{"event_name":"Search","custom_data":{"search_string":"caf\u00e9 \"noir\"","nested":{"deep":[[],{},null,true,false,-0.0]}}}"#,
        #"{"event_name":"Lead","colour":"blue","user_data":{"email":"x@example.com","lead_id":"123","client_ip_address":"198.51.100.1"}}"#,
        #"{"event_name":"Lead","user_data":{"em":"  café@example.com ","fn":"José","ph":null,"fbp":"bad"},"custom_data":{}}"#,
        " \n{\"event_name\" : \"Lead\" , \"user_data\" : { } }\t",
        #"{"event_name":"Purchase","custom_data":{"value":"12"}}"#,
        #"{"event_name":"","event_id":""}"#,
        #"{"event_name":"Lead","action_source":"carrier_pigeon"}"#,
        #"{"event_name":"Lead","user_data":"x","custom_data":[1]}"#,
        #"{"event_name":"Lead","event_time":1000}"#,
        #"{"event_name":1}"#,
        #"{"event_name":"Lead","unknown":{"K":1,"k":2,"z":[1,{"a":1}]}}"#,
        #"{"event_name":"AddToCart","custom_data":{"value":null,"currency":null,"content_type":"product"}}"#,
        #"{"event_name":"AddToCart","custom_data":{"content_name":null,"value":3,"currency":"USD"}}"#,
        #"{"event_name":"AddToCart","custom_data":{"value":1e400,"currency":"USD"}}"#,
    ]

    /// Bodies the scan must leave to the full parser.
    static let declined: [String] = [
        #"[{"event_name":"Lead"}]"#,
        #"{"events":[{"event_name":"Lead"}]}"#,
        #"{"data":[{"event_name":"Lead"}]}"#,
        #"{"event_id":"x"}"#,
        #"{}"#,
        #"{"event_name":"Lead","event_name":"Purchase"}"#,
        #"{"event_name":"Lead","user_data":{"em":"a@b.c","em":"d@e.f"}}"#,
        #"{"event_name":"Lead","user_data":{"lead_id":"1","lead_id":"2"}}"#,
        #"{"event_name":"Lead","custom_data":{"a":{"b":1,"b":2}}}"#,
        #"{"event_name":"Lead","custom_data":{"value":1,"value":2}}"#,
        #"{"event_name":"Lead","x":1,"x":2}"#,
        #"{"event_name":"Lead","opt_out":true,"opt_out":false}"#,
        #"{"event_n\u0061me":"Lead"}"#,
        #"{"event_name":"Lead","ü":1}"#,
        #"{"event_name":"Lead","user_data":{"é":1}}"#,
        #"{"event_name":"Lead","custom_data":{"é":1}}"#,
        #"{"event_name":"Lead","unknown":{"z":[1,{"ü":1}]}}"#,
        "\u{FEFF}{\"event_name\":\"Lead\"}",
        #"{"event_name":"Lead"} x"#,
        #"{"event_name":"Lead",}"#,
        #"{"event_name":"Lead""#,
        #"{"event_name":01}"#,
        #"{"event_name":"Lead","custom_data":{"value":1.}}"#,
        #"{"event_name":"Lead","custom_data":{"s":"\ud800"}}"#,
        "",
        "   ",
        #"{"event_name":"Lead","data":[]}"#,
        #"{"events":[],"event_name":"Lead"}"#,
        // Many unknown keys: the full parser's duplicate check scales (a set), the scan's would not.
        "{\"event_name\":\"Lead\"," + (1...17).map { "\"k\($0)\":0" }.joined(separator: ",") + "}",
        "{\"event_name\":\"Lead\",\"user_data\":{" + (1...17).map { "\"k\($0)\":0" }.joined(separator: ",") + "}}",
    ]

    func context() -> IngestContext {
        var c = IngestContext(nowMs: Self.now)
        c.clientIP = "203.0.113.7"
        c.userAgent = "Mozilla/5.0 (X11; Linux x86_64)"
        c.referer = "https://shop.example.com/page"
        c.defaultCountry = "us"
        c.cookieFbp = "fb.1.1794000000000.987654321"  // so that nothing random is minted
        return c
    }

    static func scan(_ body: [UInt8]) -> EventMembers? {
        body.withUnsafeBytes { EventMembers.scan($0) }
    }

    /// The full path's single event, or nil when it fails or the body is not exactly one event.
    static func fullPathEvent(_ body: [UInt8]) -> JSONValue? {
        guard let parsed = try? JSONParser.parse(body), case .success(let events) = BeaconBody.events(in: parsed),
            events.count == 1
        else { return nil }
        return events[0]
    }

    /// A processing result as text, with a minted event id replaced (it is random on each call).
    func outcome(_ result: Result<ProcessedEvent, EventRejection>) -> String {
        switch result {
        case .failure(let rejection): return "rejected: \(rejection.message) (\(rejection.reason))"
        case .success(var event):
            let payload = String(decoding: event.payload, as: UTF8.self)
            if event.mintedEventID {
                event.payload = Array(payload.replacingOccurrences(of: event.eventID, with: "MINTED").utf8)
                event.eventID = "MINTED"
            }
            return "\(event)"
        }
    }

    /// nil when both paths agree, else what differs.
    func difference(_ body: [UInt8]) -> String? {
        guard let members = Self.scan(body) else { return nil }
        guard let full = Self.fullPathEvent(body) else {
            return "scanned, but the full path does not give one event: \(String(decoding: body, as: UTF8.self))"
        }
        var fastContext = context()
        var fullContext = context()
        let fast = outcome(processor.process(.scanned(members), context: &fastContext))
        let slow = outcome(processor.process(.value(full), context: &fullContext))
        guard fast == slow, fastContext.setFbc == fullContext.setFbc, fastContext.setFbp == fullContext.setFbp else {
            return "\(String(decoding: body, as: UTF8.self))\n fast: \(fast)\n full: \(slow)"
        }
        if BeaconEvent.scanned(members).sourceURL != BeaconEvent.value(full).sourceURL {
            return "event_source_url differs for \(String(decoding: body, as: UTF8.self))"
        }
        return nil
    }

    @Test("common beacons are scanned, and give the same CAPI event as the full parser", arguments: scanned)
    func scannedBodiesMatch(body: String) {
        let bytes = Array(body.utf8)
        #expect(Self.scan(bytes) != nil, "the scan declined \(body)")
        #expect(difference(bytes) == nil)
    }

    @Test(
        "other body shapes, repeated or non-ASCII keys and invalid JSON are left to the full parser",
        arguments: declined)
    func declinedBodies(body: String) {
        #expect(Self.scan(Array(body.utf8)) == nil)
    }

    @Test("sixteen unknown keys are still scanned, and give what the full parser gives")
    func sixteenUnknownKeysAreScanned() {
        let keys = (1...16).map { "\"k\($0)\":0" }.joined(separator: ",")
        for body in ["{\"event_name\":\"Lead\",\(keys)}", "{\"event_name\":\"Lead\",\"user_data\":{\(keys)}}"] {
            #expect(Self.scan(Array(body.utf8)) != nil)
            #expect(difference(Array(body.utf8)) == nil)
        }
    }

    @Test(
        "a repeated custom_data key is found whether its first use is among the eight kept inline or after them",
        arguments: [1, 7, 8, 9, 12])
    func repeatedCustomDataKeysPastTheInlineEight(first: Int) {
        let keys = (1...12).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let unique = "{\"event_name\":\"Lead\",\"custom_data\":{\(keys)}}"
        #expect(Self.scan(Array(unique.utf8))?.compactCustomData != nil)
        #expect(difference(Array(unique.utf8)) == nil)
        let repeated = "{\"event_name\":\"Lead\",\"custom_data\":{\(keys),\"k\(first)\":0}}"
        #expect(Self.scan(Array(repeated.utf8)) == nil)
        #expect(throws: JSONError.self) { try JSONParser.parse(Array(repeated.utf8)) }
    }

    @Test("tight member limits apply to the scan as to the parser")
    func memberLimitsApply() {
        let tight = JSONLimits(maxMembers: 2)
        for body in [
            #"{"event_name":"Lead","custom_data":{"a":1,"b":2,"c":3}}"#,
            #"{"event_name":"Lead","custom_data":{"a":{"x":1,"y":2,"z":3}}}"#,
            #"{"event_name":"Lead","user_data":{"em":"a@b.c","ph":"1","fn":"x"}}"#,
            #"{"event_name":"Lead","event_id":"1","action_source":"website"}"#,
        ] {
            let bytes = Array(body.utf8)
            #expect(throws: JSONError.self) { try JSONParser.parse(bytes, limits: tight) }
            #expect(bytes.withUnsafeBytes { EventMembers.scan($0, limits: tight) } == nil, "\(body)")
        }
    }

    @Test("20,000 generated beacons (any member order, types, whitespace, escapes, repeats): the same events")
    func generatedBeaconsMatch() {
        var generator = BeaconScanGenerator(seed: 0x5CA7)
        var scannedCount = 0
        var compactCount = 0
        var problems: [String] = []
        for _ in 0..<20_000 {
            let body = generator.beacon()
            if let members = Self.scan(body) {
                scannedCount += 1
                if members.compactCustomData != nil { compactCount += 1 }
            }
            if let problem = difference(body), problems.count < 5 { problems.append(problem) }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // Both paths are exercised: scanned bodies (some with compact custom_data) and declined ones.
        #expect(scannedCount > 5_000 && scannedCount < 19_000, "\(scannedCount) scanned")
        #expect(compactCount > 200, "\(compactCount) with compact custom_data")
    }

    @Test("the bench beacon's custom_data is copied as its own bytes")
    func compactCustomDataIsCopied() throws {
        let members = try #require(Self.scan(Array(Self.benchBeacon.utf8)))
        let compact = try #require(members.compactCustomData)
        #expect(String(decoding: compact.bytes, as: UTF8.self).hasPrefix(#"{"value":149.99,"currency":"EUR""#))
        #expect(compact.value == .number("149.99"))
        #expect(compact.currency == .string("EUR"))
        // With whitespace inside, it is parsed instead (the writer would drop the whitespace).
        let spaced = try #require(Self.scan(Array(#"{"event_name":"Lead","custom_data":{ "value":1 }}"#.utf8)))
        #expect(spaced.compactCustomData == nil)
        #expect(spaced.customData == .object(JSONObject([("value", .number("1"))])))
    }

    @Test("60,000 mutated beacons: whatever the scan accepts, the full parser gives the same event for")
    func mutatedBeaconsMatch() {
        let seeds = Self.scanned.map { Array($0.utf8) }
        var mutator = JSONMutator(seed: 0xBEAC0)
        var scannedCount = 0
        var problems: [String] = []
        var current = seeds[0]
        for iteration in 0..<60_000 {
            let base = iteration % 3 == 0 ? seeds[iteration / 3 % seeds.count] : current
            current = mutator.mutate(base, donor: seeds[iteration % seeds.count])
            if current.count > 2_048 { current = seeds[iteration % seeds.count] }
            if Self.scan(current) != nil { scannedCount += 1 }
            if let problem = difference(current), problems.count < 5 { problems.append(problem) }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // Most mutations break the JSON; enough survive that the comparison covers many shapes.
        #expect(scannedCount > 2_000, "only \(scannedCount) mutated beacons were scanned")
    }
}
