// SPDX-License-Identifier: Apache-2.0
import RelayTestSupport
import Testing

@testable import RelayHTTP

/// reliability.md H2: valid requests, keep-alive and pipelining work, responses stay in request order.
@Suite struct HTTPServerKeepAliveTests {
    @Test("many requests on one keep-alive connection are all answered on that connection")
    func keepAliveServesManyRequests() throws {
        try TestServer.with { server in
            let client = try server.connect()
            for i in 0..<200 {
                let response = try #require(client.get("/n/\(i)"))
                #expect(response.status == 200)
                #expect(response.body == "GET /n/\(i) 0")
                #expect(response.header("Connection") == nil)
            }
            #expect(server.statistics.acceptedConnections == 1)
            #expect(server.statistics.requests == 200)
        }
    }

    @Test("pipelined requests sent in one write are answered in order", arguments: [2, 10, 32, 100])
    func pipelinedRequestsInOrder(count: Int) throws {
        try TestServer.with { server in
            let client = try server.connect()
            let batch = (0..<count).map { "GET /p/\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined()
            client.send(batch)
            let responses = client.readResponses(count)
            #expect(responses.map(\.body) == (0..<count).map { "GET /p/\($0) 0" })
        }
    }

    @Test("100 pipelined requests followed by a half-close are all answered before the server closes")
    func pipelinedThenHalfClose() throws {
        try TestServer.with({ $0.maxPipelinedRequests = 8 }) { server in
            let client = try server.connect()
            client.send((0..<100).map { "GET /delay/\($0 % 3)/\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
            client.shutdownWrite()
            let (responses, end) = client.responsesUntilClose()
            #expect(end == .closed)
            #expect(responses.map(\.body) == (0..<100).map { "GET /delay/\($0 % 3)/\($0) 0" })
        }
    }

    @Test("large pipelined responses beyond the output limit pause reading and keep their order")
    func outputBackpressure() throws {
        try TestServer.with({
            $0.maxPendingOutputBytes = 64 * 1024; $0.socketSendBufferBytes = 32 * 1024
        }) { server in
            let client = try server.connect()
            let sizes = [300_000, 10, 200_000, 70_000, 5]
            client.send(sizes.map { "GET /big/\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
            let responses = client.readResponses(sizes.count)
            #expect(responses.map { Array($0.body.utf8) } == sizes.map { ScriptedResponder.pattern($0) })
        }
    }

    @Test("pipelined responses completed out of order on other threads go out in request order")
    func outOfOrderCompletionsAreReordered() throws {
        try TestServer.with { server in
            let client = try server.connect()
            // Earlier requests finish later: 120 ms, 60 ms, at once on the loop thread, 30 ms, 0 ms on a queue …
            let targets = ["/delay/120/a", "/delay/60/b", "/c", "/delay/30/d", "/delay/0/e", "/f", "/delay/90/g", "/h"]
            client.send(targets.map { "GET \($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
            let responses = client.readResponses(targets.count)
            #expect(responses.map(\.body) == targets.map { "GET \($0) 0" })
            // The connection is still usable afterwards.
            #expect(client.get("/after")?.body == "GET /after 0")
        }
    }

    @Test("pipelined POST bodies, fixed and chunked, reach the responder intact")
    func pipelinedBodies() throws {
        try TestServer.with { server in
            let client = try server.connect()
            let fixed = "POST /fixed HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
            let chunked =
                "POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n"
            client.send(fixed + chunked + "GET /last HTTP/1.1\r\nHost: a\r\n\r\n")
            let responses = client.readResponses(3)
            #expect(responses.map(\.body) == ["POST /fixed 5", "POST /chunked 7", "GET /last 0"])
        }
    }

    @Test("a request dribbled one byte per write is answered")
    func requestDribbledByteByByte() throws {
        try TestServer.with { server in
            let client = try server.connect()
            for byte in Array("POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc".utf8) {
                client.send([byte])
            }
            #expect(client.readResponses(1).first?.body == "POST /slow 3")
        }
    }

    @Test("a HEAD response announces the length but carries no body, and the next response is framed right")
    func headHasNoBody() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send(
                "HEAD /big/1000 HTTP/1.1\r\nHost: a\r\n\r\nGET /big/7 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            let (data, end) = client.readToEnd()
            #expect(end == .closed)
            let (head, used) = try #require(RawResponse.parse(data, headOnly: true))
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "1000")
            let (next, rest) = try #require(RawResponse.parse(Array(data[used...])))
            #expect(next.header("Content-Length") == "7")
            #expect(Array(next.body.utf8) == ScriptedResponder.pattern(7))
            #expect(used + rest == data.count, "nothing follows the two responses")
        }
    }

    @Test("HTTP/1.0 without keep-alive is answered with Connection: close and closed")
    func http10ClosesByDefault() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send("GET /old HTTP/1.0\r\n\r\nGET /ignored HTTP/1.0\r\n\r\n")
            let (responses, end) = client.responsesUntilClose()
            #expect(end == .closed)
            #expect(responses.map(\.body) == ["GET /old 0"])
            #expect(responses.first?.header("Connection")?.lowercased() == "close")
        }
    }

    @Test("HTTP/1.0 with Connection: keep-alive stays open and says so")
    func http10KeepAlive() throws {
        try TestServer.with { server in
            let client = try server.connect()
            for i in 0..<3 {
                client.send("GET /old/\(i) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try #require(client.readResponses(1).first)
                #expect(response.body == "GET /old/\(i) 0")
                #expect(response.header("Connection")?.lowercased() == "keep-alive")
            }
        }
    }

    @Test("HTTP/1.1 Connection: close is answered, then closed; a request pipelined after it is not answered")
    func connectionCloseEndsTheConnection() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send("GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
            let (responses, end) = client.responsesUntilClose()
            #expect(end == .closed)
            #expect(responses.map(\.body) == ["GET /a 0"])
            #expect(responses.first?.header("Connection")?.lowercased() == "close")
        }
    }

    @Test("a response that asks to close ends a keep-alive connection after it is sent")
    func responderCloseEndsTheConnection() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send("GET /close HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
            let (responses, end) = client.responsesUntilClose()
            #expect(end == .closed)
            #expect(responses.map(\.body) == ["GET /close 0"])
            #expect(responses.first?.header("Connection")?.lowercased() == "close")
        }
    }

    @Test("a client that half-closes after its request still gets the answer")
    func halfCloseStillAnswered() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send("GET /delay/30/half HTTP/1.1\r\nHost: a\r\n\r\n")
            client.shutdownWrite()
            let (responses, end) = client.responsesUntilClose()
            #expect(end == .closed)
            #expect(responses.map(\.body) == ["GET /delay/30/half 0"])
        }
    }

