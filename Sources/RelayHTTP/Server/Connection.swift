// SPDX-License-Identifier: Apache-2.0

/// One client connection's state. Owned by the loop thread: never touched elsewhere.
final class Connection {
    let fd: Int32
    let info: ConnectionInfo
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
    /// The peer closed its side.
    var peerClosed = false
    /// Reading is paused by backpressure (too many in flight / too much unsent output).
    var readPaused = false
    var closed = false
    /// Start of the current phase, for timeouts (monotonic ms).
    var phaseStartMs: Int64
    var lastActivityMs: Int64
    var bodyBytesAtPhaseStart = 0
    var bodyStartMs: Int64 = 0
    var queuedForFlush = false

    struct Slot {
        var sequence: UInt64
        var response: HTTPResponse?
        var keepAlive: Bool
        var headOnly: Bool
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
