// SPDX-License-Identifier: Apache-2.0

/// Random beacons built from the members the processor knows, for `BeaconScanTests`: valid JSON
/// (mostly), with the members in any order, values of every type, optional whitespace, escapes,
/// non-ASCII text, repeated keys and unknown keys — the shapes byte mutation rarely reaches.
struct BeaconScanGenerator {
    var random: JSONTestRandom

    init(seed: UInt64) { random = JSONTestRandom(seed: seed) }

    static let topKeys = [
        "event_name", "event_id", "event_time", "action_source", "event_source_url", "custom_data", "user_data",
        "pixel_id", "consent", "opt_out", "referrer_url", "data_processing_options", "colour", "events", "data",
    ]
    static let userKeys = [
        "em", "ph", "fn", "ln", "db", "ge", "ct", "st", "zp", "country", "external_id", "fbc", "fbp",
        "client_ip_address", "client_user_agent", "lead_id", "email", "x",
    ]
    static let customKeys = ["value", "currency", "content_ids", "contents", "content_type", "num_items", "note"]
    static let strings = [
        "Purchase", "Lead", "PageView", "", "website", "app", "EUR", "usd", "149.99", "1794999000",
        "https://shop.example.com/p?fbclid=IwAR-x", "Jane.Doe@Example.com", "+49 151 2345 6789",
        "fb.1.1767225512345.42",
        "fb.1.1767225500000.IwAR2xYz", "café", "\\u00e9t\\u00e9", "a\\\"b", "line\\nbreak", "203.0.113.9", "denied",
        "granted", "m", "1990-01-31", "ü",
    ]
    static let numbers = ["0", "1", "-1", "149.99", "2.5e1", "1794999000", "1794999000123", "1e400", "-0.0", "94107"]

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }

    mutating func space() -> String { random.chance(0.1) ? pick([" ", "\n", "\t ", "\r\n"]) : "" }

    mutating func scalar() -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<5: return "\"\(pick(Self.strings))\""
        case 5..<8: return pick(Self.numbers)
        case 8: return pick(["true", "false"])
        default: return "null"
        }
    }

    mutating func value(depth: Int) -> String {
        guard depth < 3, random.chance(0.25) else { return scalar() }
        if random.chance(0.5) {
            let count = Int.random(in: 0...3, using: &random)
            return "[" + (0..<count).map { _ in space() + value(depth: depth + 1) + space() }.joined(separator: ",")
                + "]"
        }
        return object(keys: Self.customKeys, depth: depth + 1)
    }

    mutating func object(keys: [String], depth: Int) -> String {
        let count = Int.random(in: 0...5, using: &random)
        var members: [String] = []
        for _ in 0..<count {
            let key = pick(keys)
            let v: String
            switch key {
            case "user_data":
                v = random.chance(0.9) ? object(keys: Self.userKeys, depth: depth + 1) : value(depth: depth)
            case "custom_data":
                v = random.chance(0.9) ? object(keys: Self.customKeys, depth: depth + 1) : value(depth: depth)
            case "consent": v = "{\"ad_storage\":\(scalar())}"
            default: v = value(depth: depth)
            }
            members.append(space() + "\"\(key)\"" + space() + ":" + space() + v + space())
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A beacon: an object that usually starts with an `event_name`.
    mutating func beacon() -> [UInt8] {
        var body = object(keys: Self.topKeys, depth: 0)
        if random.chance(0.8) {
            let name = random.chance(0.9) ? "\"\(pick(["Purchase", "Lead", "PageView"]))\"" : scalar()
            body = "{\"event_name\":\(name)" + (body == "{}" ? "}" : "," + body.dropFirst())
        }
        return Array((space() + body + space()).utf8)
    }
}
