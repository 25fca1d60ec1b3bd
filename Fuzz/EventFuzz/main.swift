// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the beacon pipeline: the bytes of a `POST /events` body through both parse
// paths and EventProcessor. Compiled together with the RelayCore sources it tests as one module; run
// it with `scripts/fuzz.sh event [seconds]`.
//
// Checks, for every input, under three request contexts (bare, browser with cookies and a click,
// server-to-server):
// - no crash, no hang, no out-of-bounds read (ASan);
// - the one-event fast path (`BeaconEvent.scan`) and the full path (`JSONParser` + `BeaconBody`) agree:
//   a body the scanner takes parses as exactly one event, and processing either gives the same
//   result (payload bytes, ids, match keys, cookies, dropped fields, warnings, or the same rejection);
// - every accepted event's payload is JSON whose `event_name` / `event_id` are the event's, and whose
//   customer identifiers (`em`, `ph`, … in `user_data`) are SHA-256 hex only: raw PII never leaves;
// - the same input read as `/tr` parameters (TrackingParameters) gives payloads with the same
//   properties;
// - the same input read as request headers: the client address resolved through any chain is a
//   canonical address, and whatever a client sends, the element a trusted proxy appends after it
//   decides the address; an `_fbp` after the client's cookies is found; and what may go into a
//   `Set-Cookie` (`_fbp` / `_fbc` values, a `fbclid`) is cookie-octets only (no header injection);
// - the ASCII fast paths used on every beacon match their general forms on the same text: the
//   `fbclid` lookup, the `Host` name, step 1 of normalisation and the NFC shortcut.

let fuzzNowMs: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
nonisolated(unsafe) let fastProcessor = EventProcessor(currentYear: 2026)
nonisolated(unsafe) let fullProcessor = EventProcessor(currentYear: 2026)

/// Stops with a message (kept in -O builds) so libFuzzer saves the input as a crash reproducer.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// Byte equality: `String ==` is canonical equivalence, which would hide a fast path that returns
/// another spelling of the same text.
func same(_ a: String?, _ b: String?) -> Bool {
    a.map { Array($0.utf8) } == b.map { Array($0.utf8) }
}

