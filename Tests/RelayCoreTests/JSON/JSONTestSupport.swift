// SPDX-License-Identifier: Apache-2.0
import RelayCore

/// SplitMix64: a tiny, fast, seedable generator so every generated corpus is reproducible.
struct JSONTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
}

/// Generates random JSON trees and writes them in varied but valid styles: any of the four
/// whitespace characters between tokens, every escape form (short, `\u` upper/lower case,
/// surrogate pairs, `\/`), and every number form (`-0`, fractions, `e`/`E`, signed exponents).
struct JSONDocumentGenerator {
    var random: JSONTestRandom
    var maxDepth = 5

    init(seed: UInt64) { random = JSONTestRandom(seed: seed) }

    mutating func document() -> [UInt8] {
        var out: [UInt8] = []
        whitespace(&out)
        value(depth: 0, into: &out)
        whitespace(&out)
        return out
    }

    private mutating func value(depth: Int, into out: inout [UInt8]) {
        let containerChance = depth >= maxDepth ? 0.0 : (depth == 0 ? 0.85 : 0.3)
        if random.chance(containerChance) {
            if random.chance(0.5) { array(depth: depth, into: &out) } else { object(depth: depth, into: &out) }
            return
        }
        switch Int.random(in: 0..<10, using: &random) {
        case 0: out += Array("true".utf8)
        case 1: out += Array("false".utf8)
        case 2: out += Array("null".utf8)
        case 3, 4, 5: number(into: &out)
        default: string(Self.randomText(using: &random), into: &out)
        }
    }

    private mutating func array(depth: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        let count = Int.random(in: 0...6, using: &random)
        whitespace(&out)
        for index in 0..<count {
            if index > 0 { out.append(UInt8(ascii: ",")); whitespace(&out) }
            value(depth: depth + 1, into: &out)
            whitespace(&out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private mutating func object(depth: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        let count = Int.random(in: 0...6, using: &random)
        whitespace(&out)
        var keys: [String] = []
        while keys.count < count {
            // Keys are distinct as Swift strings (canonical equivalence), the parser's rule.
            let key = random.chance(0.7) ? random.pick(Self.commonKeys) : Self.randomText(using: &random)
            if keys.contains(key) { continue }
            if !keys.isEmpty { out.append(UInt8(ascii: ",")); whitespace(&out) }
            keys.append(key)
            string(key, into: &out)
            whitespace(&out)
            out.append(UInt8(ascii: ":"))
            whitespace(&out)
            value(depth: depth + 1, into: &out)
            whitespace(&out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private mutating func whitespace(_ out: inout [UInt8]) {
        guard random.chance(0.3) else { return }
        for _ in 0..<Int.random(in: 1...3, using: &random) { out.append(random.pick([0x20, 0x09, 0x0A, 0x0D])) }
    }

    private mutating func number(into out: inout [UInt8]) {
        var text = ""
        if random.chance(0.3) { text += "-" }
        text +=
            random.chance(0.2)
            ? "0"
            : String(UInt64.random(in: 1...UInt64.max, using: &random) >> UInt64.random(in: 0...63, using: &random))
        if random.chance(0.4) { text += "." + String(UInt32.random(in: 0...99999, using: &random)) }
        if random.chance(0.3) {
            text +=
                random.pick(["e", "E"]) + random.pick(["", "+", "-"]) + String(Int.random(in: 0...320, using: &random))
        }
        out += Array(text.utf8)
    }

    private mutating func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let mustEscape = v < 0x20 || v == 0x22 || v == 0x5C
            if mustEscape || random.chance(0.08) {
                escape(scalar, into: &out)
            } else {
                out += Array(String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ scalar: Unicode.Scalar, into out: inout [UInt8]) {
        let short: [UInt32: String] = [
            0x22: "\\\"", 0x5C: "\\\\", 0x2F: "\\/", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t",
        ]
        if let s = short[scalar.value], random.chance(0.7) {
            out += Array(s.utf8)
            return
        }
        let upper = random.chance(0.5)
        for unit in String(scalar).utf16 {
            var hex = String(unit, radix: 16, uppercase: upper)
            while hex.count < 4 { hex = "0" + hex }
            out += Array(("\\u" + hex).utf8)
        }
    }

    static let commonKeys = [
        "event_name", "event_id", "em", "ph", "value", "currency", "a", "b", "K", "é", "user_data",
    ]

    /// Text mixing ASCII, controls, quotes, backslashes, 2/3/4-byte scalars and a Kelvin sign.
    static func randomText(using random: inout JSONTestRandom) -> String {
        let pool: [Unicode.Scalar] = [
            "a", "z", "A", "0", " ", "/", "\"", "\\", "\u{0}", "\u{1}", "\u{8}", "\u{9}", "\u{A}", "\u{C}", "\u{D}",
            "\u{1F}", "\u{7F}", "é", "ß", "€", "\u{FFFF}", "\u{E000}", "😀", "\u{10FFFF}", "\u{301}", "\u{212A}", "中",
        ]
        var scalars = String.UnicodeScalarView()
        let length =
            random.chance(0.1) ? Int.random(in: 16...80, using: &random) : Int.random(in: 0...12, using: &random)
        for _ in 0..<length {
            // Mostly plain letters so that the fast paths get long runs.
            if random.chance(0.6) {
                scalars.append(Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &random)))
            } else {
                scalars.append(random.pick(pool))
            }
        }
        return String(scalars)
    }
}

/// Seeded byte-level mutations of valid documents: the shapes of damage a fuzzer tries first.
struct JSONMutator {
    var random: JSONTestRandom
    /// Bytes most likely to change the meaning of a JSON document.
    static let interesting: [UInt8] =
        Array("{}[],:\"\\-+.0123456789eEtfnu /'".utf8) + [
            0x00, 0x09, 0x0A, 0x0B, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
        ]

    init(seed: UInt64) { random = JSONTestRandom(seed: seed) }

    mutating func mutate(_ document: [UInt8], donor: [UInt8]) -> [UInt8] {
        var bytes = document
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !bytes.isEmpty:  // bit flip
                bytes[position] ^= 1 << UInt8.random(in: 0...7, using: &random)
            case 1:  // insertion
                bytes.insert(random.pick(Self.interesting), at: position)
            case 2 where !bytes.isEmpty:  // replacement
                bytes[position] = random.pick(Self.interesting)
            case 3 where !bytes.isEmpty:  // deletion of a short range
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...4, using: &random)))
            case 4:  // truncation
                bytes.removeSubrange(position...)
            case 5 where !donor.isEmpty:  // splice a piece of another document
                let from = Int.random(in: 0..<donor.count, using: &random)
                let to = min(donor.count, from + Int.random(in: 1...24, using: &random))
                bytes.insert(contentsOf: donor[from..<to], at: position)
            default:  // duplicate a range in place
                let to = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: Array(bytes[position..<to]), at: position)
            }
        }
        return bytes
    }
}

