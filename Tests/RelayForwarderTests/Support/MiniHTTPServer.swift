// SPDX-License-Identifier: Apache-2.0
// A small blocking-socket HTTP/1.1 server for CurlClient tests (one thread per connection).
// Isolated on purpose: it will be replaced by a fake Graph API on the project's own server.
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A scriptable local HTTP server on 127.0.0.1 and an ephemeral port.
final class MiniHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        /// Names lowercased.
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
    }

    enum Action: Sendable {
        /// Answer (keep-alive).
        case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
        /// Never answer: wait up to `ms` (or until the client leaves), then close.
        case hang(ms: Int)
        /// Close with SO_LINGER 0, so the client sees a TCP reset.
        case reset
        /// Answer the head at once, then the body in `chunk`-byte pieces every `delayMs`.
        case slowBody(status: Int, body: [UInt8], chunk: Int, delayMs: Int)
    }

    typealias Handler = @Sendable (Request) -> Action

    private struct State {
        var connections = 0
        var requests: [Request] = []
        var clients: Set<Int32> = []
        var stopped = false
    }

    let port: UInt16
    private let listener: Int32
    private let handler: Handler
    private let state = Mutex(State())

    init(handler: @escaping Handler) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && listen(fd, 128) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        listener = fd
        port = UInt16(bigEndian: addr.sin_port)
        self.handler = handler
        Thread { [self] in acceptLoop() }.start()
    }

    /// Connections accepted so far.
    var connectionCount: Int { state.withLock { $0.connections } }
    /// Connections currently open.
    var openConnections: Int { state.withLock { $0.clients.count } }
    /// Requests fully read so far, in arrival order.
    var requests: [Request] { state.withLock { $0.requests } }

    /// Stops accepting and wakes every connection thread (their sockets read EOF).
    func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            for fd in state.clients { shutdown(fd, Int32(SHUT_RDWR)) }
            shutdown(listener, Int32(SHUT_RDWR))
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let accepted = state.withLock { state in
                guard !state.stopped else { return false }
                state.connections += 1
                state.clients.insert(fd)
                return true
            }
            guard accepted else {
                close(fd)
                break
            }
            Thread { [self] in serve(fd) }.start()
        }
        close(listener)
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        defer {
            state.withLock { _ = $0.clients.remove(fd) }
            close(fd)
        }
        while let request = readRequest(fd, &buffer) {
            state.withLock { $0.requests.append(request) }
            switch handler(request) {
            case .respond(let status, let headers, let body):
                guard write(fd, head(status, headers, body.count) + body) else { return }
            case .hang(let ms):
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&pfd, 1, Int32(ms))
                return
            case .reset:
                var linger = linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
                return
            case .slowBody(let status, let body, let chunk, let delayMs):
                guard write(fd, head(status, [], body.count)) else { return }
                var offset = 0
                while offset < body.count {
                    usleep(useconds_t(delayMs * 1000))
                    let end = min(body.count, offset + max(1, chunk))
                    guard write(fd, Array(body[offset..<end])) else { return }
                    offset = end
                }
            }
        }
    }

    private func head(_ status: Int, _ headers: [(String, String)], _ length: Int) -> [UInt8] {
        var text = "HTTP/1.1 \(status) Status\r\nContent-Length: \(length)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// Reads one request (Content-Length bodies only); nil at EOF or on garbage.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if let range = buffer.firstRange(of: separator) {
                headEnd = range.lowerBound
                break
            }
            guard fill(fd, &buffer) else { return nil }
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: buffer[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count == 3 else { return nil }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append(
                (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = Int(headers.first { $0.0 == "content-length" }?.1 ?? "0") ?? 0
        let bodyStart = headEnd + 4
        while buffer.count < bodyStart + length {
            guard fill(fd, &buffer) else { return nil }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return Request(method: String(parts[0]), target: String(parts[1]), headers: headers, body: body)
    }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            buffer.append(contentsOf: chunk[..<n])
            return true
        }
    }
}
