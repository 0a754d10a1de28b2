import BasaltStorage
import BasaltTransactions
import Logging

/// How a database is opened. Validated by `Database.open` (`validate()` throws `BasaltError` with code
/// `.invalidParameterValue` naming the field).
public struct Config: Sendable {
    /// Page size for a new database: a power of two from 4 KiB to 64 KiB. An existing file keeps the page
    /// size it was created with. Default 8 KiB.
    public var pageSize: Int = 8192
    /// Byte budget of the buffer pool (page frames and scratch pages); never exceeded. Default 64 MiB,
    /// minimum 19 pages.
    public var bufferPoolBytes: Int = 64 << 20
    /// Which pages the buffer pool evicts first. Default CLOCK.
    public var eviction: EvictionPolicyKind = .clock
    /// Whether a buffer pool miss copies its page from a read-only memory mapping of the file instead of
    /// reading it with a system call (about twice as fast per miss). The trade, as with SQLite's
    /// `mmap_size`: should the disk fail to return a page that has left the operating system's cache,
    /// the process gets SIGBUS instead of an I/O error. Default true; the simulated file system never
    /// maps.
    public var memoryMappedReads: Bool = true
    /// Where diagnostics go: the application's logging backend, at `.error` level by default (silent
    /// unless something fails). Never receives keys, values or row contents.
    public var logger: Logger = {
        var logger = Logger(label: "basalt")
        logger.logLevel = .error
        return logger
    }()
    /// The file system the database lives on (the simulated one in tests).
    public var fileSystem: any FileSystem = POSIXFileSystem()
    /// When a commit is durable: `.full` (default) before it returns; `.normal` within `syncInterval`;
    /// `.off` at the next checkpoint or close.
    public var syncMode: SyncMode = .full
    /// With `SyncMode.normal`, how often the background thread syncs the log: the most a crash can lose.
    /// Default 100 ms, from 1 ms to 10 s.
    public var syncInterval: Duration = .milliseconds(100)
    /// A checkpoint starts once this many bytes of log were written since the last one began; it bounds
    /// recovery time and the log's size on disk (about twice this plus one segment under a steady load;
    /// with background checkpoints, a write takes one itself once twice this piled up).
    /// Default 256 MiB (about 1 s of redo at the measured ~280 MiB/s), at least 64 KiB. The first change
    /// to a page after a checkpoint logs its whole image, so a distance small next to the pages a
    /// workload touches makes most commits log an image and checkpoints follow each other: with 64 MiB,
    /// YCSB A over 1M records (a ~140 MB hot set) ran about 30% slower. PostgreSQL's `max_wal_size`
    /// defaults to 1 GiB for the same reason.
    public var checkpointLogBytes: Int = 256 << 20
    /// Whether due checkpoints run on the background thread, in steps between which other threads read
    /// and commit (default), or on the write that finds one due, in one go, holding up every other
    /// thread until its pages are written and synced. Both are equally safe; the second is deterministic,
    /// for tests that replay a workload operation by operation.
    public var backgroundCheckpoints: Bool = true
    /// A checkpoint also starts on the first write this long after the last one (and the background
    /// thread checks once a second). Default 5 minutes, at least 1 second.
    public var checkpointInterval: Duration = .seconds(300)
    /// Size of one log segment file; whole segments are deleted after checkpoints. Default 16 MiB, at
    /// least 4 KiB (larger records get a segment of their own).
    public var logSegmentBytes: Int = 16 << 20
    /// The longest a commit's log sync waits for another transaction's commit to share it. It waits
    /// only while waiting has recently paired commits (concurrent writers); a lone writer never waits.
    /// Default 100 µs, from zero (never wait) to 10 ms.
    public var groupCommitWait: Duration = .microseconds(100)

