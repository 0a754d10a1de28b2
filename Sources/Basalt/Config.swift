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
    }
}
