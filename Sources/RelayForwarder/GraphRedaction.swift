// SPDX-License-Identifier: Apache-2.0
import RelayCore

/// Removes access tokens from what Meta says before it reaches logs, `/readyz`, `/status` or dead
/// letters (reliability.md S2): Graph echoes a malformed token in its error message
/// (`Malformed access token EAA…`), and a token pasted in the wrong place may be any text.
public enum GraphRedaction {
    /// Shortest run after `EAA` taken for a token (Meta's are 100+ characters; words are shorter).
    static let minimumTokenTail = 16

    /// `text` with every occurrence of `secret` (when it is at least 8 bytes) and every `EAA…` token
    /// replaced by `<redacted>`.
    public static func scrub(_ text: String, secret: String?) -> String {
        // On bytes: matched by Character, a token next to a prepend or combining mark (one grapheme
        // cluster with its first or last character) would not be found.
        var source = Array(text.utf8)
        if let secret, secret.utf8.count >= 8 {
            source = source.replacing(Array(secret.utf8), with: Array(Secret.redacted.utf8))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.count)
        var i = 0
        while i < source.count {
            if i + 3 <= source.count, source[i] == 0x45, source[i + 1] == 0x41, source[i + 2] == 0x41 {
                var j = i + 3
                while j < source.count, isTokenByte(source[j]) { j += 1 }
                if j - i - 3 >= minimumTokenTail {
                    bytes.append(contentsOf: Secret.redacted.utf8)
                    i = j
                    continue
                }
            }
            bytes.append(source[i])
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Token alphabet: letters, digits, `_` and `-` (URL-safe base64 without padding).
    static func isTokenByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
    }
}

extension GraphError {
    /// This error with tokens scrubbed from every text Meta wrote (``GraphRedaction``).
    public func redacting(_ secret: String?) -> GraphError {
        var copy = self
        copy.message = message.map { GraphRedaction.scrub($0, secret: secret) }
        copy.userTitle = userTitle.map { GraphRedaction.scrub($0, secret: secret) }
        copy.userMessage = userMessage.map { GraphRedaction.scrub($0, secret: secret) }
        copy.type = type.map { GraphRedaction.scrub($0, secret: secret) }
        copy.fbtraceID = fbtraceID.map { GraphRedaction.scrub($0, secret: secret) }
        return copy
    }
}

extension GraphOutcome {
    /// This outcome with tokens scrubbed from Meta's texts (``GraphRedaction``).
    public func redacting(_ secret: String?) -> GraphOutcome {
        switch self {
        case .delivered(var success):
            success.messages = success.messages.map { GraphRedaction.scrub($0, secret: secret) }
            success.fbtraceID = success.fbtraceID.map { GraphRedaction.scrub($0, secret: secret) }
            return .delivered(success)
        case .retry(let reason, let error, let retryAfterMs):
            return .retry(
                reason: GraphRedaction.scrub(reason, secret: secret), error: error?.redacting(secret),
                retryAfterMs: retryAfterMs)
        case .invalidPayload(let error): return .invalidPayload(error.redacting(secret))
        case .pause(let reason, let error):
            return .pause(reason: GraphRedaction.scrub(reason, secret: secret), error: error.redacting(secret))
        case .mismatch: return self
        }
    }
}
