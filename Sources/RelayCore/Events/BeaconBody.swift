// SPDX-License-Identifier: Apache-2.0

/// The accepted shapes of a beacon body (interface.md §4): one event object, an array of them,
/// `{"events":[...]}` or CAPI's own `{"data":[...]}`.
public enum BeaconBody {
    /// Events per request at most.
    public static let maxEvents = 1000

    /// The list of events in a parsed body, or why the body is not one of the accepted shapes.
    public static func events(in body: JSONValue) -> Result<[JSONValue], EventRejection> {
        let list: [JSONValue]
        switch body {
        case .array(let items):
            list = items
        case .object(let o):
            if o["event_name"] == nil, let wrapped = o["events"] ?? o["data"] {
                guard case .array(let items) = wrapped else {
                    return .failure(EventRejection("\"events\" / \"data\" must be an array of events"))
                }
                list = items
            } else {
                list = [body]
            }
        default:
            return .failure(
                EventRejection(
                    "the body must be an event object, an array of events, {\"events\":[…]} or {\"data\":[…]}"))
        }
        if list.isEmpty { return .failure(EventRejection("the body contains no events")) }
        if list.count > maxEvents {
            return .failure(EventRejection("at most \(maxEvents) events per request, got \(list.count)"))
        }
        return .success(list)
    }
}
