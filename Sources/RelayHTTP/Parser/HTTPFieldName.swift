// SPDX-License-Identifier: Apache-2.0

/// Lowercases a field name once, returning a shared literal for the common names so that the
/// hot path neither builds a String for them nor compares strings to find the framing fields.
enum HTTPFieldName {
    /// Fields the parser itself acts on.
    enum Kind { case other, host, contentLength, transferEncoding, connection, expect }

    /// The lowercased name of the token `p[start..<end]` (already validated) and its kind.
    static func lookup(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) -> (String, Kind) {
        let name = UnsafeRawBufferPointer(rebasing: p[start..<end])
        func matches(_ literal: StaticString) -> Bool {
            let lit = literal.utf8Start
            for k in 0..<name.count where HTTPSyntax.lowercased(name[k]) != lit[k] { return false }
            return true
        }
        switch name.count {
        case 4 where matches("host"): return ("host", .host)
        case 6 where matches("origin"): return ("origin", .other)
        case 6 where matches("cookie"): return ("cookie", .other)
        case 6 where matches("accept"): return ("accept", .other)
        case 6 where matches("expect"): return ("expect", .expect)
        case 7 where matches("referer"): return ("referer", .other)
        case 9 where matches("forwarded"): return ("forwarded", .other)
        case 10 where matches("user-agent"): return ("user-agent", .other)
        case 10 where matches("connection"): return ("connection", .connection)
        case 12 where matches("content-type"): return ("content-type", .other)
        case 13 where matches("authorization"): return ("authorization", .other)
        case 14 where matches("content-length"): return ("content-length", .contentLength)
        case 15 where matches("accept-language"): return ("accept-language", .other)
        case 15 where matches("accept-encoding"): return ("accept-encoding", .other)
        case 15 where matches("x-forwarded-for"): return ("x-forwarded-for", .other)
        case 17 where matches("transfer-encoding"): return ("transfer-encoding", .transferEncoding)
        default:
            let lowered = String(unsafeUninitializedCapacity: name.count) { out in
                for k in 0..<name.count { out[k] = HTTPSyntax.lowercased(name[k]) }
                return name.count
            }
            return (lowered, .other)
        }
    }
}
