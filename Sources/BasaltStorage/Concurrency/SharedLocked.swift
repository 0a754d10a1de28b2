#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a reader-writer lock (pthread rwlock, writers preferred): `withLock` for exclusive,
/// mutating access; `withSharedLock` for many readers at once, who must not change anything reachable
/// from the value except through atomics.
///
/// Why: point reads of the engine, the bulk of a read-heavy workload, only look at pages. Under one
/// mutex two reading threads ran no faster than one; under a shared lock their descents overlap, and
/// a writer (a commit, a checkpoint, a page load) still has the engine to itself.
///
/// Exclusive acquisition spins briefly on `trywrlock` before blocking, as the adaptive mutex of
/// `Locked` does: critical sections are mostly a few microseconds, shorter than a futex sleep and wake.
/// Writers are preferred so that a steady stream of readers never starves a commit.
///
/// Sendable (unchecked): `value` lives in memory owned by this object; it is written only inside
/// `withLock`, which excludes every other holder, and read inside `withSharedLock`, which excludes
/// writers.
package final class SharedLocked<Value>: @unchecked Sendable {
    @usableFromInline let lock: UnsafeMutablePointer<pthread_rwlock_t>
    @usableFromInline let value: UnsafeMutablePointer<Value>

    package init(_ initial: Value) {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        value = .allocate(capacity: 1)
        value.initialize(to: initial)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deinitialize(count: 1)
        lock.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Attempts at `trywrlock` before blocking.
    @usableFromInline static var spins: Int { 100 }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        var acquired = false
        for _ in 0..<Self.spins where pthread_rwlock_trywrlock(lock) == 0 {
            acquired = true
            break
        }
        if !acquired { pthread_rwlock_wrlock(lock) }
        defer { pthread_rwlock_unlock(lock) }
        return try body(&value.pointee)
    }

    /// Runs `body` with read access to the value, alongside other readers and never alongside
    /// `withLock`. `body` must not change the value or anything it guards, except through atomics.
    @inlinable
    package func withSharedLock<R>(_ body: (UnsafePointer<Value>) throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(UnsafePointer(value))
    }
}
