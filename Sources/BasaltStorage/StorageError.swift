/// The errors the storage layer throws. Every case maps to one PostgreSQL SQLSTATE (`sqlState`), so the
/// client layer can wrap it into `BasaltError` without losing its meaning.
///
/// Invariant: an operation that throws a `StorageError` has changed nothing durable, except where the
/// case says otherwise (`ioFailure` during write-back leaves the file as the OS left it; the handle that
/// saw it refuses further writes).
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A page read from disk failed verification (checksum, page id, type or structure).
    case corruption(page: UInt32, detail: String)
    /// A log record that had been made durable fails verification (not a torn tail: later durable
    /// records exist), so the log cannot be replayed past it.
    case logCorruption(segment: UInt64, offset: Int, detail: String)
    /// The file exists but is not a Basalt database (wrong magic, too short, impossible header).
    case notADatabase(path: String, detail: String)
    /// The file is a Basalt database of a format this build cannot read.
    case unsupportedFormatVersion(path: String, found: UInt32, supported: UInt32)
    /// Another handle (in this process or another) holds the database's exclusive lock.
    case databaseLocked(path: String)
    /// An operating-system call failed. `errno` is the raw error number (EIO = 5, ...).
    case ioFailure(operation: String, path: String, errno: Int32)
    /// The device is full (ENOSPC / EDQUOT).
    case diskFull(operation: String, path: String)
    /// Every frame of the buffer pool is pinned, so no page can be brought in without exceeding the budget.
    case bufferPoolExhausted(frames: Int)
    /// A key exceeds the largest key a page of this size can hold.
    case keyTooLarge(size: Int, limit: Int)
    /// A value exceeds the largest value the engine stores.
    case valueTooLarge(size: Int, limit: Int)
    /// A configuration value is out of its documented range.
    case invalidConfiguration(String)
    /// The handle refuses writes after an earlier write or sync failed; reopen the database to recover.
    case readOnlyAfterFailure(String)
    /// The handle was closed.
    case closed

    /// The PostgreSQL SQLSTATE for this error.
    public var sqlState: String {
        switch self {
        case .corruption, .logCorruption: return "XX001" // data_corrupted
        case .notADatabase: return "58000"               // system_error
        case .unsupportedFormatVersion: return "58000"   // system_error
        case .databaseLocked: return "55006"             // object_in_use
        case .ioFailure: return "58030"                  // io_error
        case .diskFull: return "53100"                   // disk_full
        case .bufferPoolExhausted: return "53200"        // out_of_memory
        case .keyTooLarge, .valueTooLarge: return "54000" // program_limit_exceeded
        case .invalidConfiguration: return "22023"       // invalid_parameter_value
        case .readOnlyAfterFailure: return "25006"       // read_only_sql_transaction
        case .closed: return "08003"                     // connection_does_not_exist
        }
    }

    public var description: String {
        switch self {
        case let .corruption(page, detail): return "page \(page) is corrupt: \(detail)"
        case let .logCorruption(segment, offset, detail):
            return "log segment \(segment) is corrupt at offset \(offset): \(detail)"
        case let .notADatabase(path, detail): return "\(path) is not a Basalt database: \(detail)"
        case let .unsupportedFormatVersion(path, found, supported):
            return "\(path) has format version \(found); this build reads versions up to \(supported)"
        case let .databaseLocked(path): return "\(path) is locked by another handle or process"
        case let .ioFailure(operation, path, errno): return "\(operation) on \(path) failed with errno \(errno)"
        case let .diskFull(operation, path): return "\(operation) on \(path) failed: the disk is full"
        case let .bufferPoolExhausted(frames): return "all \(frames) buffer pool frames are pinned"
        case let .keyTooLarge(size, limit): return "key of \(size) bytes exceeds the limit of \(limit) bytes"
        case let .valueTooLarge(size, limit): return "value of \(size) bytes exceeds the limit of \(limit) bytes"
        case let .invalidConfiguration(message): return "invalid configuration: \(message)"
        case let .readOnlyAfterFailure(message): return "database is read-only after an earlier failure: \(message)"
        case .closed: return "the database is closed"
        }
    }
}
