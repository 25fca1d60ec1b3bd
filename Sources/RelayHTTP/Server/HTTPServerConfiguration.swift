// SPDX-License-Identifier: Apache-2.0

extension HTTPServer {
    /// Limits and timeouts of the server. Every resource a client can consume is bounded here.
    public struct Configuration: Sendable {
        /// Address to bind ("0.0.0.0", "::", "127.0.0.1").
        public var host: String = "0.0.0.0"
        /// Port to bind; 0 picks a free one (tests).
        public var port: Int = 8080
        /// listen(2) backlog.
        public var backlog: Int32 = 4096
        /// Open connections at most; beyond it new connections are reset at once (an RST, no state kept).
        public var maxConnections: Int = 10_000
        /// Time allowed from a request's first byte (or the connection's start) to the end of its head.
        public var headerTimeoutMs: Int64 = 10_000
        /// Keep-alive connections with nothing in flight are closed after this long without traffic.
        public var idleTimeoutMs: Int64 = 60_000
        /// A body must arrive at least this fast (after a grace period of `bodyGraceMs`).
        public var minBodyBytesPerSecond: Int = 1024
        /// Grace before the minimum body rate applies.
        public var bodyGraceMs: Int64 = 5_000
        /// A client that accepts none of its pending response bytes for this long is disconnected.
        public var writeTimeoutMs: Int64 = 30_000
        /// Requests a connection may have in flight (pipelined) before the server stops reading from it.
        public var maxPipelinedRequests: Int = 32
        /// Unsent response bytes a connection may accumulate before the server stops reading from it.
        public var maxPendingOutputBytes: Int = 256 * 1024
        /// SO_SNDBUF for accepted sockets; nil keeps the kernel's autotuning (the right choice in
        /// production). A small value makes every large response go out in EPOLLOUT rounds (tests).
        public var socketSendBufferBytes: Int32? = nil
        /// Parser limits (request line, header section, header count, body).
        public var limits: HTTPParserLimits = HTTPParserLimits()

        /// The defaults above; set fields afterwards.
        public init() {}
    }

    /// A snapshot of the server's counters (totals since start, except `openConnections`).
    public struct Statistics: Sendable {
        /// Connections open now (including ones finishing their close).
        public var openConnections: Int
        /// Connections accepted (refused ones not included).
        public var acceptedConnections: Int
        /// Connections reset at once because `maxConnections` were open.
        public var refusedConnections: Int
        /// Requests parsed and handed to the responder.
        public var requests: Int
        /// Requests rejected by the parser (400, 413, 414, 431, 501, 505).
        public var protocolErrors: Int
        /// Connections cut by a deadline: header, body rate, or a client not reading its responses.
        public var timeouts: Int
    }
}

/// Who sent a request.
public struct ConnectionInfo: Sendable {
    /// Unique per connection for the life of the process.
    public let id: UInt64
    /// The peer's address as text ("203.0.113.7", "2001:db8::1"; v4-mapped v6 shown as v4).
    public let peerHost: String
    /// The peer's TCP port.
    public let peerPort: Int
}

/// The application side of the server. `respond` is called on the server's loop thread and must not
/// block: it either calls `writer.send` right away or hands the writer to another thread that calls
/// it later (e.g. after the queue's group commit).
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest, connection: ConnectionInfo, writer: ResponseWriter)
    /// Called on the loop thread after each pass over the ready connections: work deferred while
    /// handling the pass's requests (a group commit) can start now, once for all of them.
    func passDidEnd()
}

extension HTTPResponder {
    public func passDidEnd() {}
}

/// Completes one request. Safe to call from any thread, exactly once.
public struct ResponseWriter: Sendable {
    let server: HTTPServer
    let fd: Int32
    let connectionID: UInt64
    let sequence: UInt64

    /// Sends the response. Responses on one connection go out in request order.
    public func send(_ response: HTTPResponse) {
        server.complete(fd: fd, connectionID: connectionID, sequence: sequence, response: response)
    }
}