    @Test("Expect: 100-continue gets an interim 100 before the body is sent")
    func expectContinue() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            let interim = try #require(client.readResponses(1).first)
            #expect(interim.status == 100)
            client.send("data")
            #expect(client.readResponses(1).first?.body == "POST /up 4")
        }
    }

    @Test("100 Continue for a request pipelined behind a slow one waits for the earlier answer")
    func expectContinueBehindAnInFlightRequest() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send(
                "GET /delay/100/first HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
            let early = client.readResponses(2)
            #expect(early.map(\.status) == [200, 100])
            client.send("ok")
            #expect(client.readResponses(1).first?.body == "POST /up 2")
        }
    }

    @Test("204 and 304 carry neither Content-Length nor a body", arguments: [204, 304])
    func bodilessStatuses(status: Int) throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send(
                "GET /status/\(status) HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            )
            let (responses, end) = client.responsesUntilClose()
            #expect(end == .closed)
            #expect(responses.map(\.status) == [status, 200])
            #expect(responses.first?.header("Content-Length") == nil)
            #expect(responses.last?.body == "GET /next 0", "nothing was sent between the two heads")
        }
    }

    @Test("a request answered twice keeps its first answer and the connection stays in step")
    func answeredTwice() throws {
        try TestServer.with { server in
            let client = try server.connect()
            client.send("GET /twice HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(client.readResponses(2).map(\.body) == ["first", "GET /after 0"])
        }
    }

    @Test("every response carries a Date header in IMF-fixdate form")
    func dateHeader() throws {
        try TestServer.with { server in
            let client = try server.connect()
            let date = try #require(client.get("/")?.header("Date"))
            #expect(date.hasSuffix(" GMT"))
            #expect(date.count == "Sun, 06 Nov 1994 08:49:37 GMT".count)
        }
    }
}
