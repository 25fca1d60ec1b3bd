// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayApp
import RelayCore
import Testing

/// What leaves the gateway: the exact Conversions API body recorded by the dry-run sink, and S1 (no raw
/// PII anywhere on disk or in the log).
@Suite("Dry-run output is the exact CAPI body and holds no raw PII (real binary)")
struct DryRunOutputTests {
    /// Raw input → the SHA-256 Meta must receive (normalization.md's documented examples, plus `fn` and
    /// `external_id` computed with `sha256sum` over the normalised text).
    static let vectors: [(key: String, raw: String, hash: String)] = [
        ("em", "John_Smith@gmail.com", "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"),
        ("ph", "(650)555-1212", "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"),
        ("fn", "John", "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a"),
        ("db", "2/16/1997", "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c"),
        ("country", "United States", "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"),
        ("external_id", " U-42 ", "16ec525b74b75626eb93ecad8acc749885fcf4e83c95b139342769a4ab1828a3"),
    ]

    @Test(
        "the recorded request carries hashed identifiers, the socket's IP, the User-Agent header, the redacted token, the test code and partner_agent"
    )
    func exactBody() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let user = Self.vectors.map { "\(E2EJSON.quote($0.key)):\(E2EJSON.quote($0.raw))" }.joined(separator: ",")
        let custom = "{\"value\":49.9,\"currency\":\"USD\",\"content_ids\":[\"sku-1\"],\"content_type\":\"product\"}"
        let r = try await E2E.post(
            E2E.event(
                "Purchase", id: id, url: "https://shop.example.com/checkout/done",
                extra: "\"pixel_id\":\"\(E2E.shopPixel)\",\"user_data\":{\(user)},\"custom_data\":\(custom)"),
            on: gw)
        #expect(r.status == 202, "\(r.text)")
        let (request, event) = try #require(await gw.dryRun.find(eventID: id))

        let requestKeys = request.objectValue?.keys ?? []
        #expect(requestKeys == ["data", "access_token", "test_event_code", "partner_agent"])
        #expect(request["access_token"]?.stringValue == "<redacted>")
        #expect(request["test_event_code"]?.stringValue == E2E.testEventCode)
        #expect(request["partner_agent"]?.stringValue == "pixelrelay-" + RelayVersion.current)

