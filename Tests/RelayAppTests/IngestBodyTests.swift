// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Testing

/// `POST /events` against the real binary: every body form of interface.md §4, the `202` summary, and
/// per-event validation.
@Suite("POST /events body forms and validation (real binary)")
struct IngestBodyTests {
    enum Form: String, CaseIterable, Sendable {
        case singleObject, array, eventsWrapper, dataWrapper
    }

    static func body(_ form: Form, _ events: [String]) -> String {
        let list = events.joined(separator: ",")
        switch form {
        case .singleObject: return list
        case .array: return "[\(list)]"
        case .eventsWrapper: return "{\"events\":[\(list)]}"
        case .dataWrapper: return "{\"data\":[\(list)]}"
        }
    }

    @Test(
        "every body form is answered 202 with received, accepted, the given event ids and no errors",
        arguments: Form.allCases)
    func bodyForms(form: Form) async throws {
        let gw = try await E2E.main.get()
        let ids = form == .singleObject ? [E2EJSON.uniqueID()] : [E2EJSON.uniqueID(), E2EJSON.uniqueID()]
        let r = try await E2E.post(Self.body(form, ids.map { E2E.event(id: $0) }), on: gw)
        #expect(r.status == 202, "\(r.text)")
        #expect(r.header("Content-Type")?.hasPrefix("application/json") == true)
        let json = try #require(r.json)
        #expect(json["received"]?.int64Value == Int64(ids.count))
        #expect(json["accepted"]?.int64Value == Int64(ids.count))
        #expect(json["event_ids"]?.strings == ids)
        #expect(json["errors"]?.arrayValue?.isEmpty == true)
        for id in ids { #expect(await gw.dryRun.find(eventID: id) != nil, "event \(id) was not forwarded") }
    }

    @Test("an event without event_id gets a minted UUID v4 that is returned and forwarded; a given id is kept exactly")
    func mintedAndKeptIDs() async throws {
        let gw = try await E2E.main.get()
        let given = "Order#42/" + E2EJSON.uniqueID()
        let r = try await E2E.post("[\(E2E.event(id: given)),\(E2E.event())]", on: gw)
        #expect(r.status == 202, "\(r.text)")
        let ids = r.json?["event_ids"]?.strings ?? []
        try #require(ids.count == 2)
        #expect(ids[0] == given)
        #expect(Self.isUUIDv4(ids[1]), "\(ids[1]) is not a UUID v4")
        #expect(await gw.dryRun.find(eventID: given)?.event["event_id"]?.stringValue == given)
        #expect(await gw.dryRun.find(eventID: ids[1]) != nil)
    }

    /// Invalid events with a fragment of the message that must name the problem.
    static let invalidEvents: [(label: String, event: String, message: String)] = [
        ("missing event_name", "{\"event_source_url\":\"https://shop.example.com/\"}", "event_name is required"),
        ("bad event_time", E2E.event(extra: "\"event_time\":\"yesterday\""), "event_time must be Unix seconds"),
        (
            "event_time older than 7 days", E2E.event(extra: "\"event_time\":\(wallSeconds() - 8 * 86400)"),
            "more than 7 days old"
        ),
        (
            "Purchase without currency", E2E.event("Purchase", extra: "\"custom_data\":{\"value\":10}"),
            "a Purchase needs custom_data.value and custom_data.currency"
        ),
        (
            "Purchase without value", E2E.event("Purchase", extra: "\"custom_data\":{\"currency\":\"USD\"}"),
            "a Purchase needs custom_data.value and custom_data.currency"
        ),
        ("unknown action_source", E2E.event(extra: "\"action_source\":\"web\""), "action_source must be one of"),
        (
            "website event without URL or Referer", E2E.event(url: nil),
            "event_source_url is required for website events"
        ),
    ]

    @Test("a batch accepts its good event and lists every bad one by index with a message naming the problem")
    func perIndexErrors() async throws {
        let gw = try await E2E.main.get()
        let good = E2EJSON.uniqueID()
        let events = [E2E.event(id: good)] + Self.invalidEvents.map(\.event)
        let r = try await E2E.post("[" + events.joined(separator: ",") + "]", on: gw)
        #expect(r.status == 202, "\(r.text)")
        let json = try #require(r.json)
        #expect(json["received"]?.int64Value == Int64(events.count))
        #expect(json["accepted"]?.int64Value == 1)
        #expect(json["event_ids"]?.strings == [good])
        let errors = try #require(json["errors"]?.arrayValue)
        #expect(errors.compactMap { $0["index"]?.int64Value } == Array(1...Int64(Self.invalidEvents.count)))
        for (error, expected) in zip(errors, Self.invalidEvents) {
            let message = error["message"]?.stringValue ?? ""
            #expect(message.contains(expected.message), "\(expected.label): \(message)")
        }
        #expect(await gw.dryRun.find(eventID: good) != nil)
    }

    @Test(
        "a request whose only event is invalid is answered 400 with the error at index 0",
        arguments: invalidEvents.indices)
    func onlyInvalid(index: Int) async throws {
        let gw = try await E2E.main.get()
        let r = try await E2E.post(Self.invalidEvents[index].event, on: gw)
        #expect(r.status == 400, "\(Self.invalidEvents[index].label): \(r.text)")
        let error = try #require(r.json?["errors"]?.arrayValue?.first)
        #expect(error["index"]?.int64Value == 0)
        #expect(error["message"]?.stringValue?.contains(Self.invalidEvents[index].message) == true, "\(r.text)")
        #expect(r.headers("Set-Cookie").isEmpty, "a refused beacon sets no cookie: \(r.headers)")
    }

    enum TimeCase: String, CaseIterable, Sendable {
        case milliseconds, seconds, future, absent
    }

    @Test(
        "event_time in milliseconds becomes seconds, seconds are kept, the future is clamped to now, absent is now",
        arguments: TimeCase.allCases)
    func eventTime(case timeCase: TimeCase) async throws {
        let gw = try await E2E.main.get()
        let id = E2EJSON.uniqueID()
        let nowMs = E2EJSON.nowMs()
        let extra: String
        let expected: ClosedRange<Int64>
        switch timeCase {
        case .milliseconds:
            extra = "\"event_time\":\(nowMs - 90_000)"
            expected = (nowMs - 90_000) / 1000...(nowMs - 90_000) / 1000
        case .seconds:
            extra = "\"event_time\":\(nowMs / 1000 - 3600)"
            expected = nowMs / 1000 - 3600...nowMs / 1000 - 3600
        case .future:
            extra = "\"event_time\":\(nowMs / 1000 + 86400)"
            expected = nowMs / 1000 - 1...nowMs / 1000 + 30
        case .absent:
            extra = ""
            expected = nowMs / 1000 - 1...nowMs / 1000 + 30
        }
        let r = try await E2E.post(E2E.event(id: id, extra: extra), on: gw)
        #expect(r.status == 202, "\(r.text)")
        let sent = try #require(await gw.dryRun.find(eventID: id)?.event["event_time"]?.int64Value)
        #expect(expected.contains(sent), "event_time \(sent) not in \(expected)")
    }

    static func isUUIDv4(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard groups.map(\.count) == [8, 4, 4, 4, 12],
            groups.allSatisfy({ $0.allSatisfy { "0123456789abcdef".contains($0) } })
        else { return false }
        return groups[2].first == "4" && "89ab".contains(groups[3].first!)
    }
}

/// Wall-clock Unix seconds (for building fixture events).
func wallSeconds() -> Int64 { E2EJSON.nowMs() / 1000 }
