// SPDX-License-Identifier: Apache-2.0
internal import RelayCore

/// Rate-limit hints from a Graph response's headers (capi.md §10.4), parsed defensively: a header
/// that is missing or malformed just leaves its field nil.
public struct GraphUsage: Sendable, Equatable {
    /// `Retry-After` in seconds (the delta-seconds form; HTTP dates are ignored).
    public var retryAfterSeconds: Int?
    /// The highest of `call_count`, `total_cputime`, `total_time` in `X-App-Usage` (percent).
    public var appUsagePercent: Double?
    /// The highest of those fields over every entry of `X-Business-Use-Case-Usage` (percent).
    public var businessUsagePercent: Double?
    /// The highest `estimated_time_to_regain_access` in `X-Business-Use-Case-Usage` (minutes).
    public var regainAccessMinutes: Int?

    /// Usage at or above this percentage means "slow down" even before Meta starts refusing.
    public static let slowDownPercent = 95.0
    /// Wait this long at ≥ 95 % usage (Meta's windows are rolling hours; our default).
    public static let slowDownDelayMs = 60_000
    /// Wait this long at ≥ 100 % usage with no better estimate (our default).
    public static let exhaustedDelayMs = 300_000

    /// Reads the throttling headers from lowercased `(name, value)` pairs.
    public init(headers: [(String, String)]) {
        for (name, value) in headers {
            switch name {
            case "retry-after":
                retryAfterSeconds = Int(Self.trimBlanks(value)).flatMap { $0 >= 0 ? $0 : nil }
            case "x-app-usage":
                guard let json = try? JSONParser.parse(Array(value.utf8)) else { continue }
                appUsagePercent = Self.maxPercent(json)
            case "x-business-use-case-usage":
                guard let json = try? JSONParser.parse(Array(value.utf8)), let accounts = json.objectValue else {
                    continue
                }
                for (_, entries) in accounts.members {
                    for entry in entries.arrayValue ?? [entries] {
                        businessUsagePercent = Self.max(businessUsagePercent, Self.maxPercent(entry))
                        if let minutes = GraphJSON.int(entry["estimated_time_to_regain_access"]), minutes >= 0 {
                            regainAccessMinutes = Swift.max(regainAccessMinutes ?? 0, minutes)
                        }
                    }
                }
            default:
                continue
            }
        }
    }

    /// How long to wait before the next call to this endpoint, or nil when the headers say nothing.
    /// Use it after successes too, to slow down before Meta starts refusing calls.
    public var suggestedDelayMs: Int? {
        var delay: Int?
        // Saturating: a wrapped product of a huge hint could be negative, and a negative delay is ignored.
        if let retryAfterSeconds {
            let (ms, overflow) = retryAfterSeconds.multipliedReportingOverflow(by: 1000)
            delay = Self.max(delay, overflow ? Int.max : ms)
        }
        if let regainAccessMinutes, regainAccessMinutes > 0 {
            let (ms, overflow) = regainAccessMinutes.multipliedReportingOverflow(by: 60_000)
            delay = Self.max(delay, overflow ? Int.max : ms)
        }
        let usage = Self.max(appUsagePercent, businessUsagePercent) ?? 0
        if usage >= 100 {
            delay = Self.max(delay, Self.exhaustedDelayMs)
        } else if usage >= Self.slowDownPercent {
            delay = Self.max(delay, Self.slowDownDelayMs)
        }
        return delay
    }

    private static func maxPercent(_ json: JSONValue) -> Double? {
        var result: Double?
        for key in ["call_count", "total_cputime", "total_time"] {
            result = max(result, GraphJSON.double(json[key]))
        }
        return result
    }

    /// `value` without leading and trailing spaces and tabs.
    private static func trimBlanks(_ value: String) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = value.firstIndex(where: { !isBlank($0) }), let end = value.lastIndex(where: { !isBlank($0) })
        else {
            return ""
        }
        return value[start...end]
    }

    private static func max<T: Comparable>(_ a: T?, _ b: T?) -> T? {
        guard let a else { return b }
        guard let b else { return a }
        return Swift.max(a, b)
    }
}
