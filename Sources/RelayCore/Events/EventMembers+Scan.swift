// SPDX-License-Identifier: Apache-2.0

/// The beacon fast path: a body that is one event object is scanned straight into `EventMembers`.
///
/// The full path parses the body into a `JSONValue` tree, finds the event's members by name, and
/// writes `custom_data` back out from its tree. Here keys are classified from their bytes, member
/// values are parsed by the same `JSONScanner` functions (so they are the same values), and
/// `custom_data` is validated in place and copied as it is when its bytes are already what
/// `JSONWriter` would write. With `EventMembers` a class (copies of the struct it was cost more than
/// the tree saved): 16.0 → 14.1 µs of user CPU per beacon at 64 keep-alive connections, +8 % req/s.
///
/// The scan accepts a subset of what `JSONParser` + `BeaconBody` accept and gives up (nil) on
/// anything else: other body shapes, invalid JSON, duplicate or non-ASCII keys, a missing
/// `event_name`, limits. The caller then takes the full path, which decides. The equivalence is
/// tested differentially (`BeaconScanTests`).
extension EventMembers {
    /// Scans `body` if it is a single event object.
    /// - Parameters:
    ///   - body: the request body.
    ///   - limits: the limits the full parser would apply.
    /// - Returns: the event's members, or nil when the full parser must decide.
    static func scan(_ body: UnsafeRawBufferPointer, limits: JSONLimits = .init()) -> EventMembers? {
        // (Under 4 GiB: `SeenKeys` packs offsets in 32 bits.)
        guard body.count <= limits.maxBytes, body.count < 1 << 32, let base = body.baseAddress, body.count > 0 else {
            return nil
        }
        var scanner = JSONScanner(base: base.assumingMemoryBound(to: UInt8.self), count: body.count, limits: limits)
        do {
            return try scanner.scanEvent()
        } catch {
            return nil
        }
    }
}

extension JSONScanner {
    /// See ``EventMembers/scan(_:limits:)``.
    mutating func scanEvent() throws(JSONError) -> EventMembers? {
        if end >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { return nil }
        skipWhitespace()
        guard i < end, p[i] == UInt8(ascii: "{") else { return nil }
        try enterContainer()
        skipWhitespace()
        let event = EventMembers()
        var count = 0
        while true {
            guard let key = try memberKey(count: &count) else { return nil }
            // A repeated key is a parse error for the full parser: leave it to say so.
            switch EventMembers.table.find(p + key.start, count: key.length) {
            case .eventName?: guard Self.take(&event.eventName, try parseValue()) else { return nil }
            case .eventID?: guard Self.take(&event.eventID, try parseValue()) else { return nil }
            case .eventTime?: guard Self.take(&event.eventTime, try parseValue()) else { return nil }
            case .actionSource?: guard Self.take(&event.actionSource, try parseValue()) else { return nil }
            case .eventSourceURL?: guard Self.take(&event.eventSourceURL, try parseValue()) else { return nil }
            case .pixelID?: guard Self.take(&event.pixelID, try parseValue()) else { return nil }
            case .consent?: guard Self.take(&event.consent, try parseValue()) else { return nil }
            case .userData?:
                guard event.userData == nil, event.scannedUserData == nil else { return nil }
                if i < end, p[i] == UInt8(ascii: "{") {
                    guard let members = try scanUserData() else { return nil }
                    event.scannedUserData = members
                } else {
                    event.userData = try parseValue()  // not an object: the processor says so
                }
            case .customData?:
                guard event.customData == nil, event.compactCustomData == nil else { return nil }
                if i < end, p[i] == UInt8(ascii: "{") {
                    let start = i
                    if let compact = try scanCustomData() {
                        event.compactCustomData = compact
                    } else {
                        i = start  // whitespace or escapes inside: parse it as the full path does
                        event.customData = try parseValue()
                    }
                } else {
                    event.customData = try parseValue()
                }
            case .passThrough(let index)?:
                guard !event.passThrough.contains(where: { $0.index == index }) else { return nil }
                event.passThrough.append((index, try parseValue()))
            case nil:
                // An {"events": […]} / {"data": […]} wrapper is the full path's; so are many unknown keys
                // (their duplicate check here is a linear scan, the parser switches to a set).
                guard event.unknown.count < Self.linearKeyScanLimit,
                    !Self.isKey(p + key.start, key.length, "events"), !Self.isKey(p + key.start, key.length, "data")
                else { return nil }
                let name = String(decoding: UnsafeBufferPointer(start: p + key.start, count: key.length), as: UTF8.self)
                guard !event.unknown.contains(name) else { return nil }
                event.unknown.append(name)
                var ignored = true
                try skipValue(compact: &ignored)  // only its key is reported
            }
            if try endOfList(closer: UInt8(ascii: "}"), what: "object member") { break }
        }
        depth -= 1
        skipWhitespace()
        // Without `event_name` the body may be an {"events": […]} wrapper: `BeaconBody` decides.
        guard i == end, event.eventName != nil else { return nil }
        return event
    }

