#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The source of commit timestamps: wall-clock microseconds that never go backwards, in this process or
/// across restarts.
///
/// Invariants (under the owner's engine lock, which serialises every call):
/// 1. `next()` returns strictly increasing timestamps, each at least the wall clock at the call, so a
///    commit's timestamp is the instant it happened (to the microsecond) unless the wall clock stepped
///    back, in which case timestamps creep forward one microsecond at a time until it catches up.
/// 2. Every timestamp handed out is below `ceiling`, and a ceiling is durable before any commit that
///    carries a timestamp at or above the previously persisted one: the commit that crosses it logs a
///    new ceiling `ceilingStep` ahead (`TransactionManager.clockKey`) in the same atomic group. That costs
///    one small write per `ceilingStep` of time instead of one per commit.
/// 3. After a restart the clock resumes at the persisted ceiling — above every timestamp any commit
///    ever carried — and `init` first waits until the wall clock passes it (at most `ceilingStep`, only
///    when reopened that soon after the last commit), so timestamps stay real time.
package struct HybridClock: Sendable {
    /// How far ahead of the current timestamp a persisted ceiling reaches (10 ms).
    package static let ceilingStep: UInt64 = 10_000

    /// The largest timestamp handed out (or observed).
    package private(set) var last: Timestamp
    /// No timestamp at or above this may be handed out until a higher ceiling is logged.
    package private(set) var ceiling: Timestamp

    /// A clock resuming after `persistedCeiling` (zero for a new database). Waits until the wall clock
    /// passes the ceiling if it is ahead by at most `ceilingStep` (a wall clock set back further is
    /// not waited for: timestamps then creep from the ceiling, invariant 1).
    package init(persistedCeiling: Timestamp) {
        let wall = Timestamp.wallClock()
        if persistedCeiling > wall, persistedCeiling.rawValue - wall.rawValue <= Self.ceilingStep {
            usleep(useconds_t(persistedCeiling.rawValue - wall.rawValue + 1))
        }
        last = persistedCeiling
        ceiling = persistedCeiling
    }

    /// The clock's reading without handing out a timestamp: max(wall clock, last).
    package func now() -> Timestamp { Swift.max(Timestamp.wallClock(), last) }

    /// The next commit timestamp; when it reaches the ceiling, also the new ceiling the caller must log
    /// in the same atomic group as the commit.
    package mutating func next() -> (timestamp: Timestamp, newCeiling: Timestamp?) {
        let wall = Timestamp.wallClock()
        last = wall > last ? wall : Timestamp(last.rawValue + 1)
        guard last >= ceiling else { return (last, nil) }
        ceiling = Timestamp(last.rawValue + Self.ceilingStep)
        return (last, ceiling)
    }

    /// Makes every later timestamp larger than `ts` (a snapshot read at `ts` must never see a commit
    /// appear at or below it).
    package mutating func observe(_ ts: Timestamp) {
        if ts > last { last = ts }
    }
}