func same(_ a: [String], _ b: [String]) -> Bool {
    a.map { Array($0.utf8) } == b.map { Array($0.utf8) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvent(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    for context in contexts() { checkPipeline(body, context) }
    let text = String(decoding: body, as: UTF8.self)
    checkTrackingParameters(text)
    checkHeaders(text)
    if size <= 512 { checkFastPaths(text) }
    return 0
}

/// `/tr?…`: every event the parameters make processes to a payload that passes ``checkPayload(_:)``.
func checkTrackingParameters(_ query: String) {
    guard case .success(let events) = TrackingParameters.event(from: QueryString.parse(query)) else { return }
    for context in contexts() {
        var c = context
        for event in events {
            if case .success(let processed) = fullProcessor.process(event, context: &c) { checkPayload(processed) }
        }
    }
}

func contexts() -> [IngestContext] {
    let bare = IngestContext(nowMs: fuzzNowMs)
    var browser = IngestContext(nowMs: fuzzNowMs)
    browser.clientIP = "203.0.113.7"
    browser.userAgent = "Mozilla/5.0 (X11; Linux x86_64)"
    browser.referer = "https://shop.example.com/p?fbclid=IwAR0fuzz"
    browser.cookieFbp = "fb.1.1767225512345.1234567890"
    browser.cookieFbc = "fb.1.1767225500000.IwAR0old"
    browser.defaultCountry = "de"
    browser.cookieIndex = 2
    var server = browser
    server.trustedSource = true
    server.referer = nil
    server.cookieFbp = nil
    server.cookieFbc = nil
    return [bare, browser, server]
}

func checkPipeline(_ body: UnsafeRawBufferPointer, _ context: IngestContext) {
    let scanned = BeaconEvent.scan(body)
    let parsed: JSONValue
    do {
        parsed = try JSONParser.parse(body)
    } catch {
        check(scanned == nil, "the fast path took a body the parser refuses: \(error)")
        return
    }
    let events: [JSONValue]
    switch BeaconBody.events(in: parsed) {
    case .success(let list): events = list
    case .failure(let rejection):
        check(scanned == nil, "the fast path took a body BeaconBody refuses: \(rejection.message)")
        return
    }
    var fullContext = context
    var results: [Result<ProcessedEvent, EventRejection>] = []
    for event in events {
        let result = fullProcessor.process(event, context: &fullContext)
        if case .success(let processed) = result { checkPayload(processed) }
        results.append(result)
    }
    guard let scanned else { return }
    check(events.count == 1, "the fast path took a body of \(events.count) events")
    var fastContext = context
    let fast = fastProcessor.process(scanned, context: &fastContext)
    checkSame(fast, fastContext, results[0], fullContext)
}

/// The fast and full paths' results for one event, equal but for the random parts of minted values.
func checkSame(
    _ fast: Result<ProcessedEvent, EventRejection>, _ fastContext: IngestContext,
    _ full: Result<ProcessedEvent, EventRejection>, _ fullContext: IngestContext
) {
    switch (fast, full) {
    case (.failure(let a), .failure(let b)):
        check(same(a.message, b.message) && a.reason == b.reason, "rejections differ: fast \(a) / full \(b)")
    case (.success(var a), .success(let b)):
        check(a.mintedEventID == b.mintedEventID, "one path minted the event_id")
        var fastFbp = fastContext.setFbp
        if a.mintedEventID {
            a.payload = replacing(a.eventID, with: b.eventID, in: a.payload)
            a.eventID = b.eventID
        }
        // A minted `_fbp` ends in a random number: map the fast path's onto the full path's.
        if let f = fastFbp, let g = fullContext.setFbp, f != g, f.hasPrefix("fb."), g.hasPrefix("fb.") {
            a.payload = replacing(f, with: g, in: a.payload)
            fastFbp = g
        }
        check(same(fastFbp, fullContext.setFbp), "_fbp cookie differs")
        check(same(fastContext.setFbc, fullContext.setFbc), "_fbc cookie differs")
        check(same(a.eventID, b.eventID), "event_id differs: \(a.eventID) / \(b.eventID)")
        check(same(a.eventName, b.eventName), "event_name differs")
        check(a.eventTime == b.eventTime, "event_time differs")
        check(same(a.requestedPixelID, b.requestedPixelID), "pixel_id differs")
        check(a.matchKeys == b.matchKeys, "match keys differ")
        check(a.consentDenied == b.consentDenied, "consent differs")
        check(a.droppedFields == b.droppedFields, "dropped fields differ: \(a.droppedFields) / \(b.droppedFields)")
        check(same(a.warnings, b.warnings), "warnings differ: \(a.warnings) / \(b.warnings)")
        check(
            a.payload == b.payload,
            "payloads differ:\n\(String(decoding: a.payload, as: UTF8.self))\n\(String(decoding: b.payload, as: UTF8.self))"
        )
    case (.success, .failure(let b)):
        fatalError("only the full path refused: \(b.message)")
    case (.failure(let a), .success):
        fatalError("only the fast path refused: \(a.message)")
    }
}

/// The CAPI event is JSON that names the event, and its customer identifiers are hashes only.
func checkPayload(_ event: ProcessedEvent) {
    let value: JSONValue
    do {
        value = try JSONParser.parse(event.payload)
    } catch {
        fatalError("the payload is not JSON: \(error)")
    }
    check(same(value["event_name"]?.stringValue, event.eventName), "payload event_name differs")
    check(same(value["event_id"]?.stringValue, event.eventID), "payload event_id differs")
    guard let user = value["user_data"] else { return }
    guard case .object = user else { fatalError("user_data is not an object") }
    for field in PIIField.allCases {
        guard let v = user[field.rawValue] else { continue }
        switch v {
        case .string(let s): check(isHash(s), "user_data.\(field.rawValue) is not a SHA-256 hash")
        case .array(let items):
            check(!items.isEmpty, "user_data.\(field.rawValue) is an empty array")
            for item in items {
                guard case .string(let s) = item else { fatalError("user_data.\(field.rawValue) holds a non-string") }
                check(isHash(s), "user_data.\(field.rawValue) holds a value that is not a SHA-256 hash")
            }
        default: fatalError("user_data.\(field.rawValue) is neither a hash nor a list of hashes")
        }
    }
}

func isHash(_ s: String) -> Bool {
    s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
}

/// Every proxy trusted, so that the whole chain is read; one resolver per header choice.
let resolvers = ServerConfig.ClientIPHeader.allCases.map {
    ClientAddressResolver(trustedProxies: [CIDR("0.0.0.0/0")!, CIDR("::/0")!], header: $0)
}

/// A proxy at 10.0.0.1 that writes X-Forwarded-For, and one that writes Forwarded.
let behindProxy = [ServerConfig.ClientIPHeader.xForwardedFor, .forwarded].map {
    ClientAddressResolver(trustedProxies: [CIDR("10.0.0.0/8")!], header: $0)
}

/// The headers read on every beacon: `X-Forwarded-For` / `Forwarded`, `Cookie`, and a `fbclid`.
func checkHeaders(_ text: String) {
    for resolver in resolvers {
        let ip = resolver.resolve(peer: "10.0.0.1", forwardedFor: [text], forwarded: [text])
        check(same(IPAddress(ip)?.description, ip), "the resolved client address is not canonical: \(ip)")
    }
    // A proxy appends the peer it saw; no client text can hide that element.
    check(
        behindProxy[0].resolve(peer: "10.0.0.1", forwardedFor: [text + ", 203.0.113.7"], forwarded: [])
            == "203.0.113.7", "the client's X-Forwarded-For text hid the proxy's element")
    check(
        behindProxy[1].resolve(peer: "10.0.0.1", forwardedFor: [], forwarded: [text + ", for=203.0.113.7"])
            == "203.0.113.7", "the client's Forwarded text hid the proxy's element")
    let cookies = FacebookCookies.fromCookieHeader(text)
    if Array(text.utf8).firstRange(of: Array("_fbp".utf8)) == nil {
        check(
            same(FacebookCookies.fromCookieHeader(text + "; _fbp=fb.1.1767225512345.42").fbp, "fb.1.1767225512345.42"),
            "the client's cookie text hid the _fbp after it")
    }
    for value in [cookies.fbp, cookies.fbc, text] {
        guard let value, FacebookCookies.isWellFormed(value) else { continue }
        check(isCookieOctets(value), "a well-formed cookie value holds a byte a Set-Cookie cannot")
        let line = FacebookCookies.setCookie(name: "_fbc", value: value, domain: "example.com", secure: true)
        check(!line.utf8.contains { $0 < 0x20 || $0 == 0x7F }, "Set-Cookie holds a control character")
    }
    if FacebookCookies.isValidClickID(text) {
        check(isCookieOctets(text) && !text.utf8.contains(UInt8(ascii: ".")), "a valid fbclid cannot be in _fbc")
    }
}

/// RFC 6265 cookie-octets: visible ASCII but for `"`, `,`, `;` and `\`.
func isCookieOctets(_ s: String) -> Bool {
    s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x2C && $0 != 0x3B && $0 != 0x5C }
}

/// Each ASCII fast path against the general code on the same text.
func checkFastPaths(_ text: String) {
    for name in ["fbclid", "a", "a b"] {
        check(
            same(QueryString.value(named: name, inURL: text), generalQueryValue(named: name, inURL: text)),
            "QueryString.value fast path differs for \(name)")
    }
    check(same(URLParts.hostHeaderName(text), generalHostHeaderName(text)), "hostHeaderName fast path differs")
    check(same(UnicodeText.prepare(text).text, generalPrepare(text)), "UnicodeText.prepare fast path differs")
    check(
        same(UnicodeText.nfc(text), String(decoding: text._nfcCodeUnits, as: UTF8.self)), "the NFC shortcut differs")
}

/// `QueryString.value(named:inURL:)` by grapheme clusters only (its path for non-ASCII URLs).
func generalQueryValue(named name: String, inURL url: String) -> String? {
    guard let q = url.firstIndex(of: "?") else { return nil }
    var query = url[url.index(after: q)...]
    if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
    return QueryString.parse(query).first(where: { $0.key == name })?.value
}

/// `URLParts.hostHeaderName` by characters only (its path for non-ASCII values).
func generalHostHeaderName(_ value: String) -> String {
    var v = Substring(value)
    if v.hasPrefix("["), let close = v.firstIndex(of: "]") {
        return String(v[v.index(after: v.startIndex)..<close]).lowercased()
    }
    if let colon = v.firstIndex(of: ":") { v = v[..<colon] }
    return v.lowercased()
}

/// Step 1 of normalisation by Unicode properties only (`UnicodeText.prepare`'s path for non-ASCII text).
func generalPrepare(_ raw: String) -> String {
    let scalars = Array(String(decoding: raw._nfcCodeUnits, as: UTF8.self).unicodeScalars)
    var lower = 0
    var upper = scalars.count
    while lower < upper, scalars[lower].properties.isWhitespace { lower += 1 }
    while upper > lower, scalars[upper - 1].properties.isWhitespace { upper -= 1 }
    return UnicodeText.lowercased(scalars[lower..<upper])
}

func replacing(_ old: String, with new: String, in bytes: [UInt8]) -> [UInt8] {
    let o = Array(old.utf8)
    let n = Array(new.utf8)
    guard !o.isEmpty else { return bytes }
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
        if i + o.count <= bytes.count && bytes[i..<(i + o.count)].elementsEqual(o) {
            out += n
            i += o.count
        } else {
            out.append(bytes[i])
            i += 1
        }
    }
    return out
}
