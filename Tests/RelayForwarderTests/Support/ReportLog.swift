// SPDX-License-Identifier: Apache-2.0
import Foundation
import RelayForwarder
import Synchronization

/// Records every `ForwardReport` with the (monotonic) time it arrived.
final class ReportLog: ForwardObserver {
    struct Entry {
        var report: ForwardReport
        var at: ContinuousClock.Instant
    }

    private let entries = Mutex<[Entry]>([])

    func forwarder(didReport report: ForwardReport) {
        let entry = Entry(report: report, at: .now)
        entries.withLock { $0.append(entry) }
    }

    var all: [Entry] { entries.withLock { $0 } }
    var reports: [ForwardReport] { all.map(\.report) }

    /// The failure reasons of `.retrying` reports, in order.
    var retryReasons: [String] {
        reports.compactMap { if case .retrying(let reason) = $0.outcome { reason } else { nil } }
    }
}

extension ForwardReport {
    var isRetrying: Bool { if case .retrying = outcome { true } else { false } }
    var isDelivered: Bool { outcome == .delivered }
}
