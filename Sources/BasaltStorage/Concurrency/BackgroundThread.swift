import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread that runs `tick` every `interval`, and soon after a `wake`, until stopped: the database's
/// background log sync (`SyncMode.normal`) and checkpoints.
///
/// Invariant: after `stop()` returns, `tick` is not running and never runs again (the thread was
/// joined), unless `stop` was called from the thread itself, which then exits after the current tick.
package final class BackgroundThread: Sendable {
    /// Shared by the thread and its owner (each holds a reference), so neither outlives the other's view.
    private final class Shared: Sendable {
        let interval: Duration
        let tick: @Sendable (_ stopping: () -> Bool) -> Void
        let stopping = Atomic<Bool>(false)
        /// Set by `wake`: the thread runs `tick` at its next slice instead of waiting out the interval.
        let woken = Atomic<Bool>(false)
        init(interval: Duration, tick: @escaping @Sendable (_ stopping: () -> Bool) -> Void) {
            self.interval = interval
            self.tick = tick
        }
    }

    private let shared: Shared
    private let thread = Mutex<pthread_t?>(nil)

    package convenience init(interval: Duration, tick: @escaping @Sendable () -> Void) {
        self.init(interval: interval, stoppableTick: { _ in tick() })
    }

    /// A thread whose `tick` may run long (a checkpoint in steps): it can ask `stopping()` between its
    /// steps and return early once `stop` was called, so `stop` does not wait for the rest.
    package init(interval: Duration, stoppableTick tick: @escaping @Sendable (_ stopping: () -> Bool) -> Void) {
        shared = Shared(interval: interval, tick: tick)
        let context = Unmanaged.passRetained(shared).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { raw in
            let shared = Unmanaged<Shared>.fromOpaque(raw!).takeRetainedValue()
            let (seconds, attoseconds) = shared.interval.components
            let total = max(1_000_000, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            // Sleep in short slices so `stop` never waits a whole interval.
            let slice = min(total, 20_000_000)
            var slept: Int64 = 0
            while !shared.stopping.load(ordering: .acquiring) {
                var request = timespec(tv_sec: 0, tv_nsec: Int(slice))
                nanosleep(&request, nil)
                slept += slice
                if slept >= total || shared.woken.exchange(false, ordering: .acquiringAndReleasing) {
                    slept = 0
                    if shared.stopping.load(ordering: .acquiring) { break }
                    shared.tick { shared.stopping.load(ordering: .acquiring) }
                }
            }
            return nil
        }, context)
        if result == 0 {
            thread.withLock { $0 = handle }
        } else {
            Unmanaged<Shared>.fromOpaque(context).release()
        }
    }

    /// Asks for a `tick` within one sleep slice (20 ms at most) instead of at the end of the interval.
    /// Never waits; safe from any thread, under any lock.
    package func wake() {
        shared.woken.store(true, ordering: .releasing)
    }

    /// Stops the thread and waits for it to finish.
    package func stop() {
        shared.stopping.store(true, ordering: .releasing)
        guard let handle = thread.withLock({ h -> pthread_t? in defer { h = nil }; return h }) else { return }
        if pthread_equal(handle, pthread_self()) != 0 {
            pthread_detach(handle)
        } else {
            pthread_join(handle, nil)
        }
    }
}
