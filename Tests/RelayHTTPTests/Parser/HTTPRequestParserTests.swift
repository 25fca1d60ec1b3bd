// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayHTTP

@Suite struct HTTPRequestParserTests {
    @Test("the wrk beacon parses into method, path, ordered lowercased headers and the body")
    func beacon() throws {
        let out = parseOnce(parserBeaconRequest)
        guard case .request(let req, let consumed) = out else {
            Issue.record("expected a request, got \(out)")
            return
        }
        #expect(consumed == parserBeaconRequest.count)
        #expect(req.method == .post)
        #expect(req.target == "/events")
        #expect(req.path == "/events")
        #expect(req.query == "")
        #expect(req.version == .http1_1)
        #expect(req.headers.fields.map(\.name) == ["host", "content-type", "origin", "user-agent", "content-length"])
        #expect(req.headers["content-type"] == "text/plain;charset=UTF-8")
        #expect(req.headers["user-agent"]?.hasPrefix("Mozilla/5.0 (X11;") == true)
        #expect(req.body == Array(parserBeaconBody.utf8))
        #expect(req.keepAlive)
    }

    @Test("path and query are split at the first question mark, the query keeps everything after it")
    func targetSplit() {
        let cases: [(target: String, path: String, query: String)] = [
            ("/tr?id=1&ev=Lead", "/tr", "id=1&ev=Lead"),
            ("/tr?", "/tr", ""),
            ("/a/b?x=1?y=2", "/a/b", "x=1?y=2"),
            ("/tr?cd[value]=1&dl=https%3A%2F%2Fx|{}", "/tr", "cd[value]=1&dl=https%3A%2F%2Fx|{}"),
            ("http://example.com/events?x=1", "/events", "x=1"),
            ("HTTPS://example.com", "/", ""),
            ("http://example.com?x", "/", "x"),
        ]
        for c in cases {
            let req = parseOnce("GET \(c.target) HTTP/1.1\r\nHost: example.com\r\n\r\n").request
            #expect(req?.target == c.target)
            #expect(req?.path == c.path, "\(c.target)")
            #expect(req.map { String($0.query) } == c.query, "\(c.target)")
        }
    }

    @Test("the asterisk target is accepted for OPTIONS only")
    func asteriskForm() {
        #expect(parseOnce("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").request?.path == "*")
        #expect(parseOnce("GET * HTTP/1.1\r\nHost: a\r\n\r\n").status == 400)
    }

    @Test("known methods map to cases and other tokens are kept case-sensitively")
    func methods() {
        let cases: [(String, HTTPMethod)] = [
            ("GET", .get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
            ("OPTIONS", .options), ("PATCH", .patch), ("get", .other("get")), ("PROPFIND", .other("PROPFIND")),
            ("M-SEARCH", .other("M-SEARCH")), ("GETS", .other("GETS")),
        ]
        for (token, method) in cases {
            let req = parseOnce("\(token) / HTTP/1.1\r\nHost: a\r\n\r\n").request
            #expect(req?.method == method, "\(token)")
            #expect(req?.method.name == token)
        }
    }

    @Test("field values lose surrounding whitespace but keep inner whitespace and obs-text")
    func fieldValues() {
        let input =
            httpBytes("GET / HTTP/1.1\r\nHost:a\r\nX-A: \t one  two \t\r\nX-Empty:\r\nX-Empty2:   \r\nX-Latin: caf") + [
                0xC3, 0xA9,
            ]
            + httpBytes("\r\nX-A: second\r\n\r\n")
        guard let req = parseOnce(input).request else {
            Issue.record("expected a request")
            return
        }
        #expect(req.headers["host"] == "a")
        #expect(req.headers.values("x-a") == ["one  two", "second"])
        #expect(req.headers["x-empty"] == "")
        #expect(req.headers["x-empty2"] == "")
        #expect(req.headers["x-latin"] == "café")
        #expect(req.headers["missing"] == nil)
        #expect(req.headers.count == 6)
    }

    @Test("header names are lowercased once and token characters are all accepted")
    func fieldNames() {
        let req = parseOnce("GET / HTTP/1.1\r\nHOST: a\r\nX-Weird!#$%&'*+-.^_`|~09Az: v\r\n\r\n").request
        #expect(req?.headers.fields.map(\.name) == ["host", "x-weird!#$%&'*+-.^_`|~09az"])
    }

    @Test("keep-alive follows RFC 9112: 1.1 persists unless close, 1.0 needs keep-alive")
    func keepAlive() {
        let cases: [(version: String, connection: [String], keepAlive: Bool)] = [
            ("1.1", [], true),
            ("1.1", ["close"], false),
            ("1.1", ["Close"], false),
            ("1.1", ["keep-alive, close"], false),
            ("1.1", ["upgrade"], true),
            ("1.1", ["keep-alive"], true),
            ("1.1", ["x-close"], true),
            ("1.0", [], false),
            ("1.0", ["keep-alive"], true),
            ("1.0", ["Keep-Alive"], true),
            ("1.0", ["foo, , keep-alive "], true),
            ("1.0", ["keep-alive", "close"], false),
            ("1.0", ["keep-alives"], false),
        ]
        for c in cases {
            let fields = c.connection.map { "Connection: \($0)\r\n" }.joined()
            let req = parseOnce("GET / HTTP/\(c.version)\r\nHost: a\r\n\(fields)\r\n").request
            #expect(req?.keepAlive == c.keepAlive, "\(c)")
            // The public initialiser derives the same answer from the same fields.
            if let req {
                let rebuilt = HTTPRequest(method: .get, target: "/", version: req.version, headers: req.headers)
                #expect(rebuilt.keepAlive == c.keepAlive)
            }
        }
    }

    @Test("HTTP/1.0 needs no Host header, HTTP/1.1 does")
    func hostRequirement() {
        #expect(parseOnce("GET / HTTP/1.0\r\n\r\n").request?.version == .http1_0)
        #expect(
            parseOnce("GET / HTTP/1.1\r\n\r\n") == .error(HTTPParseError(status: 400, reason: "missing Host header")))
        #expect(parseOnce("GET / HTTP/1.1\r\nHost:\r\n\r\n").request?.headers["host"] == "")
        #expect(parseOnce("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").request != nil)
    }

