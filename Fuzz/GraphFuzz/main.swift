// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for what the forwarder reads from the Graph API: any status, headers and body
// through GraphResponseClassifier and GraphUsage. Compiled together with the RelayCore sources and
// those RelayForwarder files as one module; run it with `scripts/fuzz.sh graph [seconds]`.
//
// Input: byte 0 picks the status (100 + 2 × byte, at most 599), then header lines `name: value` up
// to an empty line, then the body. Checks, for every input: no crash or hang; a rate-limit hint is never negative
// (a huge Retry-After saturates); a 2xx is delivered only with an events_received equal to the batch
// (else mismatch or pause), and nothing is ever "delivered" from a non-2xx; and once redacted, no
// text of the outcome holds the access token, whatever Meta wrote around it.

let token = "EAAGfuzzTOKENsecret0123456789abcdef"
let otherSecret = "my-own-secret-token"

/// Stops with a message (kept in -O builds) so libFuzzer saves the input as a crash reproducer.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGraph(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    guard let first = input.first else { return 0 }
    let status = min(599, 100 + 2 * Int(first))
    var rest = input.dropFirst()
    var headers: [(String, String)] = []
    while let newline = rest.firstIndex(of: 0x0A) {
        let line = rest[rest.startIndex..<newline]
        rest = rest[(newline + 1)...]
        if line.isEmpty { break }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
        let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self)
        headers.append((name, value))
    }
    let response = UpstreamResponse(status: status, body: Array(rest), headers: headers)

    if let delay = GraphUsage(headers: headers).suggestedDelayMs { check(delay >= 0, "a negative delay: \(delay)") }

    for batch in [1, 3, 1000] {
        let outcome = GraphResponseClassifier.classify(.success(response), batchSize: batch)
        switch outcome {
        case .delivered(let success):
            check((200...299).contains(status), "delivered on HTTP \(status)")
            check(success.eventsReceived == batch, "delivered with another events_received")
        case .mismatch(let expected, let received):
            check((200...299).contains(status) && expected == batch && received != batch, "a bad mismatch")
        case .retry(_, _, let hint):
            if let hint { check(hint >= 0, "a negative retry hint") }
        case .pause, .invalidPayload:
            break
        }
        for secret in [token, otherSecret] {
            let redacted = outcome.redacting(secret)
            for text in texts(redacted) {
                check(Array(text.utf8).firstRange(of: Array(secret.utf8)) == nil, "the token survived redaction")
            }
        }
    }
    return 0
}

/// Every text of an outcome that reaches logs, /readyz, /status or a dead letter.
func texts(_ outcome: GraphOutcome) -> [String] {
    func of(_ e: GraphError?) -> [String] {
        guard let e else { return [] }
        return [e.type, e.message, e.fbtraceID, e.userTitle, e.userMessage].compactMap { $0 } + [e.summary]
    }
    switch outcome {
    case .delivered(let s): return s.messages + (s.fbtraceID.map { [$0] } ?? [])
    case .retry(let reason, let error, _): return [reason] + of(error)
    case .invalidPayload(let error): return of(error)
    case .pause(let reason, let error): return [reason] + of(error)
    case .mismatch: return []
    }
}
