// SPDX-License-Identifier: Apache-2.0

/// Turns one beacon event (a superset of a CAPI server event) into the CAPI event Meta receives:
/// validates it, fills `event_id` / `event_time` / `event_source_url` / `action_source`, adds the client's
/// IP, user agent and `_fbp` / `_fbc`, and normalises and hashes customer information in memory.
///
/// Not thread-safe (it owns a reusable SHA-256 context): one per thread.
public final class EventProcessor {
    /// Meta rejects a whole request when one event is older than 7 days.
    public static let metaMaxAgeSeconds: Int64 = 7 * 24 * 3600
    /// The oldest `event_time` accepted: Meta's 7 days less an hour, so an accepted event still has
    /// most of that hour to be delivered (``deliverableAgeSeconds``) rather than expiring at once.
    public static let maxAgeSeconds: Int64 = metaMaxAgeSeconds - 3600
    /// The age at which the forwarder stops trying and dead-letters an event as expired: Meta's 7 days
    /// less 5 minutes for clock skew and the request's own time.
    public static let deliverableAgeSeconds: Int64 = metaMaxAgeSeconds - 300
    public static let actionSources: Set<String> = [
        "email", "website", "app", "phone_call", "chat", "physical_store", "system_generated", "business_messaging",
        "other",
    ]
    static let passThroughUserData: Set<String> = [
        "subscription_id", "fb_login_id", "lead_id", "anon_id", "madid", "page_id", "page_scoped_user_id", "ctwa_clid",
        "ig_account_id", "ig_sid",
    ]
    static let passThroughTopLevel: [String] = [
        "opt_out", "referrer_url", "data_processing_options", "data_processing_options_country",
        "data_processing_options_state", "original_event_data", "customer_segmentation", "app_data",
        "messaging_channel",
    ]
    let hasher: UserDataHasher
    let digest: SHA256Digest

    /// - Parameter currentYear: upper bound for dates of birth.
    public init(currentYear: Int) {
        digest = SHA256Digest()
        hasher = UserDataHasher(digest: digest, currentYear: currentYear)
    }

    /// Processes one event. `context` carries cookie decisions from earlier events of the same request.
    public func process(_ value: JSONValue, context: inout IngestContext) -> Result<ProcessedEvent, EventRejection> {
        guard case .object(let object) = value else {
            return .failure(EventRejection("an event must be a JSON object, got \(value.typeDescription)"))
        }
        return process(members: EventMembers(object), context: &context)
    }

    /// Processes one event of a beacon (see ``BeaconEvent``).
    public func process(_ event: BeaconEvent, context: inout IngestContext) -> Result<ProcessedEvent, EventRejection> {
        switch event {
        case .value(let value): return process(value, context: &context)
        case .scanned(let members): return process(members: members, context: &context)
        }
    }

