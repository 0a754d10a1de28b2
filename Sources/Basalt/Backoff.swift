#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pause before running a failed transaction again: exponential from 100 µs, capped at 50 ms, with
/// full jitter so that transactions that collided once do not collide again in lockstep.
enum Backoff {
    static func pause(attempt: Int) {
        let cap = min(50_000, 100 << min(attempt, 9))
        usleep(useconds_t(Int.random(in: 1...cap)))
    }
}
