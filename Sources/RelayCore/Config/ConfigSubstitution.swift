// SPDX-License-Identifier: Apache-2.0

/// `${NAME}` substitution in every string value of the config document (not in keys).
///
/// - `${NAME}` is replaced by the variable, whether it is the whole string or part of it
///   (`"https://${HOST}/x"`); `NAME` is letters, digits and `_`, not starting with a digit.
/// - `NAME_FILE` is honoured as in `EnvironmentLookup` (Docker secrets), so
///   `"access_token": "${SHOP_TOKEN}"` works with `SHOP_TOKEN_FILE=/run/secrets/shop`.
/// - `$${` is a literal `${`; any other `$` is literal. Replacements are not scanned again.
/// - An unset variable, or a malformed reference, is an issue at the value's JSON path.
struct ConfigSubstitution {
    let lookup: EnvironmentLookup
    /// Issues found so far.
    private(set) var issues: [ConfigIssue] = []
    /// JSON paths of strings that had a substitution: their values are never echoed in messages.
    private(set) var substitutedPaths: Set<String> = []
    /// JSON paths whose substitution failed: already reported, so the decoder does not check them again.
    private(set) var failedPaths: Set<String> = []

    init(lookup: EnvironmentLookup) {
        self.lookup = lookup
    }

    /// Returns `value` with every reference replaced.
    mutating func apply(_ value: JSONValue, at path: String) -> JSONValue {
        switch value {
        case .string(let s):
            guard s.utf8.contains(UInt8(ascii: "$")) else { return value }
            return .string(substitute(s, at: path))
        case .array(let items):
            var out: [JSONValue] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() { out.append(apply(item, at: ConfigPath.index(path, i))) }
            return .array(out)
        case .object(let object):
            var out = JSONObject()
            out.members.reserveCapacity(object.members.count)
            for m in object.members {
                out.members.append((m.key, apply(m.value, at: ConfigPath.member(path, m.key))))
            }
            return .object(out)
        case .null, .bool, .number:
            return value
        }
    }

    private mutating func substitute(_ s: String, at path: String) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var replaced = false
        while i < bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: "$"), i + 1 < bytes.count else {
                out.append(c)
                i += 1
                continue
            }
            if bytes[i + 1] == UInt8(ascii: "$"), i + 2 < bytes.count, bytes[i + 2] == UInt8(ascii: "{") {
                out.append(contentsOf: "${".utf8)
                i += 3
                continue
            }
            guard bytes[i + 1] == UInt8(ascii: "{") else {
                out.append(c)
                i += 1
                continue
            }
            guard let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")),
                let name = Self.variableName(bytes[(i + 2)..<close])
            else {
                issues.append(
                    ConfigIssue(
                        path: path,
                        message: "malformed ${...} reference; write ${NAME} with NAME made of letters, digits and _,"
                            + " or $${ for a literal ${"))
                failedPaths.insert(path)
                return s
            }
            replaced = true
            switch lookup.resolve(name) {
            case .value(let v, _):
                out.append(contentsOf: v.utf8)
            case .empty:
                break
            case .missing:
                issues.append(
                    ConfigIssue(
                        path: path,
                        message: "environment variable \(name) is not set; set it (or \(name)_FILE with the path"
                            + " of a file holding the value), or write $${ for a literal ${"))
                failedPaths.insert(path)
            case .problem(_, let message):
                issues.append(ConfigIssue(path: path, message: "${\(name)}: " + message))
                failedPaths.insert(path)
            }
            i = close + 1
        }
        if replaced { substitutedPaths.insert(path) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The variable name when `bytes` is `[A-Za-z_][A-Za-z0-9_]*`.
    private static func variableName(_ bytes: ArraySlice<UInt8>) -> String? {
        guard let first = bytes.first, !(first >= 0x30 && first <= 0x39) else { return nil }
        for c in bytes {
            let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
            if !ok { return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Builds the JSON paths used in issues: `$.server.port`, `$.sites[0]`, `$["odd key"]`.
enum ConfigPath {
    /// The document root.
    static let root = "$"

    /// `base.key`, or `base["key"]` when the key is not identifier-like.
    static func member(_ base: String, _ key: String) -> String {
        let simple =
            !key.isEmpty
            && key.utf8.allSatisfy { c in
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
                    || c == 0x2D
            }
        if simple { return base + "." + key }
        var escaped = ""
        for ch in key.unicodeScalars {
            switch ch {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where ch.value < 0x20: escaped += "\\u{\(String(ch.value, radix: 16))}"
            default: escaped.unicodeScalars.append(ch)
            }
        }
        return base + "[\"" + escaped + "\"]"
    }

    /// `base[i]`.
    static func index(_ base: String, _ i: Int) -> String {
        base + "[\(i)]"
    }
}
