// SPDX-License-Identifier: Apache-2.0

/// The members of one beacon event, found in a single pass over the object.
///
/// `EventProcessor` needs about twenty members by name; looking each up scanned every member
/// (with string comparisons) and cost more than hashing the event's identifiers. Keys are
/// classified with one dictionary lookup each instead. The JSON parser rejects duplicate keys, but
/// objects built from `/tr` parameters may repeat one: the first member of a name wins, as a lookup
/// by name would have it.
///
/// A single-event body is usually scanned straight into its members instead (`EventMembers+Scan`):
/// no tree, and `custom_data` kept as its own compact bytes. A class: passing the twenty-odd
/// optional members around by value (into `BeaconEvent`, out of it, into the processor) copied and
/// retained each of them every time.
public final class EventMembers {
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
    /// `user_data`, already split into its members by the scanner (then `userData` is nil).
    var scannedUserData: UserDataMembers?
    /// `custom_data` as the scanner found it: an object whose bytes are exactly what `JSONWriter`
    /// would write for it (then `customData` is nil).
    var compactCustomData: CompactCustomData?

    static let table = KeyTable(keys)

    init() {}

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

    static let table = KeyTable(keys)

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

    init() {}

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

/// `custom_data` as the beacon scanner keeps it: its compact bytes, copied into the CAPI event as they
/// are, and the two members the processor checks.
struct CompactCustomData {
    var bytes: [UInt8]
    var value: JSONValue?
    var currency: JSONValue?
}

/// Classifies an object key from its bytes, without making a `String` (keys are plain ASCII).
struct KeyTable<Key: Sendable>: Sendable {
    /// Entries by key length.
    let byLength: [[(bytes: [UInt8], key: Key)]]

    init(_ keys: [String: Key]) {
        var byLength = [[(bytes: [UInt8], key: Key)]](
            repeating: [], count: (keys.keys.map(\.utf8.count).max() ?? 0) + 1)
        for (name, key) in keys { byLength[name.utf8.count].append((Array(name.utf8), key)) }
        self.byLength = byLength
    }

    func find(_ p: UnsafePointer<UInt8>, count: Int) -> Key? {
        guard count < byLength.count else { return nil }
        for entry in byLength[count]
        where entry.bytes.withUnsafeBufferPointer({ JSONScanner.same($0.baseAddress!, p, count) }) {
            return entry.key
        }
        return nil
    }
}
