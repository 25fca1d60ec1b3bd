// SPDX-License-Identifier: Apache-2.0

@testable import RelayHTTP

/// What one parse call produced, comparable in `#expect`.
enum ParseOutcome: Equatable, CustomStringConvertible {
    case needMore
    case request(HTTPRequest, consumed: Int)
    case error(HTTPParseError)

    var status: Int? {
        if case .error(let e) = self { return e.status }
        return nil
    }

    var request: HTTPRequest? {
        if case .request(let r, _) = self { return r }
        return nil
    }

    var description: String {
        switch self {
        case .needMore: "needMore"
        case .request(let r, let n): "request(\(r.method) \(r.target), consumed: \(n))"
        case .error(let e): "error(\(e))"
        }
    }
}

extension HTTPRequestParser {
    /// One parse call as a `ParseOutcome`.
    mutating func outcome(_ bytes: ArraySlice<UInt8>) -> ParseOutcome {
        bytes.withUnsafeBytes { raw in
            do throws(HTTPParseError) {
                switch try parse(raw) {
                case .needMore: return .needMore
                case .request(let r, let n): return .request(r, consumed: n)
                }
            } catch {
                return .error(error)
            }
        }
    }

    mutating func outcome(_ bytes: [UInt8]) -> ParseOutcome { outcome(bytes[...]) }
}

/// Bytes of a string; write requests with explicit `\r\n`.
func httpBytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Parses `input` in one call with a fresh parser.
func parseOnce(_ input: [UInt8], limits: HTTPParserLimits = HTTPParserLimits()) -> ParseOutcome {
    var parser = HTTPRequestParser(limits: limits)
    return parser.outcome(input)
}

func parseOnce(_ input: String, limits: HTTPParserLimits = HTTPParserLimits()) -> ParseOutcome {
    parseOnce(httpBytes(input), limits: limits)
}

/// Parses every pipelined request in `input`, stopping at the first needMore or error.
func parseAll(_ input: [UInt8], limits: HTTPParserLimits = HTTPParserLimits()) -> (
    requests: [HTTPRequest], last: ParseOutcome
) {
    var parser = HTTPRequestParser(limits: limits)
    var start = 0
    var requests: [HTTPRequest] = []
    while true {
        let out = parser.outcome(input[start...])
        guard case .request(let r, let n) = out else { return (requests, out) }
        precondition(n > 0 && start + n <= input.count, "parser consumed \(n) bytes at \(start) of \(input.count)")
        requests.append(r)
        start += n
    }
}

/// Feeds growing prefixes of `input` to one parser, as a slow client would, and returns the
/// first outcome that is not needMore (or needMore if the input ends first).
func parseGrowing(_ input: [UInt8], cuts: [Int], limits: HTTPParserLimits = HTTPParserLimits()) -> ParseOutcome {
    var parser = HTTPRequestParser(limits: limits)
    for cut in cuts + [input.count] where cut <= input.count {
        let out = parser.outcome(input[..<cut])
        if out != .needMore { return out }
    }
    return .needMore
}

/// SplitMix64: a small seeded generator so property tests are reproducible.
struct ParserRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The request wrk sends with shared/bench/beacon.lua (4 headers + a ~600-byte JSON body).
let parserBeaconBody =
    #"{"event_name":"Purchase","event_id":"ord-100045872-7f3c9a2e-5b1d-4e8a-9c6f-2d7e8b1a4c90","event_source_url":"https://shop.example.com/checkout/thank-you?order=100045872&utm_source=newsletter&utm_medium=email&utm_campaign=winter_sale","action_source":"website","custom_data":{"value":149.99,"currency":"EUR","content_ids":["SKU-10482","SKU-20931","SKU-33310"],"content_type":"product","num_items":3},"user_data":{"em":"jane.doe+shop@example.com","ph":"+49 151 2345 6789","fbp":"fb.1.1767225512345.1234567890","fbc":"fb.1.1767225500000.IwAR2xYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd"}}"#

let parserBeaconRequest: [UInt8] = httpBytes(
    "POST /events HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: text/plain;charset=UTF-8\r\n"
        + "Origin: https://shop.example.com\r\n"
        + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36\r\n"
        + "Content-Length: \(parserBeaconBody.utf8.count)\r\n\r\n" + parserBeaconBody)
