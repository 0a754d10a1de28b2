#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a blocking mutex (pthread, default type).
///
/// Why not `Synchronization.Mutex`: on Linux it is a priority-inheritance futex, which hands the lock to
/// the next waiter on every release. With more committing threads than cores (16 on 2 here) every
/// acquisition then costs a context switch and commit throughput collapses to the switch rate; a
/// default pthread mutex lets the running thread take the lock again and measured 5–10× faster in
/// `basalt-bench commit`.
///
/// Sendable (unchecked): `value` is read and written only inside `withLock`, which holds the mutex, and
/// the mutex itself lives in memory owned by this object for its whole life.
package final class Locked<Value>: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Unchecked exclusivity: every access is inside `withLock`, under the mutex, and a nested
    /// `withLock` on the same object deadlocks before it could reach `value`; so no two accesses ever
    /// overlap, and the runtime check (a thread-local access-set insert per lock) only cost time.
    @exclusivity(unchecked) @usableFromInline var value: Value

    package init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        #if canImport(Glibc)
        // Adaptive: a contended lock spins briefly before sleeping in the kernel. Critical sections here
        // are mostly a few microseconds (a point read's descent), shorter than a futex sleep and wake.
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        #else
        pthread_mutex_init(mutex, nil)
        #endif
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value. Inlinable so callers in other modules get a
    /// specialised, inlined lock around their closure (it sits on every `Database` call).
    @inlinable
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
