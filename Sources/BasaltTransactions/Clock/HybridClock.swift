/// The source of commit timestamps: wall-clock microseconds that never go backwards, in this process or
/// across restarts.
///
/// Invariants (under the owner's engine lock, which serialises every call):
/// 1. `next()` returns strictly increasing timestamps, each at least the wall clock at the call, so a
///    commit's timestamp is the instant it happened (to the microsecond) unless the wall clock stepped
///    back, in which case timestamps creep forward one microsecond at a time until it catches up.
/// 2. Every commit logs its timestamp as the clock's `last` in the same atomic group as its versions
///    (`TransactionManager.clockKey`), so after a crash the clock resumes at the newest timestamp any
///    surviving commit carries: never repeating one, never jumping ahead of real time.
package struct HybridClock: Sendable {
    /// The largest timestamp handed out (or observed).
    package private(set) var last: Timestamp

    /// A clock resuming after `persistedLast` (zero for a new database).
    package init(persistedLast: Timestamp) {
        last = persistedLast
    }

    /// The clock's reading without handing out a timestamp: max(wall clock, last).
    package func now() -> Timestamp { Swift.max(Timestamp.wallClock(), last) }

    /// The next commit timestamp.
    package mutating func next() -> Timestamp {
        let wall = Timestamp.wallClock()
        last = wall > last ? wall : Timestamp(last.rawValue + 1)
        return last
    }

    /// Makes every later timestamp larger than `ts` (a snapshot read at `ts` must never see a commit
    /// appear at or below it).
    package mutating func observe(_ ts: Timestamp) {
        if ts > last { last = ts }
    }
}
