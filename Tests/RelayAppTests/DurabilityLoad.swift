// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A load generator: threads post beacons with unique event ids over keep-alive connections and
/// record which ids were acknowledged (`202` with every event accepted). It rides through restarts:
/// a broken connection is re-opened on whatever port `port()` reports (0 = down, wait).
final class BeaconLoad: @unchecked Sendable {
    struct Totals: Sendable {
        var requests = 0
        var accepted = 0
        /// `503` answers (queue or disk full).
        var refused = 0
        /// Any other status.
        var other = 0
        /// Requests that got no answer (the process died or closed the connection).
        var unanswered = 0
    }

    private struct State {
        var acked: [String] = []
        var sent: Set<String> = []
        var totals = Totals()
        var latenciesMs: [Double] = []
        var statuses: [Int: Int] = [:]
    }

    private let port: @Sendable () -> Int
    private let threadCount: Int
    private let eventsPerRequest: ClosedRange<Int>
    private let prefix: String
    private let pauseMs: Int
    private let state = Mutex(State())
    private let stopping = Atomic<Bool>(false)
    private let group = DispatchGroup()

    /// - Parameters:
    ///   - port: where the gateway listens now (0 while it is down).
    ///   - threads: concurrent keep-alive connections.
    ///   - eventsPerRequest: events per beacon, drawn at random.
    ///   - prefix: event ids are `prefix-thread-n`, unique across the whole run.
    ///   - pauseMs: think time between a response and the next request.
    init(
        port: @escaping @Sendable () -> Int, threads: Int, eventsPerRequest: ClosedRange<Int> = 1...3, prefix: String,
        pauseMs: Int = 0
    ) {
        self.port = port
        self.threadCount = threads
        self.eventsPerRequest = eventsPerRequest
        self.prefix = prefix
        self.pauseMs = pauseMs
    }

    func start() {
        for t in 0..<threadCount {
            group.enter()
            let thread = Thread { [self] in
                run(thread: t)
                group.leave()
            }
            thread.start()
        }
    }

    /// Stops the threads and waits for them (each finishes its current request).
    func stop() {
        stopping.store(true, ordering: .releasing)
        group.wait()
    }

    /// Acknowledged ids, in acknowledgement order per connection.
    var acked: [String] { state.withLock { $0.acked } }
    /// Every id that was put on the wire.
    var sent: Set<String> { state.withLock { $0.sent } }
    var totals: Totals { state.withLock { $0.totals } }
    /// Latency of every acknowledged request, in ms.
    var latenciesMs: [Double] { state.withLock { $0.latenciesMs } }
    /// Answers by status code.
    var statuses: [Int: Int] { state.withLock { $0.statuses } }

    private func run(thread: Int) {
        var sequence = 0
        var client: RawHTTPClient?
        while !stopping.load(ordering: .acquiring) {
            if client == nil {
                let p = port()
                guard p > 0, let c = try? RawHTTPClient(port: p, timeoutMs: 5000) else {
                    usleep(3_000)
                    continue
                }
                client = c
            }
            let n = Int.random(in: eventsPerRequest)
            let ids = (0..<n).map { "\(prefix)-\(thread)-\(sequence + $0)" }
            sequence += n
            state.withLock { $0.sent.formUnion(ids) }
            let started = DispatchTime.now().uptimeNanoseconds
            client?.send(Beacon.request(ids.map { Beacon.event(id: $0) }))
            let response = client?.readResponses(1).first
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            state.withLock { s in
                s.totals.requests += 1
                guard let response else {
                    s.totals.unanswered += 1
                    return
                }
                s.statuses[response.status, default: 0] += 1
                if response.status == 202 && response.body.contains("\"accepted\":\(n),") {
                    s.totals.accepted += 1
                    s.acked.append(contentsOf: ids)
                    s.latenciesMs.append(ms)
                } else if response.status == 503 {
                    s.totals.refused += 1
                } else {
                    s.totals.other += 1
                }
            }
            if response == nil || response?.header("connection")?.lowercased() == "close" { client = nil }
            if pauseMs > 0 { usleep(UInt32(pauseMs) * 1000) }
        }
    }
}

/// What the fake received, checked against what was acknowledged.
struct DeliveryAudit: CustomStringConvertible {
    var acked: Int
    /// Acknowledged ids the fake never received.
    var lost: [String]
    /// Deliveries beyond the first of an id (at-least-once re-sends).
    var duplicates: Int
    /// Received events whose `custom_data.order_id` is not their `event_id` (a re-send with a new id).
    var renamed: [String]
    /// Received ids that were never sent at all.
    var unknown: [String]

    init(acked: [String], sent: Set<String>, received: [FakeGraphAPI.Received]) {
        let ids = received.map(\.eventID)
        let unique = Set(ids)
        self.acked = acked.count
        lost = acked.filter { !unique.contains($0) }
        duplicates = ids.count - unique.count
        renamed = received.filter { $0.event["custom_data"]?["order_id"]?.stringValue != $0.eventID }.map(\.eventID)
        unknown = unique.filter { !sent.contains($0) }.sorted()
    }

    var description: String {
        "acked \(acked), lost \(lost.count), duplicates \(duplicates), renamed \(renamed.count), unknown \(unknown.count)"
    }
}
