// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A small Prometheus registry: counters and gauges keyed by name and labels, and fixed-bucket
/// histograms. Everything is guarded by one mutex (an uncontended lock costs ~20 ns; the hot path
/// touches it a few times per request).
public final class Metrics: Sendable {
    struct Series: Hashable {
        var name: String
        var labels: String  // preformatted `{a="b",c="d"}` or ""
    }

    struct Histogram {
        var buckets: [Double]
        var counts: [Int]
        var sum: Double = 0
        var count = 0

        mutating func record(_ value: Double) {
            for i in buckets.indices where value <= buckets[i] { counts[i] += 1 }
            sum += value
            count += 1
        }
    }

    struct State {
        /// Counter series → slot in `counterValues` (slots never move, so handles stay valid).
        var counterIndex: [Series: Int] = [:]
        var counterValues: [Double] = []
        /// Whether a slot was ever incremented: a registered handle alone does not show a series.
        var counterLive: [Bool] = []
        var gauges: [Series: Double] = [:]
        var histogramIndex: [Series: Int] = [:]
        var histogramValues: [Histogram] = []
        var help: [String: (type: String, text: String)] = [:]

        mutating func counterSlot(_ key: Series) -> Int {
            if let i = counterIndex[key] { return i }
            counterValues.append(0)
            counterLive.append(false)
            counterIndex[key] = counterValues.count - 1
            return counterValues.count - 1
        }

        mutating func histogramSlot(_ key: Series, buckets: [Double]) -> Int {
            if let i = histogramIndex[key] { return i }
            histogramValues.append(Histogram(buckets: buckets, counts: Array(repeating: 0, count: buckets.count)))
            histogramIndex[key] = histogramValues.count - 1
            return histogramValues.count - 1
        }

        var counters: [Series: Double] {
            var out: [Series: Double] = [:]
            for (k, i) in counterIndex where counterLive[i] { out[k] = counterValues[i] }
            return out
        }
    }

    /// A counter series resolved once: incrementing it formats and hashes nothing (per-request counters).
    public struct CounterHandle: Sendable {
        let slot: Int
    }

    /// A histogram series resolved once.
    public struct HistogramHandle: Sendable {
        let slot: Int
    }

    private let state = Mutex(State())

    public init() {}

    /// Documents a metric family (written as `# HELP` / `# TYPE`).
    public func describe(_ name: String, type: String, _ help: String) {
        state.withLock { $0.help[name] = (type, help) }
    }

    public func increment(_ name: String, _ labels: [(String, String)] = [], by value: Double = 1) {
        let key = Series(name: name, labels: Self.format(labels))
        state.withLock { s in
            let i = s.counterSlot(key)
            s.counterValues[i] += value
            s.counterLive[i] = true
        }
    }

    /// Resolves a counter series for ``increment(_:by:)``; the series appears once incremented.
    public func counterHandle(_ name: String, _ labels: [(String, String)] = []) -> CounterHandle {
        let key = Series(name: name, labels: Self.format(labels))
        return state.withLock { CounterHandle(slot: $0.counterSlot(key)) }
    }

    public func increment(_ handle: CounterHandle, by value: Double = 1) {
        state.withLock { s in
            s.counterValues[handle.slot] += value
            s.counterLive[handle.slot] = true
        }
    }

    /// Resolves a histogram series for ``observe(_:_:)``.
    public func histogramHandle(_ name: String, _ labels: [(String, String)] = [], buckets: [Double]) -> HistogramHandle
    {
        let key = Series(name: name, labels: Self.format(labels))
        return state.withLock { HistogramHandle(slot: $0.histogramSlot(key, buckets: buckets)) }
    }

    public func observe(_ handle: HistogramHandle, _ value: Double) {
        state.withLock { $0.histogramValues[handle.slot].record(value) }
    }

    public func set(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        let key = Series(name: name, labels: Self.format(labels))
        state.withLock { $0.gauges[key] = value }
    }

