// SPDX-License-Identifier: Apache-2.0

/// One client connection's state. Owned by the loop thread: never touched elsewhere.
final class Connection {
    let fd: Int32
    let info: ConnectionInfo
    /// Tells this connection's epoll events from those of an earlier connection on the same descriptor.
    var tag: UInt32 { UInt32(truncatingIfNeeded: info.id) }
    var parser: HTTPRequestParser
    /// Bytes received but not yet consumed by the parser.
    var input: [UInt8] = []
    /// Serialised responses not yet written, from `outputOffset`.
    var output: [UInt8] = []
    var outputOffset = 0
    /// In-flight requests in arrival order; a slot holds its response once ready.
    var slots: [Slot] = []
    var nextSequence: UInt64 = 0
    /// No more requests are read; close once `slots` and `output` are drained.
    var closeAfterFlush = false
    /// The server stopped parsing mid-stream (protocol error, timeout): whatever the client still
    /// sends is read and dropped, so the kernel never answers it with an RST that destroys our reply.
    var abandonedInput = false
    /// The peer closed its side (read returned 0).
    var peerClosed = false
    /// The client's request asked to close: it sends nothing more (RFC 9112 §9.6), so once answered
    /// the socket can be closed at once, without first reading for stray bytes.
    var clientClosing = false
    /// TCP_NODELAY is on: set before the first response that stays open or spans several segments
    /// (one answer then close needs no setsockopt; nginx does the same).
    var noDelay = false
    /// epoll reported EPOLLRDHUP: a FIN is queued behind the data, so reads go on until EOF.
    var sawReadHangup = false
    /// Reading is paused by backpressure (too many in flight / too much unsent output).
    var readPaused = false
    var closed = false
    /// Everything is answered and our side is shut down; waiting (bounded) for the client's FIN.
    var lingering = false
    var lingerDeadlineMs: Int64 = 0
    /// Bytes dropped while abandoned or lingering.
    var discardedBytes = 0
    /// Start of the current request (or of the connection) for the header deadline (monotonic ms).
    var phaseStartMs: Int64
    /// Last read or completed write, for the idle keep-alive timeout.
    var lastActivityMs: Int64
    /// Last time pending output made progress (or became pending), for the write timeout.
    var lastWriteMs: Int64 = 0
    /// Bytes read from the socket over the connection's life.
    var received = 0
    /// `received` when the current body started, minus body bytes that came with the head.
    var bodyBaseline = 0
    var bodyStartMs: Int64 = 0
    /// `100 Continue` was written for the request being read.
    var continueSent = false
    var queuedForFlush = false

    struct Slot {
        var sequence: UInt64
        var response: HTTPResponse?
        /// The client's intent (no `Connection: close`, or HTTP/1.0 with keep-alive); a drain or the
        /// response may still close the connection.
        var keepAlive: Bool
        var headOnly: Bool
        /// An HTTP/1.0 request: a kept-alive connection must say `Connection: keep-alive`.
        var http10: Bool
    }

    init(fd: Int32, info: ConnectionInfo, limits: HTTPParserLimits, now: Int64) {
        self.fd = fd
        self.info = info
        self.parser = HTTPRequestParser(limits: limits)
        self.phaseStartMs = now
        self.lastActivityMs = now
    }

    var pendingOutput: Int { output.count - outputOffset }
    var isIdle: Bool { slots.isEmpty && input.isEmpty && pendingOutput == 0 }
}
