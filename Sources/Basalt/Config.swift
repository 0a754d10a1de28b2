import BasaltStorage
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
    /// recovery time and the log's size on disk (about twice this plus one segment under a steady load).
    /// Default 64 MiB, at least 64 KiB.
    public var checkpointLogBytes: Int = 64 << 20
    /// A checkpoint also starts on the first write this long after the last one (and the background
    /// thread checks once a second). Default 5 minutes, at least 1 second.
    public var checkpointInterval: Duration = .seconds(300)
    /// Size of one log segment file; whole segments are deleted after checkpoints. Default 16 MiB, at
    /// least 4 KiB (larger records get a segment of their own).
    public var logSegmentBytes: Int = 16 << 20

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
        guard logSegmentBytes >= 4096, logSegmentBytes <= 1 << 30 else {
            throw BasaltError(code: .invalidParameterValue, message: "logSegmentBytes \(logSegmentBytes) must be from 4096 to 1 GiB",
                              context: ["field": "logSegmentBytes"])
        }
    }
}
