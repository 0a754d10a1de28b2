/// Counters of one buffer pool since it was created. Units are events (pages), not bytes, except where
/// a name says bytes.
public struct BufferPoolStatistics: Sendable, Equatable, Codable {
    /// Page requests served from a resident frame.
    public var hits: UInt64 = 0
    /// Page requests that read the page from the file.
    public var misses: UInt64 = 0
    /// Reads of pages that were not resident served in place from the file's mapping, without a frame
    /// (not counted in `misses`).
    public var inPlaceReads: UInt64 = 0
    /// Misses read outside the engine lock by point reads and then cached (counted in `misses` too).
    public var detachedLoads: UInt64 = 0
    /// Pages read outside the engine lock but not cached: another thread cached the page first, or a
    /// page was written to the file meanwhile (the read is then repeated).
    public var detachedDiscards: UInt64 = 0
    /// Misses whose page was checked (checksum, id, type, layout): the first read of each page since
    /// the pool was created. A page the pool verified or wrote before is read back unchecked.
    public var verifiedReads: UInt64 = 0
    /// Frames reused for another page.
    public var evictions: UInt64 = 0
    /// Dirty pages written back to the file (by eviction or flush).
    public var writes: UInt64 = 0
    /// Pages currently dirty in the pool.
    public var dirtyPages: Int = 0
    /// Frames currently holding a page.
    public var residentPages: Int = 0
    /// Frames the pool has (its budget divided by the page size).
    public var frameCount: Int = 0
    /// The byte budget the pool's page memory never exceeds.
    public var budgetBytes: Int = 0

    /// hits / (hits + misses), or 0 before any request.
    public var hitRatio: Double {
        let total = hits + misses
        return total == 0 ? 0 : Double(hits) / Double(total)
    }

    public init() {}
}
