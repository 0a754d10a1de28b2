#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The data file's uses that run without the engine lock: page reads, so point reads on several threads
/// wait for the file in parallel instead of one at a time (the pool itself is single-threaded: all its
/// state changes under the engine lock), and the sync of a checkpoint taken in steps, so other threads
/// read and commit during it (see `StorageEngine.beginCheckpoint`).
///
/// Read protocol (driven by `TransactionManager`): a read runs under the engine lock with misses deferred
/// (`StorageEngine.deferringMisses`); a page that is not resident throws `DeferredPageMiss` carrying the
/// pool's file-write count at that moment. With the lock released, `read` fetches and verifies the
/// page; under the lock again, `StorageEngine.installDetached` caches it only if it is still missing and
/// no page was written to the file since the miss (otherwise the bytes might predate a write-back of that
/// very page and are dropped), and the read starts over. A read must call back its caller only after its
/// last page access, so starting over repeats nothing.
package final class DetachedFileAccess: @unchecked Sendable {
    // @unchecked Sendable, proven: `file` is only read and synced here (`pread` and `fdatasync` on a
    // POSIX handle are thread-safe, also next to the `pwrite`s made under the lock; the simulated file
    // system serialises every call with its own mutex); `pageSize` is immutable; and the owner calls
    // `shutDown` before closing the file, which waits for every use in flight and refuses new ones, so
    // none can race the close or reach a reused descriptor.
    private let file: any FileHandle
    let pageSize: Int
    /// Uses in flight, and whether the file is about to close. Invariant: once `closed` is set,
    /// `inFlight` only decreases.
    private let gate = Mutex<(inFlight: Int, closed: Bool)>((0, false))

    init(file: any FileHandle, pageSize: Int) {
        self.file = file
        self.pageSize = pageSize
    }

    /// Page `id` as in the file, checksum and structure verified as a pool load verifies them (unless
    /// `miss` says the pool already verified these bytes); nil after `shutDown`. Throws what the read or
    /// the verification throws (the caller then falls back to a load under the lock, which reports the
    /// error with full context).
    package func read(_ miss: DeferredPageMiss) throws -> [UInt8]? {
        try admitted { try readAdmitted(miss) }
    }

    private func readAdmitted(_ miss: DeferredPageMiss) throws -> [UInt8] {
        let id = miss.page
        var failure: (any Error)?
        let bytes = [UInt8](unsafeUninitializedCapacity: pageSize) { buffer, initialized in
            do {
                let raw = UnsafeMutableRawBufferPointer(buffer)
                let read = try file.read(into: raw, at: UInt64(id) * UInt64(pageSize))
                guard read == pageSize else {
                    throw StorageError.corruption(page: id, detail: "page lies past the end of the file")
                }
                if !miss.verified {
                    let page = Page(base: raw.baseAddress!, size: pageSize)
                    try page.verify(expected: id)
                    try BufferPool.verifyStructure(page)
                }
                initialized = pageSize
            } catch {
                failure = error
                buffer.initialize(repeating: 0)
                initialized = pageSize
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Makes every write to the file so far durable (`FileHandle.sync`); false after `shutDown`, when it
    /// did nothing. The caller records a failure under the engine lock (`Pager.fail`).
    package func sync() throws -> Bool {
        try admitted { try file.sync() } != nil
    }

    /// Runs `body` counted as in flight, or returns nil without running it after `shutDown`.
    private func admitted<R>(_ body: () throws -> R) throws -> R? {
        let admitted = gate.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.inFlight += 1
            return true
        }
        guard admitted else { return nil }
        defer { gate.withLock { $0.inFlight -= 1 } }
        return try body()
    }

    /// Refuses further uses and waits for those in flight: call before closing the file.
    func shutDown() {
        gate.withLock { $0.closed = true }
        while gate.withLock({ $0.inFlight }) > 0 { sched_yield() }
    }
}

/// Thrown by a pool read while misses are deferred (see `DetachedFileAccess`): page `page` is not
/// resident; `fileWrites` is the pool's count of page writes to the file when it was found missing;
/// `verified` says whether the pool had already verified (or written) the page's bytes in the file.
package struct DeferredPageMiss: Error {
    package let page: PageID
    package let fileWrites: UInt64
    package let verified: Bool
}
