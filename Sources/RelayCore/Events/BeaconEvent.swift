// SPDX-License-Identifier: Apache-2.0

/// One event of a beacon, as ``EventProcessor`` takes it.
public enum BeaconEvent {
    /// An element of a parsed body (any body shape) or an event built from `/tr` parameters.
    case value(JSONValue)
    /// A single-event body scanned straight into its members (the fast path, ``scan(_:)``).
    case scanned(EventMembers)

    /// Scans a body that is one event object without building a tree; nil when the full parser
    /// (`JSONParser` + ``BeaconBody``) must decide. Both give the same events.
    /// - Parameter body: the request body.
    public static func scan(_ body: UnsafeRawBufferPointer) -> BeaconEvent? {
        EventMembers.scan(body).map { .scanned($0) }
    }

    /// The event's `event_source_url` when it is a string (the site is resolved from it).
    public var sourceURL: String? {
        switch self {
        case .value(let value): return value["event_source_url"]?.stringValue
        case .scanned(let members): return members.eventSourceURL?.stringValue
        }
    }
}
