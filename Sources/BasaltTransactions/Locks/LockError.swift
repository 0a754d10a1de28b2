/// Why `LockManager.acquire` did not grant a lock. Both cases are retryable: the transaction should be
/// rolled back (releasing its locks) and may then run again.
///
/// Locks granted before the failure, including intention locks on ancestors taken by the failing call,
/// stay held until the owner's `releaseAll`.
package enum LockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request waited longer than the manager's `timeout`. `resource` is the resource's
    /// `description` (never key bytes), `mode` the mode requested, `waited` the time spent waiting.
    case timeout(resource: String, mode: LockMode, waited: Duration)
    /// The request closed a cycle in the wait-for graph and its owner, `victim`, is the youngest
    /// transaction (largest id) in that cycle. `cycle` lists the owners in wait-for order starting with
    /// the victim: each waits for the next, and the last for the victim.
    case deadlock(victim: UInt64, cycle: [UInt64])

    /// The PostgreSQL SQLSTATE: 55P03 (lock_not_available) or 40P01 (deadlock_detected).
    package var sqlState: String {
        switch self {
        case .timeout: return "55P03"
        case .deadlock: return "40P01"
        }
    }

    /// A one-line message naming the resource (without key bytes), mode and wait, or the cycle.
    package var description: String {
        switch self {
        case let .timeout(resource, mode, waited):
            return "lock timeout: waited \(waited) for \(mode) on \(resource)"
        case let .deadlock(victim, cycle):
            let path = (cycle + cycle.prefix(1)).map(String.init).joined(separator: " → ")
            return "deadlock: transaction \(victim) chosen as the victim of the wait-for cycle \(path)"
        }
    }
}