    func process(members event: EventMembers, context: inout IngestContext) -> Result<ProcessedEvent, EventRejection> {
        var warnings: [String] = []

        // event_name
        guard let nameValue = event.eventName else {
            return .failure(EventRejection("event_name is required"))
        }
        guard case .string(let eventName) = nameValue, !eventName.isEmpty else {
            return .failure(EventRejection("event_name must be a non-empty string"))
        }
        guard eventName.utf8.count <= 128 else {
            return .failure(EventRejection("event_name is longer than 128 bytes"))
        }

        // event_id: kept exactly, or minted.
        var eventID: String
        var minted = false
        switch event.eventID {
        case nil, .null?:
            eventID = RandomID.uuidV4()
            minted = true
        case .string(let s)?:
            guard !s.isEmpty, s.utf8.count <= 256 else {
                return .failure(EventRejection("event_id must be 1 to 256 bytes"))
            }
            eventID = s
        case .number(let n)?:
            // An order number sent as a number: its lexeme is the id, under the same length rule.
            guard n.utf8.count <= 256 else { return .failure(EventRejection("event_id must be 1 to 256 bytes")) }
            eventID = n
        case let other?:
            return .failure(EventRejection("event_id must be a string, got \(other.typeDescription)"))
        }

        // event_time: seconds; 13 digits = milliseconds; future → now; older than 7 days → rejected.
        let nowS = context.nowMs / 1000
        var eventTime = nowS
        switch event.eventTime {
        case nil, .null?:
            break
        case .number(let n)?:
            guard let t = Self.parseTime(n) else {
                return .failure(EventRejection("event_time must be Unix seconds (or milliseconds), got \(n)"))
            }
            eventTime = t
        case .string(let s)?:
            guard let t = Self.parseTime(s) else {
                return .failure(
                    EventRejection("event_time must be Unix seconds (or milliseconds), got \"\(s.utf8Prefix(32))\""))
            }
            eventTime = t
        case let other?:
            return .failure(EventRejection("event_time must be a number, got \(other.typeDescription)"))
        }
        if eventTime > nowS { eventTime = nowS }
        if eventTime < nowS - Self.maxAgeSeconds {
            return .failure(
                EventRejection(
                    "event_time is more than 7 days old (less the hour kept for delivery); Meta rejects such events",
                    reason: "too_old"))
        }

        // action_source
        var actionSource = "website"
        if let v = event.actionSource, v != .null {
            guard case .string(let s) = v, Self.actionSources.contains(s) else {
                return .failure(
                    EventRejection(
                        "action_source must be one of \(Self.actionSources.sorted().joined(separator: ", "))"))
            }
            actionSource = s
        }

        // event_source_url: body, else Referer.
        var sourceURL: String?
        switch event.eventSourceURL {
        case .string(let s)? where !s.isEmpty: sourceURL = s
        case nil, .null?, .string?:
            // An empty Referer is no page: a website event without one is refused below.
            sourceURL = context.referer.flatMap { $0.trimmingSpaces().isEmpty ? nil : $0 }
        case let other?:
            return .failure(EventRejection("event_source_url must be a string, got \(other.typeDescription)"))
        }
        if let u = sourceURL, u.utf8.count > 4096 {
            return .failure(EventRejection("event_source_url is longer than 4096 bytes"))
        }

        // consent
        var consentDenied = false
        if case .object(let consent)? = event.consent, case .string(let ad)? = consent["ad_storage"] {
            consentDenied = ad == "denied"
        }

        // custom_data
        var customData: JSONObject?
        switch event.customData {
        case nil, .null?: break
        case .object(let o)?:
            // A null member is no value; Meta refuses the whole batch for one (the fast path never keeps
            // an object holding one: see `scanCustomData`).
            let hasNull = o.members.contains { $0.value == .null }
            customData = hasNull ? JSONObject(o.members.filter { $0.value != .null }) : o
        case let other?: return .failure(EventRejection("custom_data must be an object, got \(other.typeDescription)"))
        }
        let compactCustomData = event.compactCustomData
        let customValue = compactCustomData.map(\.value) ?? customData?["value"]
        let customCurrency = compactCustomData.map(\.currency) ?? customData?["currency"]
        if let v = customValue, v != .null, !(v.doubleValue?.isFinite ?? false) {
            return .failure(EventRejection("custom_data.value must be a number (finite, like 149.99)"))
        }
        if let c = customCurrency, c != .null {
            guard case .string(let cur) = c, cur.utf8.count == 3, cur.utf8.allSatisfy({ ($0 | 0x20) &- 0x61 < 26 })
            else {
                return .failure(EventRejection("custom_data.currency must be a 3-letter ISO 4217 code such as \"USD\""))
            }
        }
        // (A `null` value or currency is no value: Meta would reject the whole batch for it.)
        if eventName == "Purchase", customValue?.doubleValue == nil || customCurrency?.stringValue == nil {
            return .failure(EventRejection("a Purchase needs custom_data.value and custom_data.currency"))
        }

        // user_data
        var userIn = event.scannedUserData ?? UserDataMembers()
        switch event.userData {
        case nil, .null?: break
        case .object(let o)?: userIn = UserDataMembers(o)
        case let other?: return .failure(EventRejection("user_data must be an object, got \(other.typeDescription)"))
        }
        for key in event.unknown {
            warnings.append("\(key) is not an event field; ignored")
        }

        // A browser event with hashes, user agent and URL is ~900 bytes: growing the buffer would copy it.
        var writer = JSONWriter(capacity: 1536)
        var keys: MatchKeys = []
        var dropped: [NormalizationFailure] = []
        writer.beginObject()
        writer.key("event_name")
        writer.string(eventName)
        writer.key("event_time")
        writer.int(eventTime)
        writer.key("event_id")
        writer.string(eventID)
        writer.key("action_source")
        writer.string(actionSource)
        if let sourceURL {
            writer.key("event_source_url")
            writer.string(sourceURL)
        }
        writer.key("user_data")
        let userResult = writeUserData(
            userIn, sourceURL: sourceURL, context: &context, writer: &writer, keys: &keys, dropped: &dropped,
            warnings: &warnings)
        if let failure = userResult { return .failure(failure) }
        if actionSource == "website" {
            if sourceURL == nil {
                return .failure(
                    EventRejection("event_source_url is required for website events (or send a Referer header)"))
            }
            if !keys.contains(.ua) {
                return .failure(EventRejection("client_user_agent is required for website events (send User-Agent)"))
            }
        }
        if let compactCustomData {
            writer.key("custom_data")
            writer.raw(compactCustomData.bytes)
        } else if let customData {
            writer.key("custom_data")
            writer.value(.object(customData))
        }
        // In the documented order, whatever the body's order.
        for (index, v) in event.passThrough.sorted(by: { $0.index < $1.index }) where v != .null {
            writer.key(Self.passThroughTopLevel[index])
            writer.value(v)
        }
        writer.endObject()

        var requestedPixel: String?
        switch event.pixelID {
        case .string(let s)?: requestedPixel = s
        case .number(let n)?: requestedPixel = n
        default: break
        }
        return .success(
            ProcessedEvent(
                eventID: eventID, eventName: eventName, eventTime: eventTime, requestedPixelID: requestedPixel,
                payload: writer.bytes, matchKeys: keys, consentDenied: consentDenied, droppedFields: dropped,
                warnings: warnings, mintedEventID: minted))
    }

    /// Parses Unix seconds; 13-digit values are milliseconds. Fractions are truncated.
    static func parseTime<S: StringProtocol>(_ s: S) -> Int64? {
        var intPart = Substring(s)
        if let dot = intPart.firstIndex(of: ".") {
            guard intPart[intPart.index(after: dot)...].allSatisfy(\.isASCIIDigit) else { return nil }
            intPart = intPart[..<dot]
        }
        guard !intPart.isEmpty, intPart.count <= 16, intPart.allSatisfy(\.isASCIIDigit), let v = Int64(intPart) else {
            return nil
        }
        return v >= 100_000_000_000 ? v / 1000 : v
    }
}
