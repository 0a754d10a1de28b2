import BasaltStorage

/// The errors of the transaction layer. The client layer maps each to a `BasaltError` with its SQLSTATE.
package enum TransactionError: Error, Sendable, Equatable {
    /// 40001: a concurrent transaction changed what this one read or writes. Retryable.
    case serializationFailure(String)
    /// 40P01: this transaction was chosen as the victim of a deadlock cycle. Retryable.
    case deadlock(victim: UInt64, cycle: [UInt64])
    /// 55P03: a lock was not granted within the lock timeout. Retryable.
    case lockTimeout(resource: String, mode: String, waitedMilliseconds: Int)
    /// 72000: a read as of a time before the oldest readable one.
    case snapshotTooOld(requested: Timestamp, oldestReadable: Timestamp)
    /// 22023: a read as of a time after now.
    case futureSnapshot(requested: Timestamp, now: Timestamp)
    /// 25006: a write in a read-only transaction.
    case readOnlyTransaction
    /// 25000: the transaction already ended, or failed and must be rolled back.
    case inactive(String)
    /// 3B001: no savepoint of that name.
    case noSuchSavepoint(String)
    /// XX001: a stored version is malformed.
    case corruptVersion(tree: Int, detail: String)
    /// A storage-layer error.
    case storage(StorageError)

    package var sqlState: String {
        switch self {
        case .serializationFailure: return "40001"
        case .deadlock: return "40P01"
        case .lockTimeout: return "55P03"
        case .snapshotTooOld: return "72000"
        case .futureSnapshot: return "22023"
        case .readOnlyTransaction: return "25006"
        case .inactive: return "25000"
        case .noSuchSavepoint: return "3B001"
        case .corruptVersion: return "XX001"
        case .storage(let error): return error.sqlState
        }
    }

    /// Whether running the whole transaction again may succeed.
    package var isRetryable: Bool {
        switch self {
        case .serializationFailure, .deadlock, .lockTimeout: return true
        default: return false
        }
    }

    package var message: String {
        switch self {
        case .serializationFailure(let why): return "could not serialize access: \(why)"
        case let .deadlock(victim, cycle):
            return "deadlock detected: transaction \(victim) was chosen to end the wait cycle \(cycle.map(String.init).joined(separator: " → "))"
        case let .lockTimeout(resource, mode, waited):
            return "could not obtain \(mode) lock on \(resource) within \(waited) ms"
        case .snapshotTooOld: return "the requested time is older than the oldest readable time"
        case .futureSnapshot: return "the requested time is in the future"
        case .readOnlyTransaction: return "cannot write in a read-only transaction"
        case .inactive(let why): return why
        case .noSuchSavepoint(let name): return "savepoint \"\(name)\" does not exist"
        case let .corruptVersion(tree, detail): return "a stored version in tree \(tree) is malformed: \(detail)"
        case .storage(let error): return error.description
        }
    }

    /// Whether `error` comes from Basalt's layers (as opposed to a caller's closure, whose errors pass
    /// through unchanged).
    package static func isOwn(_ error: any Error) -> Bool {
        error is TransactionError || error is StorageError || error is LockError || error is VersionFormatError
    }

    /// Wraps any error thrown below the transaction layer.
    package static func wrap(_ error: any Error) -> TransactionError {
        if let error = error as? TransactionError { return error }
        if let error = error as? StorageError { return .storage(error) }
        if let error = error as? LockError { return .init(error) }
        if let error = error as? VersionFormatError { return .corruptVersion(tree: -1, detail: "version of \(error.size) bytes") }
        return .storage(.readOnlyAfterFailure("\(error)"))
    }

    package init(_ error: LockError) {
        switch error {
        case let .timeout(resource, mode, waited):
            let (s, a) = waited.components
            self = .lockTimeout(resource: resource, mode: mode.description, waitedMilliseconds: Int(s * 1000 + a / 1_000_000_000_000_000))
        case let .deadlock(victim, cycle):
            self = .deadlock(victim: victim, cycle: cycle)
        }
    }
}
