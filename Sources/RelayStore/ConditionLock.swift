// SPDX-License-Identifier: Apache-2.0

import Glibc

/// A value guarded by a pthread mutex, with a condition variable to wait for it to change.
///
/// Used for the committer's inbox instead of `Synchronization.Mutex`: on Linux that one spins
/// before parking, and with more appending threads than cores (8 on 2 here) a preempted holder made
/// the spinners burn two thirds of the CPU (measured with perf). glibc's default mutex parks at once.
///
/// `@unchecked Sendable`: `value` is only touched with the mutex held.
final class ConditionLock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var value: Value
    /// Threads parked in ``wait(until:then:)`` (guarded by the mutex).
    private var waiting = 0

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the lock held.
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }

    /// Waits until `ready` holds, then runs `body` with the lock held.
    func wait<R>(until ready: (Value) -> Bool, then body: (inout Value) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(value) {
            waiting += 1
            pthread_cond_wait(condition, mutex)
            waiting -= 1
        }
        return body(&value)
    }

    /// Whether a thread is parked waiting (tests use it to know the committer is idle).
    var hasWaiter: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return waiting > 0
    }

    /// Wakes every waiter (they re-check their condition).
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
