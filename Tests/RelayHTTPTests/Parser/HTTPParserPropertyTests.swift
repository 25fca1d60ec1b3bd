// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayHTTP

/// Split feeding, pipelining and fuzzing (reliability.md H2, H6).
@Suite struct HTTPParserPropertyTests {
    static let samples: [(String, [UInt8])] = [
        ("beacon", parserBeaconRequest),
        (
            "GET with query",
            httpBytes(
                "GET /tr?id=1&ev=Lead&cd[value]=9.5 HTTP/1.1\r\nHost: shop.example.com\r\nCookie: _fbp=fb.1.2.3\r\n\r\n"
            )
        ),
        (
            "chunked with trailer",
            httpBytes(
                "POST /events HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n"
            )
        ),
        ("HTTP/1.0 with leading CRLF", httpBytes("\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")),
    ]

    @Test("a request cut at any byte gives needMore, then the identical request once complete")
    func everySplitPoint() throws {
        for (name, input) in Self.samples {
            let whole = parseOnce(input)
            #expect(whole.request != nil, "\(name)")
            for cut in 0..<input.count {
                var parser = HTTPRequestParser()
                #expect(parser.outcome(input[..<cut]) == .needMore, "\(name) cut at \(cut)")
                #expect(parser.outcome(input) == whole, "\(name) cut at \(cut)")
            }
        }
    }

    @Test("feeding one byte at a time from a buffer that moves on every call gives the same request")
    func byteByByteMovingBuffer() {
        for (name, input) in Self.samples {
            var parser = HTTPRequestParser()
            var last = ParseOutcome.needMore
            for count in 1...input.count {
                let moved = Array(input[..<count])  // a fresh allocation each time
                last = parser.outcome(moved)
                if count < input.count { #expect(last == .needMore, "\(name) at \(count)") }
            }
            #expect(last == parseOnce(input), "\(name)")
        }
    }

    @Test("random valid requests parse to exactly what was sent, whole, split and pipelined")
    func randomValidRequests() {
        var rng = ParserRNG(seed: 0x5EED_0001)
        for iteration in 0..<1500 {
            let batch = (0..<3).map { _ in RandomHTTPRequest.make(using: &rng) }
            let first = batch[0]
            #expect(
                parseOnce(first.wire) == .request(first.expected, consumed: first.wire.count), "iteration \(iteration)")
            let cuts = (0..<3).map { _ in Int.random(in: 0...first.wire.count, using: &rng) }.sorted()
            #expect(
                parseGrowing(first.wire, cuts: cuts) == .request(first.expected, consumed: first.wire.count),
                "iteration \(iteration) cuts \(cuts)")
            let (requests, last) = parseAll(batch.flatMap(\.wire))
            #expect(requests == batch.map(\.expected), "iteration \(iteration)")
            #expect(last == .needMore)
        }
    }

    static let interesting: [UInt8] = [
        0x0D, 0x0A, 0x20, 0x09, 0x3A, 0x00, 0x3B, 0x2C, 0x30, 0x39, 0x61, 0x46, 0x2B, 0x2D, 0x7F, 0x80, 0xFF,
    ]

    static func mutate(_ input: [UInt8], using rng: inout ParserRNG) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where at < bytes.count: bytes[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            case 1: bytes.insert(interesting.randomElement(using: &rng)!, at: at)
            case 2 where at < bytes.count: bytes.remove(at: at)
            case 3 where at < bytes.count: bytes[at] = interesting.randomElement(using: &rng)!
            case 4:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &rng))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            default: bytes.removeLast(Int.random(in: 0...min(bytes.count, 8), using: &rng))
            }
        }
        return bytes
    }

    @Test(
        "100k mutated and random inputs never crash or hang: each yields requests, needMore or a 4xx/5xx, the same however split"
    )
    func fuzz() {
        var rng = ParserRNG(seed: 0xF022_0002)
        let limits = HTTPParserLimits(maxRequestLine: 256, maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 1024)
        let edgeSeeds = [
            httpBytes("GET /\(String(repeating: "p", count: 240)) HTTP/1.1\r\nHost: a\r\n\r\n"),
            httpBytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
            httpBytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ]
        let seeds = (0..<200).map { _ in RandomHTTPRequest.make(using: &rng).wire } + Self.samples.map(\.1) + edgeSeeds
        let statuses = [400, 413, 414, 431, 501, 505]
        var errors = [Int](repeating: 0, count: statuses.count)
        var needMore = 0
        var requests = 0
        for iteration in 0..<100_000 {
            let input: [UInt8]
            if iteration % 10 == 0 {
                input = (0..<Int.random(in: 0...300, using: &rng)).map { _ in
                    Bool.random(using: &rng)
                        ? UInt8.random(in: 0...255, using: &rng) : Self.interesting.randomElement(using: &rng)!
                }
            } else {
                input = Self.mutate(seeds.randomElement(using: &rng)!, using: &rng)
            }
            // Parse every pipelined request; each must consume at least one byte, so this ends.
            var parser = HTTPRequestParser(limits: limits)
            var start = 0
            var first: ParseOutcome?
            while true {
                let out = parser.outcome(input[start...])
                if first == nil { first = out }
                guard case .request(_, let consumed) = out else {
                    if case .error(let e) = out {
                        guard let k = statuses.firstIndex(of: e.status) else {
                            Issue.record("status \(e.status) for \(input)")
                            break
                        }
                        errors[k] += 1
                    } else {
                        needMore += 1
                    }
                    break
                }
                if consumed < 1 || start + consumed > input.count {
                    Issue.record("consumed \(consumed) at \(start) of \(input)")
                }
                requests += 1
                start += consumed
            }
            // Split feeding is checked on a quarter of the inputs: throwing is slow under the test runner.
            if iteration % 4 == 0 {
                let cuts = (0..<2).map { _ in Int.random(in: 0...input.count, using: &rng) }.sorted()
                let split = parseGrowing(input, cuts: cuts, limits: limits)
                if split != first { Issue.record("split at \(cuts) changed \(first!) into \(split) for \(input)") }
            }
        }
        // The corpus must reach every outcome, or the property says little.
        #expect(needMore > 0)
        #expect(requests > 0)
        for (status, count) in zip(statuses, errors) { #expect(count > 0, "no \(status) among \(errors)") }
    }
}
