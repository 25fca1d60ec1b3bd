// SPDX-License-Identifier: Apache-2.0

@testable import RelayHTTP

/// A random valid request: its wire bytes and the request the parser must produce from them.
struct RandomHTTPRequest {
    var wire: [UInt8]
    var expected: HTTPRequest

    static let tokenChars = Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
    static let pathChars = Array(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/%[]|{}^`\"<>\\".utf8)

    static func make(using rng: inout ParserRNG) -> RandomHTTPRequest {
        let methods: [HTTPMethod] = [
            .get, .head, .post, .put, .delete, .options, .patch, .other("PROPFIND"), .other("x"),
        ]
        let method = methods.randomElement(using: &rng)!
        var target =
            "/"
            + String(
                decoding: (0..<Int.random(in: 0...30, using: &rng)).map { _ in pathChars.randomElement(using: &rng)! },
                as: UTF8.self)
        if Bool.random(using: &rng) {
            target +=
                "?"
                + String(
                    decoding: (0..<Int.random(in: 0...40, using: &rng)).map { _ in pathChars.randomElement(using: &rng)!
                    }, as: UTF8.self)
        }
        if Int.random(in: 0..<10, using: &rng) == 0 { target = "http://example.com" + target }
        let version: HTTPVersion = Int.random(in: 0..<5, using: &rng) == 0 ? .http1_0 : .http1_1
        var wire = Array("\(method.name) \(target) HTTP/\(version == .http1_1 ? "1.1" : "1.0")\r\n".utf8)
        if Bool.random(using: &rng) { wire = Array("\r\n".utf8) + wire }

        var fields: [(String, [UInt8])] = []
        if version == .http1_1 || Bool.random(using: &rng) { fields.append(("Host", Array("example.com:8080".utf8))) }
        for _ in 0..<Int.random(in: 0...8, using: &rng) {
            let name =
                "X-"
                + String(
                    decoding: (0..<Int.random(in: 1...12, using: &rng)).map { _ in
                        tokenChars.randomElement(using: &rng)!
                    }, as: UTF8.self)
            fields.append((name, randomValue(using: &rng)))
        }
        let connection = ["close", "keep-alive", "Keep-Alive, Upgrade", "upgrade"].randomElement(using: &rng)!
        if Bool.random(using: &rng) {
            fields.insert(("Connection", Array(connection.utf8)), at: Int.random(in: 0...fields.count, using: &rng))
        }

        let body = (0..<[0, 0, 1, 17, 600, 3000].randomElement(using: &rng)!).map { _ in
            UInt8.random(in: 0...255, using: &rng)
        }
        let chunked = version == .http1_1 && Int.random(in: 0..<3, using: &rng) == 0
        if chunked {
            fields.append(("Transfer-Encoding", Array("chunked".utf8)))
        } else if !body.isEmpty || Bool.random(using: &rng) {
            fields.append(("Content-Length", Array(String(body.count).utf8)))
        }

        var expectedHeaders = HTTPHeaders()
        let ows: [[UInt8]] = [[], [0x20], [0x09], [0x20, 0x09, 0x20]]
        for (name, value) in fields {
            wire += Array(name.utf8)
            wire.append(0x3A)
            wire += ows.randomElement(using: &rng)!
            wire += value
            wire += ows.randomElement(using: &rng)!
            wire += [0x0D, 0x0A]
            expectedHeaders.add(name: name, value: String(decoding: value, as: UTF8.self))
        }
        wire += [0x0D, 0x0A]
        wire += chunked ? chunkedWire(body, using: &rng) : body

        let expected = HTTPRequest(
            method: method, target: target, version: version, headers: expectedHeaders, body: body)
        return RandomHTTPRequest(wire: wire, expected: expected)
    }

    /// A value without surrounding whitespace: printable ASCII, inner SP/HTAB, some obs-text.
    static func randomValue(using rng: inout ParserRNG) -> [UInt8] {
        let count = Int.random(in: 0...40, using: &rng)
        var value = (0..<count).map { _ -> UInt8 in
            switch Int.random(in: 0..<20, using: &rng) {
            case 0: 0x20
            case 1: 0x09
            case 2: UInt8.random(in: 0x80...0xFF, using: &rng)
            default: UInt8.random(in: 0x21...0x7E, using: &rng)
            }
        }
        while let first = value.first, first == 0x20 || first == 0x09 { value.removeFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
        return value
    }

    static func chunkedWire(_ body: [UInt8], using rng: inout ParserRNG) -> [UInt8] {
        var wire: [UInt8] = []
        var rest = body[...]
        while !rest.isEmpty {
            let n = Int.random(in: 1...rest.count, using: &rng)
            var size = String(n, radix: 16, uppercase: Bool.random(using: &rng))
            if Int.random(in: 0..<4, using: &rng) == 0 { size = "0" + size }
            if Int.random(in: 0..<4, using: &rng) == 0 { size += ";ext=\"v\"" }
            wire += Array("\(size)\r\n".utf8) + rest.prefix(n) + [0x0D, 0x0A]
            rest = rest.dropFirst(n)
        }
        wire += Array("0\r\n".utf8)
        if Bool.random(using: &rng) { wire += Array("X-Trailer: t\r\n".utf8) }
        return wire + [0x0D, 0x0A]
    }
}
