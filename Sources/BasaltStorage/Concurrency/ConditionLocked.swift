#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a pthread mutex with a condition variable: threads wait inside the lock until the
/// value satisfies them (the log's group commit waits this way for its sync).
///
/// Sendable (unchecked): `value` is read and written only while the mutex is held (`withLock`, and
/// `wait(until:)` between its waits); the mutex and condition live in memory this object owns.
package final class ConditionLocked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var value: Value

    package init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
        self.value = value
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deinitialize(count: 1)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Holds the lock and calls `ready` until it returns a result, waiting for a `broadcast` between
    /// calls (each call is a separate access to the value; none is active while waiting).
    package func wait<R>(until ready: (inout Value) throws -> R?) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let result = try ready(&value) { return result }
            pthread_cond_wait(condition, mutex)
        }
    }

    /// `wait(until:)` that gives up at `deadline` (`CLOCK_REALTIME` nanoseconds): nil when `ready` has
    /// not produced a result by then.
    package func wait<R>(until ready: (inout Value) throws -> R?, deadline: UInt64) rethrows -> R? {
        var limit = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let result = try ready(&value) { return result }
            if pthread_cond_timedwait(condition, mutex, &limit) == ETIMEDOUT { return try ready(&value) }
        }
    }

    /// The current `CLOCK_REALTIME` time in nanoseconds, the clock of `wait(until:deadline:)`.
    package static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Wakes every waiter without changing the value.
    package func wakeAll() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Changes the value and wakes every waiter.
    package func broadcast(_ body: (inout Value) -> Void) {
        pthread_mutex_lock(mutex)
        body(&value)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
