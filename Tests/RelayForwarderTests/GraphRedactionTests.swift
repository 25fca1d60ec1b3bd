// SPDX-License-Identifier: Apache-2.0
import RelayCore
import RelayStore
import Testing

@testable import RelayForwarder

/// S2: Meta echoes a malformed access token in its error message; the forwarder keeps none of it.
@Suite("Access tokens are scrubbed from what Meta says")
struct GraphRedactionTests {
    static let token = "EAAGm0PX4ZCpsBAKZC0ZBtokenTailThatIsLong123"

    static let cases: [(text: String, secret: String?, expected: String)] = [
        ("Malformed access token \(token)", nil, "Malformed access token <redacted>"),
        ("Malformed access token \(token).", token, "Malformed access token <redacted>."),
        ("bad token my-own-secret-123 given", "my-own-secret-123", "bad token <redacted> given"),
        ("twice: abcdefgh and abcdefgh", "abcdefgh", "twice: <redacted> and <redacted>"),
        ("short secret abc stays", "abc", "short secret abc stays"),
        ("EAA alone and EAAshort stay", nil, "EAA alone and EAAshort stay"),
        ("Invalid parameter", token, "Invalid parameter"),
        ("ünïcode \(token) ✓", nil, "ünïcode <redacted> ✓"),
        // A mark that joins the token's first or last character into one grapheme cluster hides
        // nothing: the search is on bytes.
        ("token: \u{0600}my-own-secret-123\u{0301}.", "my-own-secret-123", "token: \u{0600}<redacted>\u{0301}."),
        ("token \u{0600}\(token)", nil, "token \u{0600}<redacted>"),
        ("token \u{0600}\(token)\u{0301}", token, "token \u{0600}<redacted>\u{0301}"),
    ]

    @Test("scrub replaces the configured token and any EAA… token, and leaves other text alone")
    func scrubTable() {
        for c in Self.cases {
            // Compared as bytes: String == is canonical equivalence.
            #expect(Array(GraphRedaction.scrub(c.text, secret: c.secret).utf8) == Array(c.expected.utf8), "\(c.text)")
        }
    }

    @Test("every text of every outcome is scrubbed, the fbtrace_id of a delivered batch too")
    func everyOutcomeTextIsScrubbed() {
        let t = Self.token
        let error = GraphError(
            httpStatus: 400, code: 100, type: "x \(t)", message: "m \(t)", fbtraceID: "f \(t)", userTitle: "u \(t)",
            userMessage: "v \(t)")
        let outcomes: [GraphOutcome] = [
            .delivered(GraphSuccess(eventsReceived: 1, messages: ["w \(t)"], fbtraceID: t)),
            .retry(reason: "r \(t)", error: error, retryAfterMs: nil), .invalidPayload(error),
            .pause(reason: "p \(t)", error: error),
        ]
        for outcome in outcomes {
            let text = "\(outcome.redacting(nil))"
            #expect(!text.contains("EAAGm0"), "\(text)")
            #expect(text.contains("<redacted>"))
        }
    }

    @Test("a code 190 echoing the token pauses the pixel with the token in neither its reason nor its report")
    func echoedTokenNeverKept() async throws {
        let secret = "not-a-real-token-pasted-by-mistake"
        let body = """
            {"error":{"message":"Malformed access token \(secret)","type":"OAuthException","code":190,\
            "error_user_msg":"token \(secret) \(Self.token)","fbtrace_id":"AbC"}}
            """
        try await withHarness { h in
            await h.enqueue(makeEvents(3))
            h.fake.setAlways(.status(400, body: body))
            let worker = h.start(targets: [target(pixelA, token: secret)])

            #expect(await eventually { worker.pixelStates().first?.paused == true })
            let state = try #require(worker.pixelStates().first)
            let texts = [state.pauseReason ?? "", state.lastError ?? ""] + h.reports.reports.map { "\($0.outcome)" }
            for text in texts {
                #expect(!text.contains(secret) && !text.contains("EAAGm0"), "\(text)")
            }
            #expect(state.pauseReason?.contains("Malformed access token <redacted>") == true)
        }
    }

    @Test("a code 100 rejection echoing a token is dead-lettered without it")
    func deadLetterWithoutToken() async throws {
        let body = """
            {"error":{"message":"Invalid parameter near \(Self.token)","code":100,"error_user_msg":"\(Self.token)"}}
            """
        try await withHarness { h in
            await h.enqueue(makeEvents(1))
            h.fake.setAlways(.status(400, body: body))
            _ = h.start()

            #expect(await eventually { h.deadLetters.count == 1 })
            let letter = try #require(h.deadLetters.first)
            #expect(!(letter.metaMessage ?? "").contains("EAAGm0"), "\(letter.metaMessage ?? "")")
            #expect(letter.metaMessage?.contains("<redacted>") == true)
        }
    }
}
