// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RelayHTTP

/// How a response is serialised: the status line, `Content-Type` first, then the handler's fields in
/// order, then what the server adds.
@Suite("HTTP response serialisation")
struct HTTPResponseTests {
    static let date = Array("Date: Sun, 29 Nov 2026 20:00:00 GMT\r\n".utf8)

    func text(_ response: HTTPResponse, keepAlive: Bool = true, headOnly: Bool = false) -> String {
        var out: [UInt8] = []
        response.write(into: &out, keepAlive: keepAlive, announceKeepAlive: false, headOnly: headOnly, date: Self.date)
        return String(decoding: out, as: UTF8.self)
    }

    @Test("the content type comes first, then the handler's fields in their order, then length and date")
    func contentTypeFirst() {
        let response = HTTPResponse(
            status: 202, contentType: "application/json", headers: [("Set-Cookie", "a=1"), ("Vary", "Origin")],
            body: Array("{}".utf8))
        #expect(
            text(response)
                == "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\nVary: Origin\r\n"
                + "Content-Length: 2\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\n\r\n{}")
    }

    @Test("the text initializer sets the content type the same way")
    func textInitializer() {
        let response = HTTPResponse(status: 200, contentType: "text/plain", body: "ok", headers: [("X-A", "1")])
        #expect(text(response, keepAlive: false).hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: 1\r\n"))
        #expect(text(response, keepAlive: false).contains("Connection: close\r\n"))
    }

    @Test("a 204 has no content type unless given, no length and no body; HEAD keeps the length but not the body")
    func bodilessAndHead() {
        #expect(
            text(HTTPResponse(status: 204, headers: [("Vary", "Origin")]))
                == "HTTP/1.1 204 No Content\r\nVary: Origin\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\n\r\n")
        let head = text(HTTPResponse(status: 200, contentType: "image/gif", body: [1, 2, 3]), headOnly: true)
        #expect(head.hasSuffix("Content-Length: 3\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\n\r\n"))
    }

    @Test("a header whose value holds a CR, LF or other control character is left out, tab is kept")
    func controlCharactersLeaveTheHeaderOut() {
        let response = HTTPResponse(
            status: 202, contentType: "application/json",
            headers: [
                ("Set-Cookie", "_fbc=x\r\nSet-Cookie: sid=evil"), ("X-LF", "a\nb"), ("X-NUL", "a\u{0}b"),
                ("X-DEL", "a\u{7F}"), ("X-Tab", "a\tb"), ("Vary", "Origin"),
            ],
            body: Array("{}".utf8))
        #expect(
            text(response)
                == "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nX-Tab: a\tb\r\nVary: Origin\r\n"
                + "Content-Length: 2\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\n\r\n{}")
    }
}
