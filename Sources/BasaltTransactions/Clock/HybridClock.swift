import BasaltStorage

/// The source of commit timestamps: wall-clock microseconds that never go backwards, in this process or
/// across restarts.
///
/// Invariants (under the owner's engine lock, which serialises every call):
/// 1. `next()` returns strictly increasing timestamps, each at least the wall clock at the call.
/// 2. Every timestamp handed out is below `ceiling`, and `ceiling` is durable before any commit that
///    carries a timestamp at or above the previously persisted ceiling: the commit that crosses it logs
///    a new ceiling (`needsCeiling`) in the same storage transaction. After a crash the clock resumes
///    at the persisted ceiling, so it never repeats or goes below a timestamp it handed out, even if the
///    wall clock was set back in between.
///
/// Persisting a ceiling `ceilingStep` ahead costs one small write per step of wall time instead of one
/// per commit.
package struct HybridClock: Sendable {
    /// How far ahead of the current timestamp a persisted ceiling reaches.
    package static let ceilingStep: UInt64 = 10_000_000

    /// The largest timestamp handed out (or observed).
    package private(set) var last: Timestamp
    /// No timestamp at or above this may be handed out until a higher ceiling is logged.
    package private(set) var ceiling: Timestamp

    /// A clock resuming after `persistedCeiling` (zero for a new database).
    package init(persistedCeiling: Timestamp) {
        last = persistedCeiling
        ceiling = persistedCeiling
    }

    /// The clock's reading without handing out a timestamp: max(wall clock, last).
    package func now() -> Timestamp { Swift.max(Timestamp.wallClock(), last) }

    /// The next commit timestamp; if it reaches the ceiling, also the new ceiling the caller must log in
    /// the same storage transaction as the commit.
    package mutating func next() -> (timestamp: Timestamp, newCeiling: Timestamp?) {
        let wall = Timestamp.wallClock()
        let ts = wall > last ? wall : Timestamp(last.rawValue + 1)
        last = ts
        guard ts >= ceiling else { return (ts, nil) }
        ceiling = Timestamp(ts.rawValue + Self.ceilingStep)
        return (ts, ceiling)
    }

    /// Makes every later timestamp larger than `ts` (a snapshot read at `ts` must never see a commit
    /// appear at or below it).
    package mutating func observe(_ ts: Timestamp) {
        if ts > last { last = ts }
    }
}
