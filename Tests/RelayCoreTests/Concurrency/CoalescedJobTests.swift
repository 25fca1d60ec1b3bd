// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization
import Testing

@testable import RelayCore

/// `CoalescedJob` (SIGUSR1's dead-letter replay): a signal flood cannot start a thread per signal.
@Suite("A coalesced job runs once at a time, and once more for any number of requests during a run")
struct CoalescedJobTests {
    /// A job whose every run counts itself, signals `started`, waits for `gate`, then signals `finished`.
    struct GatedJob {
        final class Gates: Sendable {
            let gate = DispatchSemaphore(value: 0)
            let started = DispatchSemaphore(value: 0)
            let finished = DispatchSemaphore(value: 0)
            let runCount = Mutex(0)

            func run() {
                runCount.withLock { $0 += 1 }
                started.signal()
                gate.wait()
                finished.signal()
            }
        }

        let gates = Gates()
        let job: CoalescedJob

        init() {
            let gates = self.gates
            job = CoalescedJob(name: "test-job") { gates.run() }
        }

        var gate: DispatchSemaphore { gates.gate }
        var started: DispatchSemaphore { gates.started }
        var finished: DispatchSemaphore { gates.finished }
        var runs: Int { gates.runCount.withLock { $0 } }

        /// Waits (at most 2 s) until no run is going.
        func waitIdle() {
            for _ in 0..<2000 where job.isRunning { usleep(1000) }
        }
    }

    @Test("500 requests during a run start no thread and cause exactly one more run; after it, a request starts one")
    func requestsDuringARunCoalesce() throws {
        let g = GatedJob()
        let (job, gate, started, finished) = (g.job, g.gate, g.started, g.finished)
        #expect(job.request() == .started)
        #expect(started.wait(timeout: .now() + 5) == .success)
        #expect(job.request() == .queued)
        for _ in 0..<499 { #expect(job.request() == .ignored) }
        gate.signal()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        // The one follow-up run.
        #expect(started.wait(timeout: .now() + 5) == .success)
        #expect(g.runs == 2)
        gate.signal()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        // Idle again (the thread clears its flag just after `finished`): the next request starts a run.
        g.waitIdle()
        #expect(!job.isRunning)
        #expect(job.request() == .started)
        #expect(started.wait(timeout: .now() + 5) == .success)
        gate.signal()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(g.runs == 3)
    }

    @Test("after stop, the run going finishes, the follow-up asked for does not happen, and requests start nothing")
    func stopDropsTheFollowUp() {
        let g = GatedJob()
        let (job, gate, started) = (g.job, g.gate, g.started)
        #expect(job.request() == .started)
        #expect(started.wait(timeout: .now() + 5) == .success)
        #expect(job.request() == .queued)
        job.stop()
        #expect(job.request() == .ignored)
        gate.signal()
        g.waitIdle()
        #expect(!job.isRunning)
        #expect(started.wait(timeout: .now() + 0.2) == .timedOut)
        #expect(g.runs == 1)
        #expect(job.request() == .ignored)
    }
}