    /// Scans a member's key and the `:` after it; nil (give up) past `maxMembers` or for a key that is not
    /// plain ASCII, whose duplicate check would need `String` comparison.
    mutating func memberKey(count: inout Int) throws(JSONError) -> (start: Int, length: Int)? {
        guard i < end, p[i] == UInt8(ascii: "\""), count < limits.maxMembers else { return nil }
        let key = try scanString()
        guard lastStringWasPlainASCII else { return nil }
        count += 1
        skipWhitespace()
        try colon()
        skipWhitespace()
        return (key.start, key.length)
    }

    /// Sets `slot` unless it is already set (a repeated key).
    @inline(__always)
    static func take(_ slot: inout JSONValue?, _ value: JSONValue) -> Bool {
        guard slot == nil else { return false }
        slot = value
        return true
    }

    /// Scans the `user_data` object at `i` into its members; nil on a repeated key.
    mutating func scanUserData() throws(JSONError) -> UserDataMembers? {
        var user = UserDataMembers()
        var ignored = true  // user_data's own bytes are never copied
        if try enterContainer(closer: UInt8(ascii: "}"), compact: &ignored) { return user }
        var count = 0
        while true {
            guard let key = try memberKey(count: &count) else { return nil }
            switch UserDataMembers.table.find(p + key.start, count: key.length) {
            case .pii(let index)?:
                guard user.pii[index] == nil else { return nil }
                user.pii[index] = try parseValue()
            case .fbc?: guard Self.take(&user.fbc, try parseValue()) else { return nil }
            case .fbp?: guard Self.take(&user.fbp, try parseValue()) else { return nil }
            case .clientIP?: guard Self.take(&user.clientIP, try parseValue()) else { return nil }
            case .clientUserAgent?: guard Self.take(&user.clientUserAgent, try parseValue()) else { return nil }
            case let kind:
                guard user.others.count < Self.linearKeyScanLimit else { return nil }  // (see `unknown` above)
                let name = String(decoding: UnsafeBufferPointer(start: p + key.start, count: key.length), as: UTF8.self)
                guard !user.others.contains(where: { $0.key == name }) else { return nil }
                user.others.append((name, try parseValue(), kind != nil))
            }
            if try endOfList(closer: UInt8(ascii: "}"), what: "object member") { break }
        }
        depth -= 1
        return user
    }

    /// Scans the `custom_data` object at `i`, keeping `value` and `currency`; nil (with `i` somewhere
    /// inside) when its bytes are not compact, so that the caller parses it instead.
    mutating func scanCustomData() throws(JSONError) -> CompactCustomData? {
        let start = i
        var compact = true
        var data = CompactCustomData(bytes: [])
        if try !enterContainer(closer: UInt8(ascii: "}"), compact: &compact) {
            var keys = SeenKeys()
            while true {
                let key = try skipMemberKey(seen: &keys, compact: &compact)
                if Self.isKey(p + key.start, key.length, "value") || Self.isKey(p + key.start, key.length, "currency") {
                    let valueStart = i
                    try skipValue(compact: &compact)
                    let valueEnd = i
                    i = valueStart
                    let value = try parseValue()
                    i = valueEnd
                    if value == .null { compact = false }  // a null member is left out: the full path drops it
                    if key.length == 5 { data.value = value } else { data.currency = value }
                } else {
                    if i < end, p[i] == UInt8(ascii: "n") { compact = false }  // null (else `skipValue` throws)
                    try skipValue(compact: &compact)
                }
                if try endOfList(closer: UInt8(ascii: "}"), what: "object member", compact: &compact) { break }
            }
            depth -= 1
        }
        guard compact else { return nil }
        data.bytes = Array(UnsafeBufferPointer(start: p + start, count: i - start))
        return data
    }

    @inline(__always)
    static func isKey(_ key: UnsafePointer<UInt8>, _ length: Int, _ name: StaticString) -> Bool {
        length == name.utf8CodeUnitCount && same(key, name.utf8Start, length)
    }
}
