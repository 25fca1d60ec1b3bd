// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension DurabilityEndToEndTests {
    /// D6, on the real binary: libfiu (Debian's `fiu-utils`, installed by `make test`) makes `fdatasync`
    /// fail in the running process. (`IOErrorTests` covers the same at the storage layer.)
    @Suite("D6: a failed fsync, end to end")
    struct FsyncFaultTests {
        static let preload = "/usr/lib/fiu/fiu_posix_preload.so"
        static let runPreload = "/usr/lib/fiu/fiu_run_preload.so"
        static let control = "/usr/bin/fiu-ctrl"
        static let available = [preload, runPreload, control].allSatisfy { (path: String) in access(path, R_OK) == 0 }

        /// Runs `fiu-ctrl` on the gateway; its exit status.
        static func fiuControl(_ command: String, fifoPrefix: String, pid: pid_t) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: control)
            process.arguments = ["-f", fifoPrefix, "-c", command, String(pid)]
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }

        @Test(
            "after fdatasync fails nothing more is acknowledged, the process exits 75, and a restart delivers every acknowledged event",
            .enabled(
                if: available || ProcessInfo.processInfo.environment["PIXELRELAY_TEST_REQUIRE_FIU"] == "1",
                "libfiu is not installed (make test installs fiu-utils, and then requires it)"))
        func failedSyncExitsAndRecovers() async throws {
            try #require(Self.available, "fiu-utils is required here (PIXELRELAY_TEST_REQUIRE_FIU=1)")
            let rig = try DurabilityRig()
            defer { rig.cleanup() }
            rig.fake.setAlways(.status(503, body: "{}"))  // Meta is down: what was acknowledged stays queued
            let fifoPrefix = rig.base + "/fiu"
            try rig.start(extraEnvironment: [
                "LD_PRELOAD": "\(Self.runPreload) \(Self.preload)", "FIU_CTRL_FIFO": fifoPrefix, "FIU_ENABLE": "",
            ])
            var acked: [String] = []
            for n in 0..<40 {
                let id = "fsync-before-\(n)"
                if rig.post([Beacon.event(id: id)])?.status == 202 { acked.append(id) }
            }
            #expect(acked.count == 40)
            let process = try #require(rig.process)

            #expect(
                try Self.fiuControl("enable name=posix/io/sync/fdatasync", fifoPrefix: fifoPrefix, pid: process.pid)
                    == 0)
            var answers: [Int] = []
            for n in 0..<5 {
                let r = rig.post([Beacon.event(id: "fsync-after-\(n)")])
                answers.append(r?.status ?? 0)  // 0: no answer (the process is gone)
            }
            #expect(!answers.contains(202), "acknowledged after a failed sync: \(answers)")
            print("answers after the fault: \(answers)")
            let status = process.waitForExit(timeoutMs: 10_000)
            #expect(status == 75, "exit status \(String(describing: status))")
            #expect(rig.log.contains("queue I/O error; exiting so a restart can recover"))

            // A supervisor restarts it (without the fault): everything acknowledged before is delivered.
            rig.fake.setAlways(nil)
            try rig.start()
            #expect(
                await rig.waitForDelivery(of: Set(acked), timeoutMs: 20_000),
                "lost: \(Set(acked).subtracting(rig.deliveredIDs))")
            rig.stop()
        }
    }
}