/// Hand-written documents shared by the differential and fuzz tests as seeds.
enum JSONSeedDocuments {
    static let beacon =
        #"{"event_name":"Purchase","event_id":"ord-100045872-7f3c9a2e-5b1d-4e8a-9c6f-2d7e8b1a4c90","event_source_url":"https://shop.example.com/checkout/thank-you?order=100045872&utm_source=newsletter&utm_medium=email&utm_campaign=winter_sale","action_source":"website","custom_data":{"value":149.99,"currency":"EUR","content_ids":["SKU-10482","SKU-20931","SKU-33310"],"content_type":"product","num_items":3},"user_data":{"em":"jane.doe+shop@example.com","ph":"+49 151 2345 6789","fbp":"fb.1.1767225512345.1234567890","fbc":"fb.1.1767225500000.IwAR2xYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd"}}"#

    static let all: [String] = [
        beacon,
        #"{"data":[{"event_name":"Lead","event_time":1764412800,"user_data":{"em":["a@b.c"],"fn":"J\u00f6rg"},"opt_out":false}]}"#,
        #"[{"events":[]},{"a":null,"b":[true,false,-0.5e-3,1E+2,0]},"\ud83d\ude00 \u20AC \"q\" \\ \/ \b\f\n\r\t"]"#,
        "{\"é\": \"ß€😀\", \"k\": [ 1 , 2 ,\t3 ]\r\n}",
        #"{"nested":{"a":{"b":{"c":{"d":[[[[{}]]]]}}}},"n":-12345678901234567890.125e-7}"#,
        "\"plain string with no escapes that is longer than eight bytes\"",
        "-0", "1e400", "true", "null", "[]", "{}",
    ]
}
