// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension DurabilityEndToEndTests {
    /// S1/S2: canary PII and secrets never reach the disk, the log, status pages or the command line.
    @Suite("S1, S2: canaries")
    struct PrivacyTests {
        /// Unique raw values: any trace of them (as sent or normalised) in a file is a leak.
        static let email = "Canary.Qx7Zw9@Example.COM"
        static let badEmail = "Canary.Bad@@Nowhere-Zq3"
        static let phone = "+44 20 7946 0958"
        static let firstName = "Zorbulonia"
        static let lastName = "Quixtaplank"
        static let city = "Vrenthaven Falls"
        static let birthDate = "1961-07-23"
        static let state = "Qxlandia Prov"
        static let zip = "QZ9 8XW"
        static let externalID = "Ext-Canary-Ypq55"

        static let userData =
            "\"em\":\"\(email)\",\"ph\":\"\(phone)\",\"fn\":\"\(firstName)\",\"ln\":\"\(lastName)\",\"ct\":\"\(city)\",\"db\":\"\(birthDate)\","
            + "\"st\":\"\(state)\",\"zp\":\"\(zip)\",\"external_id\":\"\(externalID)\""

        /// Every form a canary could take on disk: as sent, lower-cased, and normalised.
        static let piiCanaries = [
            email, email.lowercased(), "Canary.Qx7Zw9%40", "canary.qx7zw9%40", badEmail, badEmail.lowercased(),
            phone, "442079460958", firstName, firstName.lowercased(), lastName, lastName.lowercased(),
            city, "vrenthavenfalls", birthDate, "19610723", state, "qxlandiaprov", "qxlandia prov", zip, "qz98xw",
            "qz9 8xw", externalID, "ext-canary-ypq55",
        ]

        /// Files under `directory` (recursively) whose bytes contain one of `needles`, with the needle.
        static func leaks(in directory: String, of needles: [String]) -> [String] {
            var found: [String] = []
            let enumerator = FileManager.default.enumerator(atPath: directory)
            while let relative = enumerator?.nextObject() as? String {
                let path = directory + "/" + relative
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    let data = FileManager.default.contents(atPath: path)
                else { continue }
                let text = String(decoding: data, as: UTF8.self)
                for needle in needles where text.contains(needle) { found.append("\(relative): \(needle)") }
            }
            return found
        }

        /// The bytes of every file under `directory`, as one string (for finding the hashes).
        static func allText(in directory: String) -> String {
            var out = ""
            let enumerator = FileManager.default.enumerator(atPath: directory)
            while let relative = enumerator?.nextObject() as? String {
                if let data = FileManager.default.contents(atPath: directory + "/" + relative) {
                    out += String(decoding: data, as: UTF8.self)
                }
            }
            return out
        }

        @Test(
            "raw email, phone, names, city, birth date, state, zip, external id, the access token and the admin token never reach the data dir, the log, status pages or the command line"
        )
        func canariesNeverLeak() async throws {
            let suffix = String(UInt64.random(in: 1 << 40...1 << 50), radix: 16)
            let token = "EAAcanaryToken" + suffix
            let adminToken = "admin-canary-" + suffix
            let rig = try DurabilityRig(
                token: token, logLevel: "trace", extraEnvironment: ["PIXELRELAY_ADMIN_TOKEN": adminToken])
            defer { rig.cleanup() }
            try rig.start()
            var bodies: [String] = []

            // Delivered events.
            let delivered = (0..<3).map { "s1-ok-\($0)" }
            #expect(rig.post(delivered.map { Beacon.event(id: $0, userData: Self.userData) })?.status == 202)
            // A Meta-compatible /tr hit carrying raw user data in its query string.
            let query =
                "id=\(DurabilityRig.pixelID)&ev=Lead&eid=s1-tr&dl=https%3A%2F%2Fshop.example.com%2Fp"
                + "&ud%5Bem%5D=Canary.Qx7Zw9%40Example.COM&ud%5Bfn%5D=\(Self.firstName)&ud%5Bph%5D=%2B44%2020%207946%200958"
            let tr = rig.request(
                "GET /tr?\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: \(Beacon.userAgent)\r\nConnection: close\r\n\r\n"
            )
            #expect(tr?.status == 200)
            // A dead letter: Meta rejects this event (code 100), the rest of its request is delivered.
            rig.fake.rejectEvents(["s1-dead"])
            let mixed = ["s1-dead", "s1-after-0", "s1-after-1"]
            #expect(rig.post(mixed.map { Beacon.event(id: $0, userData: Self.userData) })?.status == 202)
            // An invalid identifier and an invalid event (error paths).
            let badEmail = Beacon.event(
                id: "s1-bad-em", userData: "\"em\":\"\(Self.badEmail)\",\"fn\":\"\(Self.firstName)\"")
            bodies += [rig.post([badEmail])?.body ?? ""]
            bodies += [rig.post(["{\"event_id\":\"s1-invalid\",\"user_data\":{\(Self.userData)}}"])?.body ?? ""]
            #expect(
                await rig.waitForDelivery(
                    of: Set(delivered + ["s1-tr", "s1-after-0", "s1-after-1", "s1-bad-em"]), timeoutMs: 10_000))
            #expect(!rig.deliveredIDs.contains("s1-dead"))

            // Queued when the process stops, recovered after the restart.
            rig.fake.setAlways(.hang(ms: 8_000))
            let queued = (0..<3).map { "s1-queued-\($0)" }
            #expect(rig.post(queued.map { Beacon.event(id: $0, userData: Self.userData) })?.status == 202)
            let pid = try #require(rig.process).pid
            let commandLine = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            #expect(!commandLine.isEmpty)
            #expect(!commandLine.contains(token) && !commandLine.contains(adminToken))
            // Secrets cannot be put on a command line (where `ps` shows them): no flag takes one.
            let help = try await CommandLineTests.run(["serve", "--help"]).output.lowercased()
            #expect(help.contains("--config") && !help.contains("token"), "\(help)")
            let auth = "Authorization: Bearer \(adminToken)\r\n"
            for path in ["/status", "/status/events", "/readyz", "/metrics"] {
                let response = rig.request(
                    "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(auth)Connection: close\r\n\r\n")
                bodies += [response?.body ?? ""]
            }
            bodies += [rig.get("/status")?.body ?? ""]  // refused without the admin token
            #expect(rig.stop().status == 0)
            rig.fake.setAlways(nil)
            try rig.start()
            #expect(await rig.waitForDelivery(of: Set(queued), timeoutMs: 10_000))
            #expect(rig.stop().status == 0)

            let secrets = [token, adminToken]
            let leaks = Self.leaks(in: rig.dataDir, of: Self.piiCanaries + secrets)
            #expect(leaks.isEmpty, "canaries on disk: \(leaks)")
            let log = rig.log
            #expect(log.contains("dead-lettered"), "the run should have logged the dead letter")
            #expect(Self.piiCanaries.filter { log.contains($0) }.isEmpty, "PII in the log")
            #expect(secrets.filter { log.contains($0) }.isEmpty, "a secret in the log")
            for body in bodies {
                #expect(secrets.filter { body.contains($0) }.isEmpty, "a secret in a response: \(body.prefix(200))")
            }
            // The hashes are there instead: in the dead-letter store and in what Meta received.
            let digest = SHA256Digest()
            let hashes = [
                digest.hex("canary.qx7zw9@example.com"), digest.hex("442079460958"), digest.hex("zorbulonia"),
                digest.hex("ext-canary-ypq55"),
            ]
            let stored = Self.allText(in: rig.dataDir)
            #expect(
                stored.contains("s1-dead") && hashes.allSatisfy { stored.contains($0) },
                "the dead letter should hold the hashed identifiers")
            let files = FileManager.default.subpaths(atPath: rig.dataDir) ?? []
            print("S1/S2 files checked: \(files), log \(log.utf8.count) bytes")
            let sentToMeta = rig.fake.rawBodies.joined()
            #expect(hashes.allSatisfy { sentToMeta.contains($0) })
            #expect(Self.piiCanaries.filter { sentToMeta.contains($0) }.isEmpty, "raw PII sent to Meta")
            #expect(sentToMeta.contains(token), "the token does reach Meta, in the request body")
        }
    }
}
