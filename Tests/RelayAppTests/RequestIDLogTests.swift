// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayTestSupport
import Testing

@Suite("Structured logs carry a request id")
struct RequestIDLogTests {
    @Test("a refused request answers with X-Request-Id and the JSON log line carries the same id")
    func refusedRequestIsLoggedWithItsID() async throws {
        let dir = GatewayProcess.temporaryDirectory("request-id")
        // A config of its own: without --config the binary would read ./config or /etc/pixelrelay.
        let config = dir + ".json"
        try "{}".write(toFile: config, atomically: true, encoding: .utf8)
        let gateway = try GatewayProcess(dataDir: dir, arguments: ["--dry-run", "--config", config])
        defer {
            gateway.stop()
            for path in [dir, config, dir + ".log"] { try? FileManager.default.removeItem(atPath: path) }
        }
        let client = try RawHTTPClient(port: gateway.port)
        client.send("POST /events HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-abc-123\r\nContent-Length: 5\r\n\r\n{oops")
        let response = try #require(client.readResponses(1).first)
        #expect(response.status == 400)
        #expect(response.header("X-Request-Id") == "trace-abc-123")

        let minted = try RawHTTPClient(port: gateway.port)
        minted.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        let notFound = try #require(minted.readResponses(1).first)
        let id = try #require(notFound.header("X-Request-Id"))

        var log = ""
        for _ in 0..<100 where !(log.contains("trace-abc-123") && log.contains(id)) {
            try await Task.sleep(for: .milliseconds(20))
            log = gateway.log
        }
        let lines = log.split(separator: "\n").filter { $0.contains("request refused") }
        #expect(
            lines.contains { $0.contains("\"request.id\":\"trace-abc-123\"") && $0.contains("\"http.status\":\"400\"") }
        )
        #expect(lines.contains { $0.contains("\"request.id\":\"\(id)\"") && $0.contains("\"http.status\":\"404\"") })
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
    }
}
