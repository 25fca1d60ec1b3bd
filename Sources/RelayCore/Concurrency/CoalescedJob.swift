// SPDX-License-Identifier: Apache-2.0
internal import Synchronization

/// Runs a job on a thread of its own, one run at a time: a request while a run is going asks for
/// exactly one more run after it, however many requests come. (A signal sent in a loop must not
/// start a thread per signal.)
public final class CoalescedJob: Sendable {
    private struct State {
        var running = false
        var again = false
    }

    private let state = Mutex(State())
    private let name: String
    private let work: @Sendable () -> Void

    /// - Parameters:
    ///   - name: the thread's name while it runs.
    ///   - work: the job; it runs on that thread.
    public init(name: String, _ work: @escaping @Sendable () -> Void) {
        self.name = name
        self.work = work
    }

    /// Whether a run is going (or about to start its follow-up).
    public var isRunning: Bool { state.withLock { $0.running } }

    /// Starts a run, or folds this request into the one that follows the current run.
    /// - Returns: true when a thread was started.
    @discardableResult
    public func request() -> Bool {
        let start = state.withLock { s in
            if s.running {
                s.again = true
                return false
            }
            s.running = true
            return true
        }
        guard start else { return false }
        OSThread(name: name) { [self] in
            repeat {
                work()
            } while state.withLock { s in
                if s.again {
                    s.again = false
                    return true
                }
                s.running = false
                return false
            }
        }.detach()
        return true
    }
}
