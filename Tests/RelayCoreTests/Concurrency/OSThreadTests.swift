// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization
import Testing

@testable import RelayCore

@Suite("OSThread")
struct OSThreadTests {
    @Test("a thread carries its name, cut to the 15 bytes Linux keeps, for top -H and perf")
    func threadsAreNamed() throws {
        let seen = Mutex<[String]>([])
        for name in ["http-loop", "a-name-longer-than-fifteen"] {
            let thread = OSThread(name: name) {
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
                seen.withLock { $0.append(comm.trimmingCharacters(in: .newlines)) }
            }
            thread.join()
        }
        #expect(seen.withLock { $0 } == ["http-loop", "a-name-longer-t"])
    }
}
