// SPDX-License-Identifier: Apache-2.0
// The fake Graph API as its own process, for `make bench` (the forwarder needs somewhere to send).
// Usage: fakegraph [--count-only] [TOKEN] (`--count-only`: see `FakeGraphAPI.init`). Prints `port N`
// once listening, then runs until SIGTERM or SIGINT and prints what it received.
import RelayTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a line straight to a descriptor (unbuffered: the bench script waits for the port line).
func say(_ line: String, to fd: Int32 = 1) {
    var bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
}

// Block the stop signals before any thread starts (threads inherit the mask); wait for them below.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGTERM)
sigaddset(&stopSignals, SIGINT)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
signal(SIGPIPE, SIG_IGN)

let arguments = CommandLine.arguments.dropFirst()
let countOnly = arguments.contains("--count-only")
let token = arguments.first { !$0.hasPrefix("--") } ?? "test-token"
let api: FakeGraphAPI
do {
    api = try FakeGraphAPI(validToken: token, countOnly: countOnly)
} catch {
    say("fakegraph: cannot listen: \(error)", to: 2)
    exit(1)
}
let url = api.baseURL
say("port \(url[url.index(after: url.lastIndex(of: ":")!)...])")

var signalNumber: Int32 = 0
sigwait(&stopSignals, &signalNumber)
say("received \(countOnly ? api.countedEvents : api.received.count) event(s) in \(api.requestCount) request(s)")
api.stop()
