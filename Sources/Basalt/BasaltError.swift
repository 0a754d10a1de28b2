import BasaltStorage
import BasaltTransactions

/// The one error type of Basalt's public API.
///
/// `code` is a PostgreSQL SQLSTATE, so the wire-protocol server maps it one to one and clients can match
/// on it. `message` says what went wrong, `context` where (file, page, key size...), `suggestion` what to
/// do about it when something can be done, and `isRetryable` whether the same call may succeed later.
public struct BasaltError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Machine-readable kinds, each with its SQLSTATE.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The five-character SQLSTATE.
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// XX001: a page failed its checksum or structure checks.
        public static let dataCorrupted = Code(rawValue: "XX001")
        /// 58000: the file is not a Basalt database, or of a newer format.
        public static let systemError = Code(rawValue: "58000")
        /// 55006: another handle or process holds the database.
        public static let objectInUse = Code(rawValue: "55006")
        /// 58030: an I/O call failed.
        public static let ioError = Code(rawValue: "58030")
        /// 53100: the disk is full.
        public static let diskFull = Code(rawValue: "53100")
        /// 53200: the buffer pool cannot hold the pages an operation needs.
        public static let outOfMemory = Code(rawValue: "53200")
        /// 54000: a key or value exceeds a size limit.
        public static let programLimitExceeded = Code(rawValue: "54000")
        /// 22023: a configuration value or argument is invalid.
        public static let invalidParameterValue = Code(rawValue: "22023")
        /// 25006: the handle refuses writes after an earlier failure.
        public static let readOnly = Code(rawValue: "25006")
        /// 08003: the database was closed.
        public static let connectionDoesNotExist = Code(rawValue: "08003")
        /// 25000: a transaction handle was used after its transaction ended, or a failed transaction was
        /// used for anything but rollback.
        public static let invalidTransactionState = Code(rawValue: "25000")
        /// 40001: a concurrent transaction conflicted with this one; run the transaction again.
        public static let serializationFailure = Code(rawValue: "40001")
        /// 40P01: this transaction was the victim of a deadlock; run it again.
        public static let deadlockDetected = Code(rawValue: "40P01")
        /// 55P03: a lock was not granted within the lock timeout.
        public static let lockNotAvailable = Code(rawValue: "55P03")
        /// 72000: a time-travel read asked for a time older than the history kept.
        public static let snapshotTooOld = Code(rawValue: "72000")
        /// 42804: a value is not of the type an accessor reads (`Row.withUnsafeBytes(ofColumn:_:)` of an
        /// integer, say).
        public static let datatypeMismatch = Code(rawValue: "42804")
        /// 3B001: no savepoint of that name.
        public static let invalidSavepoint = Code(rawValue: "3B001")
    }

    public var code: Code
    public var message: String
    /// Where it happened: the database path, the page, the operation.
    public var context: [String: String]
    public var suggestion: String?
    /// Whether repeating the call may succeed without other changes.
    public var isRetryable: Bool

    public init(code: Code, message: String, context: [String: String] = [:], suggestion: String? = nil,
                isRetryable: Bool = false) {
        self.code = code
        self.message = message
        self.context = context
        self.suggestion = suggestion
        self.isRetryable = isRetryable
    }

    /// True for `.objectInUse` (the database is locked by another handle).
    public var isDatabaseLocked: Bool { code == .objectInUse }
    /// True for `.serializationFailure`.
    public var isSerializationFailure: Bool { code == .serializationFailure }
    /// True for `.dataCorrupted`.
    public var isCorruption: Bool { code == .dataCorrupted }

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if !context.isEmpty {
            text += " [" + context.keys.sorted().map { "\($0)=\(context[$0]!)" }.joined(separator: ", ") + "]"
        }
        if let suggestion { text += " (hint: \(suggestion))" }
        return text
    }
}

extension BasaltError {
    /// Wraps a storage error with the operation and database it happened in.
    init(_ error: StorageError, operation: String, path: String) {
        var context = ["operation": operation, "database": path]
        var suggestion: String?
        var retryable = false
        switch error {
        case .corruption(let page, _):
            context["page"] = String(page)
            suggestion = "run `basalt check` on the file and restore from a backup if it reports problems"
        case .logCorruption(let segment, _, _):
            context["logSegment"] = String(segment)
            suggestion = "restore from a backup; the log cannot be replayed past the damaged record"
        case .notADatabase:
            suggestion = "check the path; Basalt opens only files it created"
        case .unsupportedFormatVersion:
            suggestion = "open the file with a newer Basalt build"
        case .databaseLocked:
            suggestion = "close the other handle or process using this database"
            retryable = true
        case .ioFailure(_, _, let errno):
            context["errno"] = String(errno)
            suggestion = "check the device; reopen the database to recover"
        case .diskFull:
            suggestion = "free disk space, then reopen the database"
        case .bufferPoolExhausted:
            suggestion = "raise Config.bufferPoolBytes"
            retryable = true
        case .keyTooLarge(_, let limit):
            context["limit"] = String(limit)
            suggestion = "use keys of at most \(limit) bytes (larger page sizes allow larger keys)"
        case .valueTooLarge(_, let limit):
            context["limit"] = String(limit)
        case .invalidConfiguration:
            suggestion = "see the documentation of Config for the valid ranges"
        case .readOnlyAfterFailure:
            suggestion = "close and reopen the database; recovery restores a consistent state"
        case .closed:
            suggestion = "open the database again"
        }
        self.init(code: Code(rawValue: error.sqlState), message: error.description, context: context,
                  suggestion: suggestion, isRetryable: retryable)
    }
}

extension BasaltError {
    /// Wraps a transaction-layer error with the operation and database it happened in.
    init(_ error: TransactionError, operation: String, path: String) {
        if case .storage(let storage) = error {
            self.init(storage, operation: operation, path: path)
            return
        }
        var context = ["operation": operation, "database": path]
        var suggestion: String?
        switch error {
        case .serializationFailure, .deadlock, .lockTimeout:
            suggestion = "run the whole transaction again (Database.write retries it by itself)"
        case let .snapshotTooOld(requested, oldest):
            context["requested"] = ISO8601Time.format(requested)
            context["oldestReadable"] = ISO8601Time.format(oldest)
            suggestion = "read at \(ISO8601Time.format(oldest)) or later, or raise Config.historyRetention"
        case let .futureSnapshot(requested, now):
            context["requested"] = ISO8601Time.format(requested)
            context["now"] = ISO8601Time.format(now)
            suggestion = "read as of the present or the past"
        case .readOnlyTransaction:
            suggestion = "write in Database.write or a transaction begun without readOnly"
        case .inactive:
            suggestion = "roll the transaction back and begin a new one"
        case .corruptVersion:
            suggestion = "run `basalt check` on the file and restore from a backup if it reports problems"
        case .noSuchSavepoint, .storage:
            break
        }
        self.init(code: Code(rawValue: error.sqlState), message: error.message, context: context,
                  suggestion: suggestion, isRetryable: error.isRetryable)
    }
}