    /// Replaces every series of a gauge family at once (e.g. per-pixel queue depth).
    public func replaceGauge(_ name: String, _ series: [([(String, String)], Double)]) {
        state.withLock { s in
            for key in s.gauges.keys where key.name == name { s.gauges[key] = nil }
            for (labels, v) in series { s.gauges[Series(name: name, labels: Self.format(labels))] = v }
        }
    }

    public func observe(_ name: String, _ labels: [(String, String)] = [], _ value: Double, buckets: [Double]) {
        let key = Series(name: name, labels: Self.format(labels))
        state.withLock { s in
            // Mutated in place: copying the histogram out and back would copy its arrays on every call.
            let i = s.histogramSlot(key, buckets: buckets)
            s.histogramValues[i].record(value)
        }
    }

    /// The current value of a counter (tests and the status page).
    public func counter(_ name: String, _ labels: [(String, String)] = []) -> Double {
        let key = Series(name: name, labels: Self.format(labels))
        return state.withLock { s in s.counterIndex[key].map { s.counterValues[$0] } ?? 0 }
    }

    /// Sum of a counter over all its label sets, optionally filtered by one label.
    public func counterSum(_ name: String, where label: (String, String)? = nil) -> Double {
        let needle = label.map { "\($0.0)=\"\($0.1)\"" }
        return state.withLock { s in
            s.counters.reduce(0) { acc, kv in
                guard kv.key.name == name else { return acc }
                if let needle, !kv.key.labels.contains(needle) { return acc }
                return acc + kv.value
            }
        }
    }

    /// Counter series of a family: label text → value.
    public func counterSeries(_ name: String) -> [(labels: String, value: Double)] {
        state.withLock { s in s.counters.filter { $0.key.name == name }.map { ($0.key.labels, $0.value) } }
            .sorted { $0.labels < $1.labels }
    }

    /// Prometheus text exposition format 0.0.4.
    public func render() -> String {
        state.withLock { s in
            var families: [String: [String]] = [:]
            func add(_ name: String, _ line: String) { families[name, default: []].append(line) }
            for (k, v) in s.counters { add(k.name, "\(k.name)\(k.labels) \(Self.number(v))") }
            for (k, v) in s.gauges { add(k.name, "\(k.name)\(k.labels) \(Self.number(v))") }
            for (k, i) in s.histogramIndex {
                let h = s.histogramValues[i]
                let inner = k.labels.isEmpty ? "" : String(k.labels.dropFirst().dropLast()) + ","
                for (i, b) in h.buckets.enumerated() {
                    add(k.name, "\(k.name)_bucket{\(inner)le=\"\(Self.number(b))\"} \(h.counts[i])")
                }
                add(k.name, "\(k.name)_bucket{\(inner)le=\"+Inf\"} \(h.count)")
                add(k.name, "\(k.name)_sum\(k.labels) \(Self.number(h.sum))")
                add(k.name, "\(k.name)_count\(k.labels) \(h.count)")
            }
            var out = ""
            for name in families.keys.sorted() {
                if let h = s.help[name] {
                    out += "# HELP \(name) \(h.text)\n# TYPE \(name) \(h.type)\n"
                }
                for line in families[name]!.sorted() { out += line + "\n" }
            }
            return out
        }
    }

    static func format(_ labels: [(String, String)]) -> String {
        if labels.isEmpty { return "" }
        var s = "{"
        for (i, (k, v)) in labels.enumerated() {
            if i > 0 { s += "," }
            s += k + "=\""
            // Label values are nearly always plain (routes, statuses, reasons): append them whole.
            if !v.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) {  // \ " newline
                s += v + "\""
                continue
            }
            for ch in v.unicodeScalars {
                switch ch {
                case "\\": s += "\\\\"
                case "\"": s += "\\\""
                case "\n": s += "\\n"
                default: s.unicodeScalars.append(ch)
                }
            }
            s += "\""
        }
        return s + "}"
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}
