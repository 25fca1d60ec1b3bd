// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension DurabilityEndToEndTests {
    /// D5: a full queue or a full disk refuses honestly and recovers by itself.
    @Suite("D5: queue cap and disk full")
    struct BackpressureTests {
        /// Posts one event at a time (ids `prefix-n`) until one is refused; returns the acknowledged
        /// ids and the refusal.
        static func fill(_ rig: DurabilityRig, prefix: String, limit: Int = 400) -> (
            acked: [String], refusal: RawResponse?, refusedID: String?
        ) {
            var acked: [String] = []
            for n in 0..<limit {
                let id = "\(prefix)-\(n)"
                guard let r = rig.post([Beacon.event(id: id)]) else { continue }
                if r.status == 202 {
                    acked.append(id)
                } else {
                    return (acked, r, id)
                }
            }
            return (acked, nil, nil)
        }

        /// Posts a fresh event every 100 ms until one is acknowledged; returns its id.
        static func postUntilAccepted(_ rig: DurabilityRig, prefix: String, timeoutMs: Int) async -> String? {
            let deadline = GatewayProcess.nowMs() + timeoutMs
            var n = 0
            while GatewayProcess.nowMs() < deadline {
                n += 1
                let id = "\(prefix)-\(n)"
                if rig.post([Beacon.event(id: id)])?.status == 202 { return id }
                await DurabilityRig.pause(ms: 100)
            }
            return nil
        }

        @Test(
            "a queue at its byte cap answers 503 with Retry-After, stays live but not ready, and accepts again once it drains"
        )
        func queueCapRefusesAndRecovers() async throws {
            let rig = try DurabilityRig(config: DurabilityRig.config(maxQueueBytes: 4096, timeoutMs: 300))
            defer { rig.cleanup() }
            rig.fake.setAlways(.hang(ms: 1000))
            try rig.start()

            let (acked, refusal, refusedID) = Self.fill(rig, prefix: "cap")
            let r = try #require(refusal, "the queue never filled up")
            #expect(!acked.isEmpty)
            #expect(r.status == 503)
            #expect(Int(r.header("retry-after") ?? "") ?? 0 > 0)
            #expect(r.body.contains("queue is full"))
            #expect(rig.get("/healthz")?.status == 200)
            let ready = try #require(rig.get("/readyz"))
            #expect(ready.status == 503)
            #expect(ready.body.contains("byte cap"), "readyz: \(ready.body)")
            #expect(
                await DurabilityRig.waitUntil(timeoutMs: 3_000) { rig.fake.requestCount > 0 },
                "the forwarder never tried the hanging upstream")
            #expect(rig.get("/readyz")?.status == 503, "still full while the upstream hangs")

            rig.fake.setAlways(nil)
            let resumed = try #require(
                await Self.postUntilAccepted(rig, prefix: "cap-after", timeoutMs: 20_000), "accepting never resumed")
            #expect(await rig.waitForDelivery(of: Set(acked + [resumed]), timeoutMs: 20_000))
            #expect(await DurabilityRig.waitUntil(timeoutMs: 5_000) { rig.get("/readyz")?.status == 200 })
            #expect(!rig.deliveredIDs.contains(refusedID ?? ""), "a refused event was delivered")
            #expect(rig.stop().status == 0)
        }

        @Test(
            "a full disk answers 503 with Retry-After, never a false 202, and accepting resumes by itself when space returns",
            .enabled(
                if: TmpfsMount.permitted,
                "mounting a tmpfs needs root (CAP_SYS_ADMIN); the unit tests inject ENOSPC instead"))
        func diskFullRefusesAndRecovers() async throws {
            let mount = try TmpfsMount(sizeKiB: 2048)
            defer { mount.unmount() }
            let rig = try DurabilityRig(dataDir: mount.path)
            defer { rig.cleanup() }
            try rig.start()
            // Everything but a few pages goes to a filler file; removing it is "space returns".
            let filler = mount.path + "/filler"
            try mount.fill(filler, leavingKiB: 24)

            let (acked, refusal, refusedID) = Self.fill(rig, prefix: "disk")
            let r = try #require(refusal, "the disk never filled up")
            #expect(!acked.isEmpty)
            #expect(r.status == 503)
            #expect(Int(r.header("retry-after") ?? "") ?? 0 > 0)
            #expect(r.body.contains("disk is full"), "body: \(r.body)")
            #expect(rig.get("/healthz")?.status == 200)
            let ready = try #require(rig.get("/readyz"))
            #expect(ready.status == 503)
            #expect(ready.body.contains("disk full"), "readyz: \(ready.body)")
            // The forwarder may send what is queued, but when its cursor cannot be saved it must wait
            // for space instead of re-sending the same batch in a loop.
            await DurabilityRig.pause(ms: 200)
            let requestsWhenFull = rig.fake.requestCount
            await DurabilityRig.pause(ms: 1000)
            let requestsWhileFull = rig.fake.requestCount - requestsWhenFull
            #expect(requestsWhileFull <= 2, "\(requestsWhileFull) upstream requests in 1 s while the disk was full")

            try FileManager.default.removeItem(atPath: filler)
            let resumed = try #require(
                await Self.postUntilAccepted(rig, prefix: "disk-after", timeoutMs: 5_000), "accepting never resumed")
            #expect(await rig.waitForDelivery(of: Set(acked + [resumed]), timeoutMs: 20_000))
            #expect(await DurabilityRig.waitUntil(timeoutMs: 5_000) { rig.get("/readyz")?.status == 200 })
            #expect(!rig.deliveredIDs.contains(refusedID ?? ""), "a refused event was delivered")
            let audit = DeliveryAudit(
                acked: acked + [resumed], sent: Set(acked + [resumed]), received: rig.fake.received)
            #expect(audit.lost.isEmpty && audit.unknown.isEmpty)
            print(
                "D5 disk full: \(acked.count) events fitted; \(requestsWhileFull) upstream requests in 1 s while full; \(audit)"
            )
            #expect(rig.stop().status == 0)
        }
    }
}

/// A small tmpfs mounted for one test (needs root).
struct TmpfsMount {
    let path: String

    /// True when this process may mount a tmpfs (probed once, with a throwaway mount).
    static let permitted: Bool = {
        guard getuid() == 0, let probe = try? TmpfsMount(sizeKiB: 64) else { return false }
        probe.unmount()
        return true
    }()

    init(sizeKiB: Int) throws {
        path = GatewayProcess.temporaryDirectory("pixelrelay-tmpfs")
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0700", "tmpfs", path]) == 0 else {
            rmdir(path)
            throw TmpfsError.mountFailed(path)
        }
    }

    /// Writes `file` until the file system has only about `leavingKiB` left.
    func fill(_ file: String, leavingKiB: Int) throws {
        var st = statvfs()
        guard statvfs(path, &st) == 0 else { throw TmpfsError.statFailed(path) }
        let available = Int(st.f_bavail) * Int(st.f_frsize)
        let size = max(0, available - leavingKiB * 1024)
        try Data(count: size).write(to: URL(fileURLWithPath: file))
    }

    func unmount() {
        _ = Self.run("/bin/umount", ["-l", path])
        rmdir(path)
    }

    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do {
            try p.run()
        } catch {
            return -1
        }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

enum TmpfsError: Error {
    case mountFailed(String)
    case statFailed(String)
}
