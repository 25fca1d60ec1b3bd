internal import CLinux
// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server on non-blocking sockets and one epoll loop thread.
///
/// The loop thread owns every connection: it accepts, reads, parses (with `HTTPRequestParser`),
/// calls the `HTTPResponder`, and writes responses in request order (keep-alive and pipelining).
/// Responses completed on other threads arrive through a mutex-guarded inbox and an eventfd wake-up.
/// Timeouts (header deadline, minimum body rate, idle keep-alive, stalled writes) are checked by a
/// sweep every 250 ms at most, so a slow client costs a few bytes of state, never a thread.
public final class HTTPServer: @unchecked Sendable {
    /// The bound port (the real one when configured with port 0).
    public private(set) var port: Int = 0
    let configuration: Configuration
    let responder: any HTTPResponder

    // Loop-thread state.
    var epfd: Int32 = -1
    var wakeFD: Int32 = -1
    var listenFD: Int32 = -1
    var connections = ConnectionTable()
    var openCount = 0
    /// Connections in `openCount` that only wait for the client's FIN (they do not hold up a drain).
    var lingeringCount = 0
    var nextConnectionID: UInt64 = 1
    var flushQueue: [Connection] = []
    var flushBatch: [Connection] = []
    var inboxBatch: [Completion] = []
    var dateHeader: [UInt8] = []
    var dateSecond: Int = -1
    /// The loop's clock, read once per wake-up (cheaper than a clock call per request).
    var nowMs: Int64 = 0
    var lastSweepMs: Int64 = 0
    var acceptPausedUntilMs: Int64 = 0
    var draining = false
    var drainDeadlineMs: Int64 = 0
    let scratch: UnsafeMutableRawBufferPointer

    /// How long a connection we are closing waits for the client's FIN (reading and dropping its bytes).
    static let lingerMs: Int64 = 2_000

    // Cross-thread state.
    struct Completion {
        var fd: Int32
        var connectionID: UInt64
        var sequence: UInt64
        var response: HTTPResponse
    }
    let inbox = Mutex<[Completion]>([])
    let wakePending = Atomic<Bool>(false)
    let stopRequested = Atomic<Int64>(0)  // 0 = run; >0 = drain deadline in ms from request
    /// The loop thread's `pthread_t`, so `send` on that thread skips the inbox.
    let loopThread = Atomic<UInt>(0)
    /// The loop has exited: late completions are dropped instead of piling up in the inbox.
    let loopExited = Atomic<Bool>(false)
    let counters = Counters()
    private var thread: OSThread?

    final class Counters: Sendable {
        let accepted = Atomic<Int>(0)
        let refused = Atomic<Int>(0)
        let requests = Atomic<Int>(0)
        let protocolErrors = Atomic<Int>(0)
        let timeouts = Atomic<Int>(0)
        let open = Atomic<Int>(0)
    }

    /// Creates a server; nothing is bound until `start()`.
    public init(configuration: Configuration, responder: any HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
        self.scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        // Closed here, not in `shutdown`: a `ResponseWriter` (which keeps the server alive) may still
        // signal `wakeFD` after the loop exited, and must never hit a reused descriptor number.
        if epfd >= 0 { Sys.close(epfd) }
        if wakeFD >= 0 { Sys.close(wakeFD) }
        if listenFD >= 0 { Sys.close(listenFD) }
        scratch.deallocate()
    }

    /// Binds, listens and starts the loop thread.
    public func start() throws(SocketError) {
        precondition(epfd < 0, "HTTPServer.start() called twice (a server is not restartable)")
        let bound = try Sys.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        listenFD = bound.fd
        port = bound.port
        do {
            epfd = try Sys.epollCreate()
            wakeFD = try Sys.eventFD()
        } catch {
            Sys.close(listenFD)
            listenFD = -1
            throw error
        }
        _ = Sys.epollAdd(epfd, listenFD, [.input])
        _ = Sys.epollAdd(epfd, wakeFD, [.input])
        nowMs = Sys.nowMs()
        lastSweepMs = nowMs
        refreshDate(force: true)
        thread = OSThread(name: "http-loop") { [self] in
            self.loopThread.store(UInt(pthread_self()), ordering: .releasing)
            self.runLoop()
            self.loopExited.store(true, ordering: .releasing)
        }
    }

    /// Graceful stop: stop accepting, answer what is in flight, then close everything. Blocks until the
    /// loop has exited (at most about `graceMs`).
    public func shutdown(graceMs: Int64 = 5_000) {
        guard let running = thread else { return }
        stopRequested.store(max(graceMs, 1), ordering: .releasing)
        wake()
        running.join()
        thread = nil
    }

    /// Counters for `/metrics`.
    public var statistics: Statistics {
        Statistics(
            openConnections: counters.open.load(ordering: .relaxed),
            acceptedConnections: counters.accepted.load(ordering: .relaxed),
            refusedConnections: counters.refused.load(ordering: .relaxed),
            requests: counters.requests.load(ordering: .relaxed),
            protocolErrors: counters.protocolErrors.load(ordering: .relaxed),
            timeouts: counters.timeouts.load(ordering: .relaxed))
    }

    // MARK: completions from any thread

    func complete(fd: Int32, connectionID: UInt64, sequence: UInt64, response: HTTPResponse) {
        if loopExited.load(ordering: .acquiring) { return }  // shut down: the connection is gone
        if UInt(pthread_self()) == loopThread.load(ordering: .relaxed) {
            deliver(Completion(fd: fd, connectionID: connectionID, sequence: sequence, response: response))
            return
        }
        inbox.withLock {
            $0.append(Completion(fd: fd, connectionID: connectionID, sequence: sequence, response: response))
        }
        wake()
    }

    func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            Sys.signalEventFD(wakeFD)
        }
    }
}
