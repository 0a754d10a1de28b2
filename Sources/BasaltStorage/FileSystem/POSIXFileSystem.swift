#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CBasaltWriteback

/// The real file system: POSIX descriptors, `pread`/`pwrite`, `fdatasync`, and `flock` for the exclusive
/// lock.
///
/// Durability of names: when `open` creates a file, or `removeFile` removes one, the parent directory is
/// fsynced before returning, so the file's existence (or absence) survives a crash just as
/// `SimulatedFileSystem` assumes.
public struct POSIXFileSystem: FileSystem {
    /// A file system over the process's real files.
    public init() {}

    /// Opens `path` read-write. A missing file without `options.create` throws `ioFailure` with ENOENT.
    /// With `options.exclusiveLock`, takes `flock(LOCK_EX | LOCK_NB)`; because flock locks belong to the
    /// open file description, a second open of the same file fails even inside this process, and throws
    /// `databaseLocked` (the second descriptor is closed first).
    public func open(path: String, options: FileOpenOptions) throws -> any FileHandle {
        let fd = try openDescriptor(path: path, create: options.create)
        if options.exclusiveLock {
            let rc = retryingEINTR { flock(fd, LOCK_EX | LOCK_NB) }
            if rc != 0 {
                let error = errno
                _ = systemClose(fd)
                if error == EWOULDBLOCK { throw StorageError.databaseLocked(path: path) }
                throw storageError(errno: error, operation: "flock", path: path)
            }
        }
        return POSIXFileHandle(fd: fd, path: path)
    }

    /// Whether anything exists at `path` (a dangling symlink counts as missing).
    public func fileExists(path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Unlinks `path` and fsyncs its directory; a missing file is not an error.
    public func removeFile(path: String) throws {
        if unlink(path) != 0 {
            let error = errno
            if error == ENOENT { return }
            throw storageError(errno: error, operation: "unlink", path: path)
        }
        try syncParentDirectory(of: path)
    }

    private func openDescriptor(path: String, create: Bool) throws -> Int32 {
        let flags = O_RDWR | O_CLOEXEC
        // Open without O_CREAT first so we know whether this call created the file (and so must make
        // the directory entry durable). O_EXCL resolves the race with a concurrent creator.
        while true {
            let fd = retryingEINTR { systemOpen(path, flags, 0) }
            if fd >= 0 { return fd }
            let openError = errno
            guard openError == ENOENT, create else {
                throw storageError(errno: openError, operation: "open", path: path)
            }
            let created = retryingEINTR { systemOpen(path, flags | O_CREAT | O_EXCL, 0o644) }
            if created >= 0 {
                do {
                    try syncParentDirectory(of: path)
                } catch {
                    _ = systemClose(created)
                    throw error
                }
                return created
            }
            let createError = errno
            if createError != EEXIST {
                throw storageError(errno: createError, operation: "open", path: path)
            }
            // Someone else created it between our two calls; open theirs.
        }
    }

    private func syncParentDirectory(of path: String) throws {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = retryingEINTR { systemOpen(directory, O_RDONLY | O_CLOEXEC | O_DIRECTORY, 0) }
        if fd < 0 { throw storageError(errno: errno, operation: "open directory", path: directory) }
        defer { _ = systemClose(fd) }
        if retryingEINTR({ fsync(fd) }) != 0 {
            throw storageError(errno: errno, operation: "fsync directory", path: directory)
        }
    }
}

/// A descriptor opened by `POSIXFileSystem`.
///
/// Not thread-safe: `fd` is plain mutable state, and the storage engine serialises every call on a
/// handle. The descriptor (and with it the flock) is released by `close()`, or by `deinit` when the
/// handle is dropped without closing.
public final class POSIXFileHandle: FileHandle {
    /// The path this handle was opened with.
    public let path: String
    // -1 once closed; every operation checks it first.
    private var fd: Int32

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        if fd >= 0 { _ = systemClose(fd) }
    }

