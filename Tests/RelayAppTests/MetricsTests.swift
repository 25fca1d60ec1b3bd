import Testing

// SPDX-License-Identifier: Apache-2.0
@testable import RelayApp

/// The registry's exposition text: label escaping and histogram accumulation.
@Suite("Prometheus metrics registry")
struct MetricsTests {
    @Test(
        "label values are escaped only where Prometheus requires it",
        arguments: [
            ("events", #"{route="events"}"#), (#"a"b"#, #"{route="a\"b"}"#), (#"a\b"#, #"{route="a\\b"}"#),
            ("a\nb", #"{route="a\nb"}"#), ("é ☃", #"{route="é ☃"}"#), ("", #"{route=""}"#),
        ])
    func labelEscaping(value: String, expected: String) {
        #expect(Metrics.format([("route", value)]) == expected)
    }

    @Test("several labels keep their order and no labels format as nothing")
    func labelLists() {
        #expect(Metrics.format([("route", "events"), ("status", "202")]) == #"{route="events",status="202"}"#)
        #expect(Metrics.format([]) == "")
    }

    @Test("a histogram counts each observation in every bucket it fits, plus sum and count")
    func histogram() {
        let m = Metrics()
        for v in [0.001, 0.004, 0.02, 3.0] { m.observe("lat", [], v, buckets: [0.005, 0.01, 1]) }
        m.observe("lat", [("k", "v")], 0.5, buckets: [0.005, 0.01, 1])
        let text = m.render()
        for line in [
            #"lat_bucket{le="0.005"} 2"#, #"lat_bucket{le="0.01"} 2"#, #"lat_bucket{le="1"} 3"#,
            #"lat_bucket{le="+Inf"} 4"#,
            "lat_count 4", "lat_sum 3.025", #"lat_bucket{k="v",le="1"} 1"#, #"lat_count{k="v"} 1"#,
        ] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "\(line)")
        }
    }

    @Test("a resolved handle counts into the same series as the named call, and shows only once counted")
    func handles() {
        let m = Metrics()
        let handle = m.counterHandle("req_total", [("route", "events"), ("status", "202")])
        #expect(!m.render().contains("req_total"))
        m.increment(handle)
        m.increment("req_total", [("route", "events"), ("status", "202")], by: 2)
        m.increment(handle, by: 3)
        #expect(m.counter("req_total", [("route", "events"), ("status", "202")]) == 6)
        #expect(m.render().split(separator: "\n").contains(#"req_total{route="events",status="202"} 6"#))
        let latency = m.histogramHandle("lat", buckets: [0.01, 1])
        m.observe(latency, 0.005)
        m.observe("lat", [], 0.5, buckets: [0.01, 1])
        let text = m.render().split(separator: "\n")
        #expect(text.contains(#"lat_bucket{le="0.01"} 1"#) && text.contains("lat_count 2"))
    }

    @Test("counters add up per label set")
    func counters() {
        let m = Metrics()
        m.increment("c", [("route", "events"), ("status", "202")])
        m.increment("c", [("route", "events"), ("status", "202")], by: 2)
        m.increment("c", [("route", "tr"), ("status", "204")])
        #expect(m.counter("c", [("route", "events"), ("status", "202")]) == 3)
        #expect(m.counterSum("c") == 4)
    }
}
