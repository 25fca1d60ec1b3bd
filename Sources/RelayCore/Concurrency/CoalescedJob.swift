// SPDX-License-Identifier: Apache-2.0
internal import Synchronization

/// Runs a job on a thread of its own, one run at a time: a request while a run is going asks for
/// exactly one more run after it, however many requests come. (A signal sent in a loop must not
/// start a thread per signal.)
public final class CoalescedJob: Sendable {
    private struct State {
        var running = false
        var again = false
        var stopped = false
    }

    /// What ``request()`` did.
    public enum Request: Sendable, Equatable {
        /// A thread was started for a run.
        case started
        /// A run is going: one more run follows it (the first such request since the run began).
        case queued
        /// A run is going and one more is already asked for; or the job is stopped.
        case ignored
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
    @discardableResult
    public func request() -> Request {
        let outcome = state.withLock { s -> Request in
            if s.stopped { return .ignored }
            if s.running {
                defer { s.again = true }
                return s.again ? .ignored : .queued
            }
            s.running = true
            return .started
        }
        guard outcome == .started else { return outcome }
        OSThread(name: name) { [self] in
            repeat {
                work()
            } while state.withLock { s in
                if s.again && !s.stopped {
                    s.again = false
                    return true
                }
                s.running = false
                return false
            }
        }.detach()
        return .started
    }

    /// Refuses further requests and drops a follow-up run not yet begun (a run going finishes).
    public func stop() {
        state.withLock { s in
            s.stopped = true
            s.again = false
        }
    }
}