    /// How long committed history stays readable by `Database.read(asOf:)` (and at least how long a
    /// replaced version is kept). Default 4 hours, like CockroachDB's gc.ttlseconds; zero keeps only what
    /// open transactions can see.
    public var historyRetention: Duration = .seconds(4 * 3600)
    /// How often the version collector removes versions older than `historyRetention` that no open
    /// snapshot can see. Default 30 s, from 10 ms to 1 hour.
    public var versionCollectionInterval: Duration = .seconds(30)
    /// How long a transaction waits for a lock held by another before failing with `.lockNotAvailable`
    /// (retryable). Zero waits forever (deadlocks are still detected). Default 5 s; changeable while
    /// open with `Database.lockTimeout`.
    public var lockTimeout: Duration = .seconds(5)
    /// How often waiting transactions are checked for deadlock cycles; the youngest transaction of a
    /// cycle fails with `.deadlockDetected` (retryable). Default 100 ms, from 1 ms to 10 s.
    public var deadlockCheckInterval: Duration = .milliseconds(100)
    /// Lock escalation: once a transaction holds this many row (key) locks in one tree, it tries to
    /// take the whole tree exclusively instead (granted only when no other transaction holds a lock
    /// there; otherwise it tries again after as many more). A bulk load then stops paying a lock per
    /// row, at the price of making other writers of that tree wait for its commit; snapshot readers
    /// never wait. SQL tables and indexes share one tree. Default 5,000 (SQL Server's figure); zero
    /// disables escalation.
    public var lockEscalationThreshold: Int = 5000
    /// The isolation level of `Database.write` and `begin` when none is given. Default serializable.
    public var defaultIsolation: IsolationLevel = .serializable
    /// How many times `Database.write` runs its closure again after a retryable failure (serialization
    /// failure, deadlock, lock timeout) before throwing it. Default 10, from 0 to 1000.
    public var transactionRetries: Int = 10

    public init() {}

    /// Checks every field against its documented range.
    public func validate() throws {
        guard pageSize >= 4096, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
            throw BasaltError(code: .invalidParameterValue,
                              message: "pageSize \(pageSize) must be a power of two from 4096 to 65536",
                              context: ["field": "pageSize"])
        }
        let minimum = 19 * pageSize
        guard bufferPoolBytes >= minimum else {
            throw BasaltError(code: .invalidParameterValue,
                              message: "bufferPoolBytes \(bufferPoolBytes) is below the minimum of \(minimum) for \(pageSize)-byte pages",
                              context: ["field": "bufferPoolBytes"])
        }
        guard syncInterval >= .milliseconds(1), syncInterval <= .seconds(10) else {
            throw BasaltError(code: .invalidParameterValue, message: "syncInterval \(syncInterval) must be from 1 ms to 10 s",
                              context: ["field": "syncInterval"])
        }
        guard checkpointLogBytes >= 64 << 10 else {
            throw BasaltError(code: .invalidParameterValue, message: "checkpointLogBytes \(checkpointLogBytes) is below the minimum of 65536",
                              context: ["field": "checkpointLogBytes"])
        }
        guard checkpointInterval >= .seconds(1) else {
            throw BasaltError(code: .invalidParameterValue, message: "checkpointInterval \(checkpointInterval) is below the minimum of 1 second",
                              context: ["field": "checkpointInterval"])
        }
        guard historyRetention >= .zero else {
            throw BasaltError(code: .invalidParameterValue, message: "historyRetention \(historyRetention) must not be negative",
                              context: ["field": "historyRetention"])
        }
        guard versionCollectionInterval >= .milliseconds(10), versionCollectionInterval <= .seconds(3600) else {
            throw BasaltError(code: .invalidParameterValue, message: "versionCollectionInterval \(versionCollectionInterval) must be from 10 ms to 1 hour",
                              context: ["field": "versionCollectionInterval"])
        }
        guard lockTimeout >= .zero else {
            throw BasaltError(code: .invalidParameterValue, message: "lockTimeout \(lockTimeout) must not be negative",
                              context: ["field": "lockTimeout"])
        }
        guard lockEscalationThreshold >= 0 else {
            throw BasaltError(code: .invalidParameterValue,
                              message: "lockEscalationThreshold \(lockEscalationThreshold) must not be negative",
                              context: ["field": "lockEscalationThreshold"])
        }
        guard deadlockCheckInterval >= .milliseconds(1), deadlockCheckInterval <= .seconds(10) else {
            throw BasaltError(code: .invalidParameterValue, message: "deadlockCheckInterval \(deadlockCheckInterval) must be from 1 ms to 10 s",
                              context: ["field": "deadlockCheckInterval"])
        }
        guard (0...1000).contains(transactionRetries) else {
            throw BasaltError(code: .invalidParameterValue, message: "transactionRetries \(transactionRetries) must be from 0 to 1000",
                              context: ["field": "transactionRetries"])
        }
        guard groupCommitWait >= .zero, groupCommitWait <= .milliseconds(10) else {
            throw BasaltError(code: .invalidParameterValue, message: "groupCommitWait \(groupCommitWait) must be from 0 to 10 ms",
                              context: ["field": "groupCommitWait"])
        }
        guard logSegmentBytes >= 4096, logSegmentBytes <= 1 << 30 else {
            throw BasaltError(code: .invalidParameterValue, message: "logSegmentBytes \(logSegmentBytes) must be from 4096 to 1 GiB",
                              context: ["field": "logSegmentBytes"])
        }
    }
}