        #expect(event["event_name"]?.stringValue == "Purchase")
        #expect(event["action_source"]?.stringValue == "website")
        #expect(event["event_source_url"]?.stringValue == "https://shop.example.com/checkout/done")
        #expect(event["custom_data"] == (try JSONParser.parse(custom)))
        let userData = try #require(event["user_data"])
        for v in Self.vectors {
            #expect(userData[v.key] == .array([.string(v.hash)]), "user_data.\(v.key)")
        }
        #expect(userData["client_ip_address"]?.stringValue == "127.0.0.1")
        #expect(userData["client_user_agent"]?.stringValue == E2E.browserUA)
        #expect(userData["fbp"]?.stringValue?.hasPrefix("fb.1.") == true)
    }

    @Test("an event for a pixel without a test code is recorded without a test_event_code key")
    func noTestCode() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let r = try await E2E.post(
            E2E.event(id: id, url: "http://localhost:8000/"),
            headers: E2E.browserHeaders(origin: E2E.localOrigin, host: "localhost"), on: gw)
        #expect(r.status == 202, "\(r.text)")
        let (request, _) = try #require(await gw.dryRun.find(eventID: id))
        #expect(request.objectValue?.keys == ["data", "access_token", "partner_agent"])
    }

    @Test("unique raw email, phone and name sent by beacon and by /tr never appear in the data dir or the log (S1)")
    func piiCanary() async throws {
        let gw = try await E2E.main.get()
        let tag = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))
        let digits = String(tag.unicodeScalars.map { String($0.value % 10) }.joined().prefix(4))
        let email = "Canary.\(tag)@Example.org"
        let phone = "+1 (415) 555-\(digits)"
        let name = "Zyx\(tag)"
        let id = E2EJSON.uniqueID()
        let user =
            "\"em\":\(E2EJSON.quote(email)),\"ph\":\(E2EJSON.quote(phone)),\"fn\":\(E2EJSON.quote(name)),\"email\":\(E2EJSON.quote(email))"
        let r = try await E2E.post(E2E.event("Lead", id: id, extra: "\"user_data\":{\(user)}"), on: gw)
        #expect(r.status == 202, "\(r.text)")

        let pixelID = E2EJSON.uniqueID()
        let query =
            "id=\(E2E.shopPixel)&ev=Lead&eid=\(pixelID)&dl=\(QueryString.encode("https://shop.example.com/x"))"
            + "&\(QueryString.encode("ud[em]"))=\(QueryString.encode(email))&\(QueryString.encode("ud[ph]"))=\(QueryString.encode(phone))"
        let pixel = try await E2EClient.send(
            port: gw.port, "GET", "/tr?" + query,
            headers: [("Host", "track.example.com"), ("User-Agent", E2E.browserUA)])
        #expect(pixel.status == 200, "\(pixel.text)")

        let forwarded = try #require(await gw.dryRun.find(eventID: id)?.event)
        #expect(forwarded["user_data"]?["em"]?.arrayValue?.count == 1)
        #expect(await gw.dryRun.find(eventID: pixelID)?.event["user_data"]?["ph"]?.arrayValue?.count == 1)
        let normalisedPhone = "1415555" + digits
        for needle in [
            email, email.lowercased(), phone, normalisedPhone, name, name.lowercased(), QueryString.encode(email),
        ] {
            #expect(gw.filesContaining(needle).isEmpty, "raw PII \(needle) found in \(gw.filesContaining(needle))")
        }
        #expect(gw.filesOnDisk().count > 2, "the queue and the dry-run output are on disk")
        #expect(gw.log.contains("\"level\":\"debug\""), "the log runs at trace level, so every level was checked")
    }

    /// `pixel_id` in the body → the test code of the pixel(s) the event must reach.
    static let routes: [(pixelID: String?, codes: Set<String>)] = [
        (E2E.shopPixel, [E2E.testEventCode]),
        (E2E.secondShopPixel, [E2E.secondTestEventCode]),
        (nil, [E2E.testEventCode, E2E.secondTestEventCode]),
        (E2E.localPixel, [E2E.testEventCode, E2E.secondTestEventCode]),
    ]

    @Test(
        "an event goes to its pixel_id when the site owns it, else to every pixel of the site",
        arguments: routes.indices)
    func pixelRouting(route: Int) async throws {
        let gw = try await E2E.main.get()
        let (pixelID, codes) = Self.routes[route]
        let id = E2EJSON.uniqueID()
        let extra = pixelID.map { "\"pixel_id\":\"\($0)\"" } ?? ""
        #expect(try await E2E.post(E2E.event(id: id, extra: extra), on: gw).status == 202)
        // Both pixels are FIFO: once a fanned-out marker sent later reached both, the event is wherever it goes.
        let marker = E2EJSON.uniqueID()
        #expect(try await E2E.post(E2E.event(id: marker), on: gw).status == 202)
        #expect(await gw.dryRun.findAll(eventID: marker, atLeast: 2).count == 2)
        let reached = Set(
            await gw.dryRun.findAll(eventID: id, atLeast: codes.count).compactMap {
                $0.request["test_event_code"]?.stringValue
            })
        #expect(reached == codes)
        #expect(await gw.dryRun.findAll(eventID: id, atLeast: codes.count).count == codes.count)
    }

    @Test(
        "with no pixel configured, an event's own numeric pixel_id gets a queue for the first eight ids; others go to dry-run"
    )
    func unconfiguredPixelIDsAreBounded() async throws {
        let gw = try await E2EGateway.start(config: #"{ "server": { "rate_limit": { "per_second": 0 } } }"#)
        defer { _ = gw.process.stop() }
        let numeric = (1...12).map { "9000000000000\(String(format: "%02d", $0))" }
        var ids: [String] = []
        for pixel in numeric + ["abc123", String(repeating: "7", count: 21), ""] {
            let id = E2EJSON.uniqueID()
            ids.append(id)
            let r = try await E2E.post(
                E2E.event(id: id, extra: "\"pixel_id\":\"\(pixel)\""), headers: E2E.browserHeaders(), on: gw)
            #expect(r.status == 202, "\(r.text)")
        }
        for id in ids { #expect(await gw.dryRun.find(eventID: id) != nil, "\(id)") }
        let queues = try FileManager.default.contentsOfDirectory(atPath: gw.dataDir + "/queue").sorted()
        #expect(queues == Array(numeric.prefix(8)) + ["dry-run"], "\(queues)")
        // An id seen before keeps its queue after the cap is reached.
        let again = E2EJSON.uniqueID()
        #expect(try await E2E.post(E2E.event(id: again, extra: "\"pixel_id\":\"\(numeric[0])\""), on: gw).status == 202)
        #expect(await gw.dryRun.find(eventID: again) != nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: gw.dataDir + "/queue").sorted() == queues)
    }

    @Test("already-hashed values pass through lowercased, repeated values are sent once, invalid ones are dropped")
    func hashedAndArrays() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let upper = "62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F"
        let user = "\"em\":[\"\(upper)\",\" john_smith@GMAIL.com \"],\"ph\":[\"(650)555-1212\",\"12\"],\"ge\":\"robot\""
        #expect(try await E2E.post(E2E.event(id: id, extra: "\"user_data\":{\(user)}"), on: gw).status == 202)
        let userData = try #require(await gw.dryRun.find(eventID: id)?.event["user_data"])
        #expect(userData["em"] == .array([.string(Self.vectors[0].hash)]))
        #expect(userData["ph"] == .array([.string(Self.vectors[1].hash)]))
        #expect(userData["ge"] == nil)
    }

    @Test("without event_source_url the Referer header is the page URL, and its fbclid mints _fbc")
    func refererIsPageURL() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let referer = "https://shop.example.com/landing?fbclid=IwAR_referer_click"
        let r = try await E2E.post(
            E2E.event(id: id, url: nil), headers: E2E.browserHeaders() + [("Referer", referer)], on: gw)
        #expect(r.status == 202, "\(r.text)")
        let event = try #require(await gw.dryRun.find(eventID: id)?.event)
        #expect(event["event_source_url"]?.stringValue == referer)
        #expect(event["user_data"]?["fbc"]?.stringValue?.hasSuffix(".IwAR_referer_click") == true)
        #expect(r.setCookie("_fbc")?.contains(".IwAR_referer_click;") == true)
    }

    @Test("opt_out and the LDU fields are passed to Meta as given")
    func passThrough() async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let extra =
            "\"opt_out\":true,\"data_processing_options\":[\"LDU\"],\"data_processing_options_country\":1,\"data_processing_options_state\":1000"
        #expect(try await E2E.post(E2E.event(id: id, extra: extra), on: gw).status == 202)
        let event = try #require(await gw.dryRun.find(eventID: id)?.event)
        #expect(event["opt_out"] == .bool(true))
        #expect(event["data_processing_options"] == .array([.string("LDU")]))
        #expect(event["data_processing_options_country"] == .number("1"))
        #expect(event["data_processing_options_state"] == .number("1000"))
    }
}
