// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP client for tests: sends exact bytes (including malformed HTTP) and reads responses.
public final class RawHTTPClient {
    public let fd: Int32

    /// Connects to 127.0.0.1:`port`.
    /// - Parameters:
    ///   - timeoutMs: how long each read (or blocked write) waits.
    ///   - receiveBufferBytes: a small SO_RCVBUF makes a slow reader (it is set before connecting).
    public init(port: Int, timeoutMs: Int = 5000, receiveBufferBytes: Int32? = nil) throws {
        // Set up in a local: `fd` is assigned only once connected. (Had the initializer thrown with `fd`
        // set, `deinit` would close it a second time, and in a test process full of parallel tests that
        // number may already belong to someone else's socket.)
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        if socketFD < 0 { throw RawHTTPError.connect(errno) }
        if var size = receiveBufferBytes {
            setsockopt(socketFD, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var tv = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        // A stuck server fails the test instead of hanging it.
        setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            let error = errno
            close(socketFD)
            throw RawHTTPError.connect(error)
        }
        fd = socketFD
    }

    deinit { close(fd) }

    public func send(_ text: String) { send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the peer closes or the timeout; returns everything read.
    public func readAll() -> String {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads exactly `count` complete responses (by Content-Length) or until close/timeout.
    /// - Parameter headOnly: the responses answer HEAD requests (no body follows the head).
    public func readResponses(_ count: Int, headOnly: Bool = false) -> [RawResponse] {
        var data: [UInt8] = []
        var responses: [RawResponse] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while responses.count < count {
            if let (r, used) = RawResponse.parse(data, headOnly: headOnly) {
                responses.append(r)
                data.removeFirst(used)
                continue
            }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        return responses
    }

    /// True when the server has closed the connection (EOF within the timeout).
    public func isClosedByPeer() -> Bool {
        var b: UInt8 = 0
        let n = recv(fd, &b, 1, 0)
        return n == 0 || (n < 0 && errno == ECONNRESET)
    }
}

public enum RawHTTPError: Error { case connect(Int32) }

/// A parsed response.
public struct RawResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: String

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public func headers(_ name: String) -> [String] {
        headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }

    /// Parses the first complete response in `data`; returns it and the bytes it used, or nil if
    /// it is not all there yet.
    /// - Parameter headOnly: the response answers a HEAD request (its Content-Length has no body).
    public static func parse(_ data: [UInt8], headOnly: Bool = false) -> (RawResponse, Int)? {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard data.count >= 4, let end = (0...(data.count - 4)).first(where: { Array(data[$0..<$0 + 4]) == sep }) else {
            return nil
        }
        let head = String(decoding: data[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [(String, String)] = []
        for l in lines {
            guard let colon = l.firstIndex(of: ":") else { continue }
            headers.append(
                (String(l[..<colon]), String(l[l.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        let length = headOnly ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        guard data.count >= end + 4 + length else { return nil }
        let body = String(decoding: data[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        return (RawResponse(status: status, headers: headers, body: body), end + 4 + length)
    }
}
