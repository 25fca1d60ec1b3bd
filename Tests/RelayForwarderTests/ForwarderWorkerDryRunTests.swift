// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayForwarder

/// The lines of a file (without their newlines).
private func lines(_ path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        .dropLast().map(String.init)
}

private func mode(_ path: String) throws -> Int {
    try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
}

private func send(_ client: DryRunClient, _ body: String) async -> Result<UpstreamResponse, UpstreamError> {
    await withCheckedContinuation { continuation in
        client.send(UpstreamRequest(url: "http://dry-run/v26.0/1/events", body: Array(body.utf8))) {
            continuation.resume(returning: $0)
        }
    }
}

extension ForwarderWorkerTests {
    @Suite("dry-run")
    struct DryRun {
        @Test(
            "dry-run writes each exact request body, token redacted, to {dataDir}/dry-run/requests.jsonl with mode 0600"
        )
        func worker() async throws {
            try await withHarness { h in
                let secret = "real-secret-token-\(UInt64.random(in: 1...UInt64.max))"
                let recorded = Mutex<[[UInt8]]>([])
                let client = try DryRunClient(dataDir: h.dir) { body in recorded.withLock { $0.append(body) } }
                let events = makeEvents(25)
                await h.enqueue(events)
                var options = h.options(baseURL: "https://graph.facebook.com")
                options.dryRun = true
                options.maxBatchEvents = 10
                h.start(
                    options: options, targets: [target(pixelA, token: secret, testEventCode: "TEST9")], client: client)

                #expect(await eventually { h.depth == 0 })
                let path = h.dir + "/dry-run/requests.jsonl"
                #expect(client.path == path)
                #expect(try mode(path) == 0o600)
                let expected = [events[0..<10], events[10..<20], events[20..<25]].map {
                    String(
                        decoding: CAPIRequestBody.make(
                            events: $0, accessToken: "<redacted>", testEventCode: "TEST9",
                            partnerAgent: "pixelrelay-test"), as: UTF8.self)
                }
                #expect(try lines(path) == expected)
                #expect(recorded.withLock { $0 }.map { String(decoding: $0, as: UTF8.self) } == expected)
                let file = try String(contentsOfFile: path, encoding: .utf8)
                #expect(!file.contains(secret))
                #expect(file.components(separatedBy: #""access_token":"<redacted>""#).count == 4)
                #expect(h.reports.reports.map(\.outcome) == [.delivered, .delivered, .delivered])
                #expect(h.fake.requestCount == 0)
            }
        }

        @Test("dry-run also forwards pixels that have no target, with a redacted token and no test_event_code")
        func noTarget() async throws {
            try await withHarness { h in
                let client = try DryRunClient(dataDir: h.dir)
                await h.enqueue(makeEvents(3, pixel: pixelB))
                var options = h.options()
                options.dryRun = true
                h.start(options: options, targets: [], client: client)

                #expect(await eventually { h.depth == 0 })
                let body = try JSONParser.parse(try #require(try lines(client.path).first))
                #expect(body.objectValue?.keys == ["data", "access_token", "partner_agent"])
                #expect(body["access_token"] == .string("<redacted>"))
                #expect(body["data"]?.arrayValue?.count == 3)
            }
        }

        @Test(
            "DryRunClient never writes a real access token it is handed, and answers with the event count",
            arguments: [
                #"{"data":[{"event_name":"A"},{"event_name":"B"}],"access_token":"EAAB-secret"}"#,
                #"{"access_token":"EAAB-secret","data":[{"event_name":"A"},{"event_name":"B"}],"partner_agent":"x"}"#,
                #"{"data":[{"event_name":"A"},{"event_name":"B"}],"access_token":"EAAB-secret\"\u00e9"}"#,
                #"not json, but "access_token":"EAAB-secret""#,
            ])
        func redactsRealToken(_ body: String) async throws {
            let dir = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let client = try DryRunClient(dataDir: dir)
            defer { client.shutdown() }

            let response = try await send(client, body).get()
            let written = try lines(client.path)
            #expect(written.count == 1)
            #expect(!written[0].contains("EAAB-secret"))
            if body.hasPrefix("{") {
                // JSON (the escaped quote included): the same body with the token redacted.
                let parsed = try JSONParser.parse(written[0])
                #expect(try #require(parsed["data"]?.arrayValue).count == 2)
                #expect(parsed["access_token"] == .string("<redacted>"))
                #expect(response.body == Array(#"{"events_received":2,"messages":[],"fbtrace_id":"dry-run"}"#.utf8))
            } else {
                // Not JSON: only its size is written, and no event is counted.
                #expect(written[0] == #"{"unparseable_body_bytes":\#(body.utf8.count)}"#)
                #expect(response.body == Array(#"{"events_received":0,"messages":[],"fbtrace_id":"dry-run"}"#.utf8))
            }
        }

        @Test("a requests file created with looser permissions is tightened to 0600")
        func tightensMode() throws {
            let dir = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try FileManager.default.createDirectory(atPath: dir + "/dry-run", withIntermediateDirectories: true)
            let path = dir + "/dry-run/requests.jsonl"
            #expect(
                FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o644]))
            #expect(try mode(path) == 0o644)
            let client = try DryRunClient(dataDir: dir)
            client.shutdown()
            #expect(try mode(path) == 0o600)
        }

        @Test("after shutdown sends complete with .cancelled and write nothing; shutdown is idempotent")
        func shutdown() async throws {
            let dir = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let client = try DryRunClient(dataDir: dir)
            client.shutdown()
            client.shutdown()
            let result = await send(client, #"{"data":[],"access_token":"<redacted>"}"#)
            #expect(result == .failure(.cancelled))
            #expect(try lines(client.path).isEmpty)
        }
    }
}
