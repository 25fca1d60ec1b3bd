// SPDX-License-Identifier: Apache-2.0
import RelayCore
import RelayStore

/// The CAPI request body (interface.md §6): `{"data":[…],"access_token":"…","test_event_code":"…","partner_agent":"…"}`,
/// `test_event_code` only when configured. Event payloads are copied in as stored (already JSON).
enum CAPIRequestBody {
    static func make(
        events: some Collection<QueuedEvent>, accessToken: String, testEventCode: String?, partnerAgent: String
    ) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(160 + accessToken.utf8.count + events.reduce(0) { $0 + $1.payload.count + 1 })
        body.append(contentsOf: "{\"data\":[".utf8)
        var first = true
        for event in events {
            if !first { body.append(UInt8(ascii: ",")) }
            first = false
            body.append(contentsOf: event.payload)
        }
        body.append(contentsOf: "],\"access_token\":".utf8)
        appendString(accessToken, to: &body)
        if let testEventCode, !testEventCode.isEmpty {
            body.append(contentsOf: ",\"test_event_code\":".utf8)
            appendString(testEventCode, to: &body)
        }
        body.append(contentsOf: ",\"partner_agent\":".utf8)
        appendString(partnerAgent, to: &body)
        body.append(UInt8(ascii: "}"))
        return body
    }

    private static func appendString(_ s: String, to body: inout [UInt8]) {
        var writer = JSONWriter(capacity: s.utf8.count + 8)
        writer.string(s)
        body.append(contentsOf: writer.bytes)
    }
}
