// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension DurabilityEndToEndTests {
    /// H5 and D8: memory stays bounded under load and however much is queued. (`make bench` measures
    /// the same with a million queued events and the release binary; this is the debug binary.)
    @Suite("H5/D8: bounded memory")
    struct MemoryTests {
        static let limitKiB = 64 * 1024
        static let backlog = 200_000

        /// A `kB` field of `/proc/PID/status` (VmRSS, VmHWM).
        static func statusKiB(_ pid: pid_t, _ field: String) -> Int? {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
            for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
                return Int(
                    line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
            }
            return nil
        }

        /// The value of an unlabelled metric in `/metrics`.
        static func metric(_ rig: DurabilityRig, _ name: String) -> Double? {
            guard let body = rig.get("/metrics")?.body else { return nil }
            for line in body.split(separator: "\n") where line.hasPrefix(name + " ") {
                return Double(line.dropFirst(name.count + 1))
            }
            return nil
        }

        @Test(
            "RSS stays under 64 MiB while 64 keep-alive connections post a 200,000-event backlog, and after a restart that recovers it"
        )
        func boundedMemory() async throws {
            let rig = try DurabilityRig()
            defer { rig.cleanup() }
            rig.fake.setAlways(.status(503, body: "{}"))  // Meta is down: everything stays queued
            try rig.start()
            let load = BeaconLoad(port: { rig.port }, threads: 64, eventsPerRequest: 10...30, prefix: "mem")
            load.start()
            let filled = await DurabilityRig.waitUntil(timeoutMs: 120_000) { load.acked.count >= Self.backlog }
            load.stop()
            try #require(filled, "only \(load.acked.count) events acknowledged: \(load.statuses)")
            let acked = load.acked.count
            let pid = try #require(rig.process?.pid)
            let underLoad = try #require(Self.statusKiB(pid, "VmHWM"))
            #expect(underLoad <= Self.limitKiB, "peak RSS under load \(underLoad) KiB")
            // Every acknowledged event is queued; a request answered after the client gave up (a slow
            // moment under a parallel test run) may add a few more, never more than were sent.
            let queued = try #require(Self.metric(rig, "pixelrelay_queue_events"))
            #expect(queued >= Double(acked) && queued <= Double(load.sent.count), "\(queued) queued, \(acked) acked")

            #expect(rig.stop().status == 0)
            try rig.start()
            let restarted = try #require(rig.process?.pid)
            #expect(
                await DurabilityRig.waitUntil(timeoutMs: 10_000) {
                    Self.metric(rig, "pixelrelay_queue_events") == queued
                }, "the backlog is recovered")
            let afterRecovery = try #require(Self.statusKiB(restarted, "VmHWM"))
            #expect(afterRecovery <= Self.limitKiB, "peak RSS after recovering \(acked) events: \(afterRecovery) KiB")
            print(
                "memory: \(acked) events queued; peak RSS \(underLoad) KiB under load, \(afterRecovery) KiB after restart"
            )
        }
    }
}
