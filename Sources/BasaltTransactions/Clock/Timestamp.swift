#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A commit timestamp: microseconds since the Unix epoch, from the database's `HybridClock`.
///
/// Commit timestamps are unique and increase in commit (and log) order; a snapshot at timestamp `t` sees
/// exactly the versions committed at `t` or earlier. Zero is "before everything".
package struct Timestamp: RawRepresentable, Comparable, Hashable, Sendable, CustomStringConvertible {
    package var rawValue: UInt64
    package init(rawValue: UInt64) { self.rawValue = rawValue }
    package init(_ microseconds: UInt64) { rawValue = microseconds }

    package static let zero = Timestamp(0)
    package static let max = Timestamp(UInt64.max)

    package static func < (a: Timestamp, b: Timestamp) -> Bool { a.rawValue < b.rawValue }

    /// Seconds since the Unix epoch (for `Date(timeIntervalSince1970:)` in the client layer).
    package var secondsSince1970: Double { Double(rawValue) / 1_000_000 }

    /// The timestamp of `seconds` since the Unix epoch, rounded down to a microsecond; negative → zero.
    package init(secondsSince1970 seconds: Double) {
        rawValue = seconds <= 0 ? 0 : UInt64(min(seconds * 1_000_000, Double(UInt64.max / 2)))
    }

    /// The wall clock now (CLOCK_REALTIME), which may jump backwards; `HybridClock` hides that.
    package static func wallClock() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(UInt64(Swift.max(0, now.tv_sec)) * 1_000_000 + UInt64(Swift.max(0, now.tv_nsec)) / 1000)
    }

    package func adding(_ duration: Duration) -> Timestamp {
        Timestamp(rawValue &+ duration.microseconds)
    }

    package func subtracting(_ duration: Duration) -> Timestamp {
        let micros = duration.microseconds
        return Timestamp(rawValue > micros ? rawValue - micros : 0)
    }

    package var description: String { "\(rawValue)µs" }
}

extension Duration {
    /// Whole microseconds, clamped at zero.
    package var microseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
    }
}
