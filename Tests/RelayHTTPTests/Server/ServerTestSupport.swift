// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// A live `HTTPServer` on 127.0.0.1 and an ephemeral port, with a scripted responder.
final class TestServer: Sendable {
    let server: HTTPServer
    let responder: ScriptedResponder
    let port: Int

    /// Starts a server; `configure` adjusts the defaults (host and port are always loopback and 0).
    init(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in }) throws {
        var configuration = HTTPServer.Configuration()
        configure(&configuration)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        responder = ScriptedResponder()
        server = HTTPServer(configuration: configuration, responder: responder)
        try server.start()
        port = server.port
    }

    /// Runs `body` against a fresh server and always shuts it down.
    static func with(
        _ configure: (inout HTTPServer.Configuration) -> Void = { _ in }, _ body: (TestServer) throws -> Void
    ) throws {
        let s = try TestServer(configure)
        defer { s.server.shutdown(graceMs: 200) }
        try body(s)
    }

    /// A new client connection.
    func connect(timeoutMs: Int = 3000, receiveBufferBytes: Int32? = nil) throws -> RawHTTPClient {
        try RawHTTPClient(port: port, timeoutMs: timeoutMs, receiveBufferBytes: receiveBufferBytes)
    }

    var statistics: HTTPServer.Statistics { server.statistics }
}

/// Answers by path, so a test chooses the behaviour in the request it sends:
/// - `/delay/<ms>/…`: answers the echo from another thread after `ms` milliseconds;
/// - `/big/<bytes>`: a body of that many bytes (a repeating pattern, see `ScriptedResponder.pattern`);
/// - `/hold/…`: keeps the writer until the test calls `releaseHeld()`;
/// - `/close`: answers and asks the server to close; `/abort`: resets the connection;
/// - `/status/<code>`: that status with a 16-byte body; `/twice`: answers `first`, then `second`;
/// - anything else: `200` with the echo `"<method> <target> <body bytes>"` at once, on the loop thread.
final class ScriptedResponder: HTTPResponder {
    private let held = Mutex<[ResponseWriter]>([])
    private let queue = DispatchQueue(label: "scripted-responder", attributes: .concurrent)

    func respond(to request: HTTPRequest, connection: ConnectionInfo, writer: ResponseWriter) {
        let echo = HTTPResponse(status: 200, contentType: "text/plain", body: Self.echo(request))
        let parts = request.path.split(separator: "/")
        switch parts.first {
        case "delay":
            let ms = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            queue.asyncAfter(deadline: .now() + .milliseconds(ms)) { writer.send(echo) }
        case "big":
            let size = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            writer.send(HTTPResponse(status: 200, body: Self.pattern(size)))
        case "hold":
            held.withLock { $0.append(writer) }
        case "close":
            writer.send(HTTPResponse(status: 200, body: Array(Self.echo(request).utf8), close: true))
        case "abort":
            writer.send(HTTPResponse(status: 500, abort: true))
        case "status":
            let code = parts.count > 1 ? Int(parts[1]) ?? 200 : 200
            writer.send(HTTPResponse(status: code, body: Array("must not be sent".utf8)))
        case "twice":
            writer.send(HTTPResponse(status: 200, contentType: "text/plain", body: "first"))
            writer.send(HTTPResponse(status: 500, contentType: "text/plain", body: "second"))
        default:
            writer.send(echo)
        }
    }

    /// How many requests are waiting for `releaseHeld()`.
    var heldCount: Int { held.withLock { $0.count } }

    /// Answers every held request with its echo-less `200 held`.
    func releaseHeld() {
        let writers = held.withLock { w -> [ResponseWriter] in
            defer { w.removeAll() }
            return w
        }
        for w in writers { w.send(HTTPResponse(status: 200, contentType: "text/plain", body: "held")) }
    }

    static func echo(_ request: HTTPRequest) -> String {
        "\(request.method.name) \(request.target) \(request.body.count)"
    }

    /// `count` printable bytes in an 89-byte cycle (a prime, so misplaced chunks do not line up).
    static func pattern(_ count: Int) -> [UInt8] {
        var out = (0..<89).map { UInt8(0x21 + $0) }
        out.reserveCapacity(count + 89)
        while out.count < count { out.append(contentsOf: out[0..<min(out.count, count - out.count)]) }
        return Array(out.prefix(count))
    }
}

/// How a read of a connection ended.
enum ReadEnd: Equatable {
    case closed, reset, timedOut
}

extension RawHTTPClient {
    /// Reads until the server closes (FIN or RST) or the read timeout passes.
    func readToEnd() -> (bytes: [UInt8], end: ReadEnd) {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                out.append(contentsOf: buf[0..<n])
                continue
            }
            if n == 0 { return (out, .closed) }
            return (out, errno == ECONNRESET || errno == EPIPE ? .reset : .timedOut)
        }
    }

    /// Every complete response in what the server sent before closing, and how it ended.
    func responsesUntilClose(headOnly: Bool = false) -> (responses: [RawResponse], end: ReadEnd) {
        var (data, end) = readToEnd()
        var responses: [RawResponse] = []
        while let (r, used) = RawResponse.parse(data, headOnly: headOnly) {
            responses.append(r)
            data.removeFirst(used)
        }
        return (responses, end)
    }

    /// Sends one `GET` (HTTP/1.1, `Host: t`) and reads its response.
    func get(_ target: String, headers: String = "") -> RawResponse? {
        send("GET \(target) HTTP/1.1\r\nHost: t\r\n\(headers)\r\n")
        return readResponses(1).first
    }

    /// Waits up to `timeoutMs` for data or EOF; true when the socket is readable.
    func waitReadable(timeoutMs: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, timeoutMs) > 0
    }

    /// Makes the client's close (when it is released) send an RST instead of a FIN.
    func setResetOnClose() {
        var lin = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, socklen_t(MemoryLayout<linger>.size))
    }

    /// Half-closes: the server sees EOF but can still answer.
    func shutdownWrite() { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }
}

/// Monotonic milliseconds for measuring server reactions.
func nowMs() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000 }

/// Polls `condition` every 10 ms for up to `timeoutMs`; returns its last value.
func eventually(timeoutMs: Double = 2000, _ condition: () -> Bool) -> Bool {
    let deadline = nowMs() + timeoutMs
    while nowMs() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// The bytes of a request with CRLF line ends written as `\n` in `text` (so tables stay readable).
func crlf(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: "\r\n") }

/// A flag one thread sets and another polls.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