    @Test("a POST without Content-Length or chunked has an empty body and leaves the rest for the next request")
    func postWithoutLength() {
        let (requests, last) = parseAll(
            httpBytes("POST /events HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(requests.map(\.method) == [.post, .get])
        #expect(requests.first?.body == [])
        #expect(last == .needMore)
    }

    @Test("pipelined requests in one buffer come out in order, each consuming exactly its bytes")
    func pipelining() {
        let one = httpBytes("GET /a HTTP/1.1\r\nHost: a\r\n\r\n")
        let two = httpBytes("POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc")
        let three = httpBytes("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n")
        let tail = httpBytes("GET /d HTTP/1.1\r\nHo")
        var parser = HTTPRequestParser()
        let input = one + two + three + parserBeaconRequest + tail
        var start = 0
        var seen: [(String, [UInt8], Int)] = []
        while case .request(let r, let n) = parser.outcome(input[start...]) {
            seen.append((r.target, r.body, n))
            start += n
        }
        #expect(seen.map(\.0) == ["/a", "/b", "/c", "/events"])
        #expect(seen.map(\.1) == [[], httpBytes("abc"), httpBytes("xy"), Array(parserBeaconBody.utf8)])
        #expect(seen.map(\.2) == [one.count, two.count, three.count, parserBeaconRequest.count])
        #expect(start == input.count - tail.count)
    }

    @Test("the array entry point parses from an offset and keeps the typed error")
    func arrayEntryPoint() throws {
        let one = httpBytes("GET /a HTTP/1.1\r\nHost: a\r\n\r\n")
        let input = one + httpBytes("GET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\nHost : a\r\n\r\n")
        var parser = HTTPRequestParser()
        var paths: [String] = []
        var start = 0
        do throws(HTTPParseError) {
            while case .request(let req, let consumed) = try parser.parse(input, from: start) {
                paths.append(req.path)
                start += consumed
            }
            Issue.record("expected an error for the third request")
        } catch {
            #expect(error.status == 400)  // `error` is an HTTPParseError here, not `any Error`
        }
        #expect(paths == ["/a", "/b"])
        #expect(start == input.count - 29)
        var fresh = HTTPRequestParser()
        #expect(try fresh.parse(one, from: one.count) == .needMore)
    }

    @Test("empty lines before a request-line are skipped and counted in consumed")
    func leadingEmptyLines() {
        let input = httpBytes("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let out = parseOnce(input)
        #expect(out.request?.path == "/")
        if case .request(_, let consumed) = out { #expect(consumed == input.count) }
        #expect(parseOnce("\r\n") == .needMore)
        #expect(parseOnce("\n") == .error(HTTPParseError(status: 400, reason: "bare LF as line terminator")))
    }

    @Test("isReadingBody is true only between the end of the head and the end of the body")
    func readingBody() {
        var parser = HTTPRequestParser()
        let input = httpBytes("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody")
        #expect(parser.outcome(input[..<20]) == .needMore)
        #expect(!parser.isReadingBody)
        #expect(parser.outcome(input[..<(input.count - 4)]) == .needMore)
        #expect(parser.isReadingBody)
        #expect(parser.expectsContinue)
        #expect(parser.outcome(input[..<(input.count - 1)]) == .needMore)
        #expect(parser.isReadingBody)
        #expect(parser.outcome(input).request?.body == httpBytes("body"))
        #expect(!parser.isReadingBody)
        #expect(!parser.expectsContinue)
    }

    @Test("after an error the parser repeats it until reset, then parses afresh")
    func stickyError() {
        var parser = HTTPRequestParser()
        let bad = httpBytes("GET / HTTP/1.1\r\nHost : a\r\n\r\n")
        let good = httpBytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let first = parser.outcome(bad)
        #expect(first.status == 400)
        #expect(parser.outcome(good) == first)
        parser.reset()
        #expect(parser.outcome(good).request?.path == "/")
    }

    @Test("an empty buffer needs more")
    func emptyBuffer() {
        var parser = HTTPRequestParser()
        #expect(parser.outcome([]) == .needMore)
    }

    @Test("HTTPHeaders keeps literal order, lowercases names and compares field by field")
    func headersValue() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-B": "1"]
        headers.add(name: "X-B", value: "2")
        #expect(headers.fields.map(\.name) == ["content-type", "x-b", "x-b"])
        #expect(headers.values("x-b") == ["1", "2"])
        #expect(headers == HTTPHeaders([("content-type", "a"), ("x-b", "1"), ("X-B", "2")]))
        #expect(headers != HTTPHeaders([("content-type", "a"), ("x-b", "2"), ("X-B", "1")]))
        #expect(Array(headers).count == 3)
    }
}
