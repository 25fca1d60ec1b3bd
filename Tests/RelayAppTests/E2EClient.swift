// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP response as the end-to-end tests see it.
struct E2EResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON (nil when it is not JSON).
    var json: JSONValue? { try? JSONParser.parse(body) }

    /// The first value of a header (case-insensitive name).
    func header(_ name: String) -> String? { headers(name).first }

    /// Every value of a header, in order.
    func headers(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The `Set-Cookie` value for a cookie name, if the response sets it.
    func setCookie(_ cookie: String) -> String? {
        headers("set-cookie").first { $0.hasPrefix(cookie + "=") }
    }
}

enum E2EClientError: Error {
    case connect(Int32)
    case bind(Int32)
    case noResponse(String)
}

/// A one-request-per-connection HTTP/1.1 client over a raw socket that can choose its source address
/// (`127.0.0.2` is a loopback peer that is not a trusted proxy), for talking to the real binary.
enum E2EClient {
    /// Sends one request (with `Connection: close`) and reads the whole response.
    /// - Parameters:
    ///   - headers: added after `Host` (a `Host` given here replaces the default one).
    ///   - source: the local IPv4 address to bind before connecting (nil: the kernel's choice).
    ///   - address: the IPv4 address of the server.
    static func send(
        port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        source: String? = nil, address: String = "127.0.0.1"
    ) async throws -> E2EResponse {
        try await offPool {
            try sendBlocking(port: port, method, path, headers: headers, body: body, source: source, address: address)
        }
    }

    /// `send` on the calling thread.
    static func sendBlocking(
        port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        source: String? = nil, address: String = "127.0.0.1"
    ) throws -> E2EResponse {
        var head = "\(method) \(path) HTTP/1.1\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { head += "Host: 127.0.0.1:\(port)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "Connection: close\r\n\r\n"
        return try exchangeBlocking(
            port: port, bytes: Array(head.utf8) + (body ?? []), source: source, address: address,
            headRequest: method == "HEAD")
    }

    /// Writes exact bytes and parses the response that comes back before the server closes.
    static func exchange(port: Int, bytes: [UInt8]) async throws -> E2EResponse {
        try await offPool { try exchangeBlocking(port: port, bytes: bytes) }
    }

    /// `exchange` on the calling thread.
    /// - Parameter headRequest: the request was a HEAD: the announced `Content-Length` has no body.
    static func exchangeBlocking(
        port: Int, bytes: [UInt8], source: String? = nil, address: String = "127.0.0.1", headRequest: Bool = false
    ) throws -> E2EResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = sockaddrIn(source, port: 0)
            let rc = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if rc != 0 { throw E2EClientError.bind(errno) }
        }
        var remote = sockaddrIn(address, port: port)
        let rc = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 { throw E2EClientError.connect(errno) }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may answer (413) and close before reading everything
            sent += n
        }
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            if let response = parse(data, complete: false, headRequest: headRequest) { return response }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        guard let response = parse(data, complete: true, headRequest: headRequest) else {
            throw E2EClientError.noResponse(String(decoding: data, as: UTF8.self))
        }
        return response
    }

    static func sockaddrIn(_ ip: String, port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, ip, &addr.sin_addr)
        return addr
    }

    /// A response once its head and `Content-Length` body are in `data`.
    static func parse(_ data: [UInt8], complete: Bool, headRequest: Bool = false) -> E2EResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard data.count >= 4,
            let end = (0...(data.count - 4)).first(where: { data[$0..<$0 + 4].elementsEqual(separator) })
        else { return nil }
        var lines = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let start = end + 4
        if headRequest { return E2EResponse(status: status, headers: headers, body: []) }
        if let length = headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value) }) {
            guard data.count >= start + length else { return nil }
            return E2EResponse(status: status, headers: headers, body: Array(data[start..<start + length]))
        }
        return complete ? E2EResponse(status: status, headers: headers, body: Array(data[start...])) : nil
    }
}

/// Runs blocking work (sockets, child processes, sleeps) on a Dispatch thread. Swift Testing runs every test
/// on the Swift concurrency pool, which is as wide as the machine has cores; blocking it would stall the
/// async tests of other suites in the same process.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
