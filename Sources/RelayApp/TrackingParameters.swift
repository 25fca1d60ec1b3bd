// SPDX-License-Identifier: Apache-2.0
import RelayCore

/// Meta-Pixel-compatible `/tr` parameters (`id`, `ev`, `eid`, `dl`, `rl`, `ts`, `cd[...]`, `ud[...]`,
/// `fbp`, `fbc`) turned into one beacon event.
enum TrackingParameters {
    static let numericCustomData: Set<String> = ["value", "num_items", "predicted_ltv"]

    static func event(from pairs: [(key: String, value: String)]) -> Result<[JSONValue], EventRejection> {
        var top: [(key: String, value: JSONValue)] = []
        var custom: [(key: String, value: JSONValue)] = []
        var user: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        for (key, value) in pairs where seen.insert(key).inserted {
            switch key {
            case "id": top.append(("pixel_id", .string(value)))
            case "ev": top.append(("event_name", .string(value)))
            case "eid": top.append(("event_id", .string(value)))
            case "dl": top.append(("event_source_url", .string(value)))
            case "rl": if !value.isEmpty { top.append(("referrer_url", .string(value))) }
            case "ts":
                // Not a plain number: ignored, so the event gets the receive time (an image beacon has no one
                // to read an error).
                if !value.isEmpty, value.utf8.count <= 16, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    top.append(("event_time", .number(value)))
                }
            case "fbp": user.append(("fbp", .string(value)))
            case "fbc": user.append(("fbc", .string(value)))
            default:
                if let inner = bracketed(key, prefix: "cd") {
                    custom.append((inner, customValue(inner, value)))
                } else if let inner = bracketed(key, prefix: "ud") {
                    user.append((inner, .string(value)))
                }
            }
        }
        guard top.contains(where: { $0.key == "event_name" }) else {
            return .failure(EventRejection("ev (the event name) is required"))
        }
        if !custom.isEmpty { top.append(("custom_data", .object(JSONObject(custom)))) }
        if !user.isEmpty { top.append(("user_data", .object(JSONObject(user)))) }
        return .success([.object(JSONObject(top))])
    }

    static func bracketed(_ key: String, prefix: String) -> String? {
        guard key.hasPrefix(prefix + "["), key.hasSuffix("]"), key.count > prefix.count + 2 else { return nil }
        return String(key.dropFirst(prefix.count + 1).dropLast())
    }

    /// Numbers for numeric keys; JSON arrays/objects (the Pixel JSON-encodes `content_ids`, `contents`); else text.
    static func customValue(_ key: String, _ value: String) -> JSONValue {
        if numericCustomData.contains(key), let parsed = try? JSONParser.parse(value), case .number = parsed {
            return parsed
        }
        if value.hasPrefix("[") || value.hasPrefix("{"), let parsed = try? JSONParser.parse(value) { return parsed }
        return .string(value)
    }
}