    /// Reads until `buffer` is full or end of file; returns the count, short only at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws -> Int {
        let fd = try liveDescriptor()
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(fd, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw storageError(errno: errno, operation: "pread", path: path)
            }
        }
        return done
    }

    /// Writes all of `buffer` at `offset`, looping over short writes. On a throw, a prefix of the buffer
    /// may have been written.
    public func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws {
        let fd = try liveDescriptor()
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let n = pwrite(fd, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                // POSIX never returns 0 for a non-empty regular-file write; treat it as an I/O error
                // rather than spinning.
                throw StorageError.ioFailure(operation: "pwrite", path: path, errno: EIO)
            } else if errno != EINTR {
                throw storageError(errno: errno, operation: "pwrite", path: path)
            }
        }
    }

    /// `fdatasync` (F_FULLFSYNC on Darwin, where fsync does not flush the drive cache). A failure is
    /// final for the data written since the last successful sync; see `FileSystem`.
    public func sync() throws {
        let fd = try liveDescriptor()
        #if canImport(Darwin)
        let rc = retryingEINTR { fcntl(fd, F_FULLFSYNC) }
        #else
        let rc = retryingEINTR { fdatasync(fd) }
        #endif
        if rc != 0 { throw storageError(errno: errno, operation: "fdatasync", path: path) }
    }

    /// `sync_file_range(SYNC_FILE_RANGE_WRITE)` on Linux, nothing elsewhere. Its failure is ignored:
    /// it only moves work earlier, and any I/O error it would have met is reported by the next `sync`.
    public func startWriteback(at offset: UInt64, length: UInt64) {
        guard fd >= 0, length > 0 else { return }
        _ = basalt_start_writeback(fd, Int64(offset), Int64(length))
    }

    /// A shared read-only mapping of the descriptor (which closing the handle does not invalidate).
    public func mapForReading(length: Int) -> FileMapping? {
        guard fd >= 0 else { return nil }
        return FileMapping.map(descriptor: fd, length: length)
    }

    /// The size reported by `fstat`.
    public func size() throws -> UInt64 {
        let fd = try liveDescriptor()
        var info = stat()
        if fstat(fd, &info) != 0 { throw storageError(errno: errno, operation: "fstat", path: path) }
        return UInt64(info.st_size)
    }

    /// `ftruncate`: cuts the file, or extends it with zeros.
    public func truncate(to size: UInt64) throws {
        let fd = try liveDescriptor()
        if retryingEINTR({ ftruncate(fd, off_t(size)) }) != 0 {
            throw storageError(errno: errno, operation: "ftruncate", path: path)
        }
    }

    /// Closes the descriptor, releasing the lock. The handle is closed even when this throws; later
    /// calls throw `StorageError.closed`.
    public func close() throws {
        let fd = try liveDescriptor()
        self.fd = -1
        // Never retry close: on Linux the descriptor is gone even when close reports EINTR, and a retry
        // could close a descriptor another thread just received.
        if systemClose(fd) != 0, errno != EINTR {
            throw storageError(errno: errno, operation: "close", path: path)
        }
    }

    private func liveDescriptor() throws -> Int32 {
        guard fd >= 0 else { throw StorageError.closed }
        return fd
    }
}

/// Maps an errno from a failed call to the storage error the engine reports: ENOSPC and EDQUOT become
/// `diskFull`, everything else `ioFailure`. Shared by both file systems so simulated faults look real.
func storageError(errno error: Int32, operation: String, path: String) -> StorageError {
    if error == ENOSPC || error == EDQUOT { return .diskFull(operation: operation, path: path) }
    return .ioFailure(operation: operation, path: path, errno: error)
}

/// Runs `call` until it stops failing with EINTR; returns its last result (errno is left as it set it).
@inline(__always)
private func retryingEINTR(_ call: () -> Int32) -> Int32 {
    while true {
        let rc = call()
        if rc == -1 && errno == EINTR { continue }
        return rc
    }
}

// The module-level names `open`/`close` are shadowed by the FileSystem/FileHandle methods inside the
// types above, so the C functions are reached through these wrappers.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    #if canImport(Glibc)
    return Glibc.open(path, flags, mode)
    #elseif canImport(Musl)
    return Musl.open(path, flags, mode)
    #else
    return Darwin.open(path, flags, mode)
    #endif
}

private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #elseif canImport(Musl)
    return Musl.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}
