// SPDX-License-Identifier: Apache-2.0

/// Which customer-information keys an event carries (never their values): the inputs of Event Match Quality.
public struct MatchKeys: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let em = MatchKeys(rawValue: 1 << 0)
    public static let ph = MatchKeys(rawValue: 1 << 1)
    public static let externalID = MatchKeys(rawValue: 1 << 2)
    public static let fbp = MatchKeys(rawValue: 1 << 3)
    public static let fbc = MatchKeys(rawValue: 1 << 4)
    public static let ip = MatchKeys(rawValue: 1 << 5)
    public static let ua = MatchKeys(rawValue: 1 << 6)
    public static let name = MatchKeys(rawValue: 1 << 7)  // fn or ln
    public static let address = MatchKeys(rawValue: 1 << 8)  // ct, st, zp or country
    public static let dob = MatchKeys(rawValue: 1 << 9)  // db or ge

    /// The keys reported on /status, with their display names, in display order.
    public static let reported: [(key: MatchKeys, name: String)] = [
        (.em, "em"), (.ph, "ph"), (.externalID, "external_id"), (.fbp, "fbp"), (.fbc, "fbc"), (.ip, "ip"), (.ua, "ua"),
    ]

    /// Names of the keys present, in display order.
    public var names: [String] {
        var out: [String] = []
        for (k, n) in MatchKeys.reported where contains(k) { out.append(n) }
        if contains(.name) { out.append("name") }
        if contains(.address) { out.append("address") }
        if contains(.dob) { out.append("db/ge") }
        return out
    }

    static func forField(_ f: PIIField) -> MatchKeys {
        switch f {
        case .em: return .em
        case .ph: return .ph
        case .externalID: return .externalID
        case .fn, .ln: return .name
        case .ct, .st, .zp, .country: return .address
        case .db, .ge: return .dob
        }
    }
}
