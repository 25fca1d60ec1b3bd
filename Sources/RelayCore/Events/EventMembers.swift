// SPDX-License-Identifier: Apache-2.0

/// The members of one beacon event, found in a single pass over the object.
///
/// `EventProcessor` needs about twenty members by name; looking each up scanned every member
/// (with string comparisons) and cost more than hashing the event's identifiers. Keys are
/// classified with one dictionary lookup each instead. The JSON parser rejects duplicate keys, but
/// objects built from `/tr` parameters may repeat one: the first member of a name wins, as a lookup
/// by name would have it.
struct EventMembers {
    enum Key {
        case eventName, eventID, eventTime, actionSource, eventSourceURL, userData, customData, pixelID, consent
        /// An index into ``EventProcessor/passThroughTopLevel``.
        case passThrough(Int)
    }

    static let keys: [String: Key] = {
        var keys: [String: Key] = [
            "event_name": .eventName, "event_id": .eventID, "event_time": .eventTime, "action_source": .actionSource,
            "event_source_url": .eventSourceURL, "user_data": .userData, "custom_data": .customData,
            "pixel_id": .pixelID, "consent": .consent,
        ]
        for (i, key) in EventProcessor.passThroughTopLevel.enumerated() { keys[key] = .passThrough(i) }
        return keys
    }()

    var eventName: JSONValue?
    var eventID: JSONValue?
    var eventTime: JSONValue?
    var actionSource: JSONValue?
    var eventSourceURL: JSONValue?
    var userData: JSONValue?
    var customData: JSONValue?
    var pixelID: JSONValue?
    var consent: JSONValue?
    /// Pass-through members (index into ``EventProcessor/passThroughTopLevel``, value), in document order.
    var passThrough: [(index: Int, value: JSONValue)] = []
    /// Keys that are not event fields, in document order.
    var unknown: [String] = []

    init(_ event: JSONObject) {
        for member in event.members {
            switch Self.keys[member.key] {
            case .eventName?: eventName = eventName ?? member.value
            case .eventID?: eventID = eventID ?? member.value
            case .eventTime?: eventTime = eventTime ?? member.value
            case .actionSource?: actionSource = actionSource ?? member.value
            case .eventSourceURL?: eventSourceURL = eventSourceURL ?? member.value
            case .userData?: userData = userData ?? member.value
            case .customData?: customData = customData ?? member.value
            case .pixelID?: pixelID = pixelID ?? member.value
            case .consent?: consent = consent ?? member.value
            case .passThrough(let index)?:
                if !passThrough.contains(where: { $0.index == index }) { passThrough.append((index, member.value)) }
            case nil: unknown.append(member.key)
            }
        }
    }
}

/// The members of an event's `user_data`, found in a single pass (see ``EventMembers``).
struct UserDataMembers {
    enum Key {
        case pii(Int)  // index into PIIField.allCases
        case passThrough
        case fbc, fbp, clientIP, clientUserAgent
    }

    static let keys: [String: Key] = {
        var keys: [String: Key] = [
            "fbc": .fbc, "fbp": .fbp, "client_ip_address": .clientIP, "client_user_agent": .clientUserAgent,
        ]
        for (i, field) in PIIField.allCases.enumerated() { keys[field.rawValue] = .pii(i) }
        for key in EventProcessor.passThroughUserData { keys[key] = .passThrough }
        return keys
    }()

    /// Values by field, in `PIIField.allCases` order (the order they are written in).
    var pii = [JSONValue?](repeating: nil, count: PIIField.allCases.count)
    var fbc: JSONValue?
    var fbp: JSONValue?
    var clientIP: JSONValue?
    var clientUserAgent: JSONValue?
    /// Pass-through keys (`known` true) and keys that are not Conversions API keys, in document order.
    var others: [(key: String, value: JSONValue, known: Bool)] = []

    init(_ user: JSONObject) {
        for member in user.members {
            switch Self.keys[member.key] {
            case .pii(let index)?: pii[index] = pii[index] ?? member.value
            case .fbc?: fbc = fbc ?? member.value
            case .fbp?: fbp = fbp ?? member.value
            case .clientIP?: clientIP = clientIP ?? member.value
            case .clientUserAgent?: clientUserAgent = clientUserAgent ?? member.value
            case .passThrough?: others.append((member.key, member.value, true))
            case nil: others.append((member.key, member.value, false))
            }
        }
    }

    subscript(field: PIIField) -> JSONValue? {
        pii[PIIField.allCases.firstIndex(of: field)!]
    }
}
