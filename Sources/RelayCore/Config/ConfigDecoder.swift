// SPDX-License-Identifier: Apache-2.0

/// Turns the (already substituted) config document into a `RelayConfig`, collecting every problem.
///
/// Decoding never stops at the first problem: a bad value is reported and the default kept, so one
/// run of `check-config` lists everything. Lenient on purpose, because `${VAR}` always yields a string:
/// `null` means "use the default"; integers and booleans may be written as strings (`"8080"`,
/// `"true"`); keys that start with `_` are ignored (use `"_comment"` for notes).
struct ConfigDecoder {
    private(set) var issues: [ConfigIssue] = []
    /// Paths whose strings came from `${...}`: their values are never quoted in messages.
    let substitutedPaths: Set<String>
    /// Paths whose substitution failed (already reported): read as "no value", without a second issue.
    let failedPaths: Set<String>
    /// The JSON path of each decoded site, parallel to the decoded `sites` (bad elements are skipped).
    var sitePaths: [String] = []

    init(substitutedPaths: Set<String>, failedPaths: Set<String> = []) {
        self.substitutedPaths = substitutedPaths
        self.failedPaths = failedPaths
    }

    mutating func report(_ path: String, _ message: String) {
        issues.append(ConfigIssue(path: path, message: message))
    }

    /// ` (got "x")`, or a neutral note for values from the environment, or nothing for secrets.
    func got(_ value: String, at path: String, secret: Bool = false) -> String {
        if secret { return "" }
        if substitutedPaths.contains(path) { return " (the value comes from a ${...} reference)" }
        let short = value.count > 80 ? String(value.prefix(77)) + "..." : value
        return " (got \"" + short + "\")"
    }

    /// The value as an object, after reporting its unknown keys; nil (and an issue) for other types.
    mutating func object(_ value: JSONValue, at path: String, keys: [String]) -> JSONObject? {
        guard case .object(let object) = value else {
            report(path, "must be an object ({ ... }), not \(value.typeDescription)")
            return nil
        }
        for key in object.keys where !keys.contains(key) && !key.hasPrefix("_") {
            let hint: String
            if let near = KeySuggestion.closest(to: key, in: keys) {
                hint = "did you mean \"\(near)\"?"
            } else {
                hint = "known keys here: " + keys.joined(separator: ", ")
            }
            report(ConfigPath.member(path, key), "unknown key; " + hint)
        }
        return object
    }

    mutating func string(_ value: JSONValue, at path: String) -> String? {
        if failedPaths.contains(path) { return nil }
        if case .string(let s) = value { return s }
        report(path, "must be a string, not \(value.typeDescription)")
        return nil
    }

    /// A string checked by `rule`; the value is quoted in the message unless `secret`.
    mutating func checked<T>(
        _ value: JSONValue, at path: String, secret: Bool = false, _ rule: (String) -> ConfigRules.Check<T>
    ) -> T? {
        guard let s = string(value, at: path) else { return nil }
        switch rule(s) {
        case .success(let v): return v
        case .failure(let m):
            report(path, m.text + got(s, at: path, secret: secret))
            return nil
        }
    }

    /// An integer in `range`, written as a JSON integer or a string of digits.
    mutating func int(_ value: JSONValue, at path: String, in range: ClosedRange<Int>, unit: String = "") -> Int? {
        if failedPaths.contains(path) { return nil }
        let text: String
        switch value {
        case .number(let n): text = n
        case .string(let s): text = s
        default:
            report(
                path,
                "must be an integer from \(range.lowerBound) to \(range.upperBound)\(unit), not \(value.typeDescription)"
            )
            return nil
        }
        switch ConfigRules.integer(text, in: range) {
        case .success(let v): return v
        case .failure:
            report(
                path, "must be an integer from \(range.lowerBound) to \(range.upperBound)\(unit)" + got(text, at: path))
            return nil
        }
    }

    /// A boolean, written as `true`/`false` or the strings `"true"`/`"false"`.
    mutating func bool(_ value: JSONValue, at path: String) -> Bool? {
        if failedPaths.contains(path) { return nil }
        switch value {
        case .bool(let b): return b
        case .string("true"): return true
        case .string("false"): return false
        default:
            report(path, "must be true or false, not \(value.typeDescription)")
            return nil
        }
    }

    mutating func array(_ value: JSONValue, at path: String) -> [JSONValue]? {
        if case .array(let a) = value { return a }
        report(path, "must be an array ([ ... ]), not \(value.typeDescription)")
        return nil
    }

    /// Each element checked by `rule`; bad elements are reported and left out.
    mutating func list<T>(
        _ value: JSONValue, at path: String, secret: Bool = false, _ rule: (String) -> ConfigRules.Check<T>
    ) -> [T]? {
        guard let items = array(value, at: path) else { return nil }
        var out: [T] = []
        for (i, item) in items.enumerated() {
            if let v = checked(item, at: ConfigPath.index(path, i), secret: secret, rule) { out.append(v) }
        }
        return out
    }
}
