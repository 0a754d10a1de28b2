/// The seam between the storage engine and the operating system's files.
///
/// Two implementations exist: `POSIXFileSystem` (the real one) and `SimulatedFileSystem` (in memory, for
/// deterministic crash and fault tests). The set is closed: the engine's durability argument relies on the
/// exact semantics documented here, so do not add conformances outside this module.
///
/// Contract:
/// - `write` may be reordered, kept, dropped or torn by a crash until a later `sync` on the same file
///   returns. After `sync` returns, every earlier write to that file survives a crash.
/// - A failed `sync` is final for the data written since the previous successful sync: the caller must not
///   assume it can retry (the PostgreSQL fsync lesson).
/// - Every method throws `StorageError` only (`ioFailure`, `diskFull`, `databaseLocked`, `notADatabase`).
public protocol FileSystem: Sendable {
    /// Opens (and with `options.create`, creates) the file at `path`. With `options.exclusiveLock`, takes an
    /// exclusive advisory lock that a second open of the same file — from this process or another — cannot
    /// take; that second open throws `StorageError.databaseLocked`.
    func open(path: String, options: FileOpenOptions) throws -> any FileHandle
    /// Whether a file exists at `path`.
    func fileExists(path: String) -> Bool
    /// Removes the file at `path`; removing a missing file is not an error.
    func removeFile(path: String) throws
}

/// How `FileSystem.open` opens a file.
public struct FileOpenOptions: Sendable, Equatable {
    /// Create the file when it does not exist.
    public var create: Bool
    /// Take the exclusive advisory lock (held until `close`).
    public var exclusiveLock: Bool

    public init(create: Bool = true, exclusiveLock: Bool = true) {
        self.create = create
        self.exclusiveLock = exclusiveLock
    }
}

/// An open file. Not safe for concurrent use from several threads unless the implementation says so;
/// the storage engine serialises access to each handle.
public protocol FileHandle: AnyObject {
    /// The path this handle was opened with (for error context).
    var path: String { get }
    /// Reads up to `buffer.count` bytes at `offset`; returns the number read, short only at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws -> Int
    /// Writes all of `buffer` at `offset`, extending the file when needed.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws
    /// Makes every earlier write durable (fdatasync).
    func sync() throws
    /// Asks the system to start writing `length` bytes at `offset` to the device now, without waiting
    /// and without making them durable, so a later `sync` has less left to write while its caller
    /// waits. A hint: it never throws, and a handle that cannot do it (the default) does nothing.
    func startWriteback(at offset: UInt64, length: UInt64)
    /// The file's current size in bytes.
    func size() throws -> UInt64
    /// Cuts or extends the file to `size` bytes.
    func truncate(to size: UInt64) throws
    /// Releases the lock and the descriptor. Further calls throw.
    func close() throws
    /// A read-only shared mapping of the file's first `length` bytes, or nil when this handle cannot
    /// map (the default; see `FileMapping` for what touching it past the end of the file does).
    func mapForReading(length: Int) -> FileMapping?
}

extension FileHandle {
    public func mapForReading(length: Int) -> FileMapping? { nil }
    public func startWriteback(at offset: UInt64, length: UInt64) {}
}
