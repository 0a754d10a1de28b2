import Synchronization

/// Per-frame bookkeeping of the buffer pool in one array of 8-byte records, so touching a cold frame's
/// pin count, dirty flag and CLOCK reference bit costs one cache miss instead of one per field.
///
/// Shared by the pool and its CLOCK policy (which owns `referenced`); both are confined to the pool's
/// owner, so no synchronisation is needed — except for the shared marks below.
final class FrameStates {
    struct State {
        /// Active pins; a frame with pins > 0 is never evicted.
        var pins: Int32 = 0
        /// Changed since it was read or last written back.
        var dirty = false
        /// CLOCK's second-chance bit.
        var referenced = false
        /// CLOCK: the frame holds a page the policy knows about.
        var resident = false
    }

    let count: Int
    let base: UnsafeMutablePointer<State>
    /// Per frame, whether a read under the engine's shared lock used it since CLOCK last looked: the one
    /// thing such reads change in the pool, so it is atomic (several readers may mark at once; a writer,
    /// holding the lock exclusively, reads and clears it alone). CLOCK treats it as a reference bit.
    private let sharedMarks: UnsafeMutablePointer<Atomic<UInt8>>

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: State(), count: count)
        sharedMarks = .allocate(capacity: count)
        for i in 0..<count { (sharedMarks + i).initialize(to: Atomic<UInt8>(0)) }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
        sharedMarks.deinitialize(count: count)
        sharedMarks.deallocate()
    }

    /// Marks `frame` as used by a shared read (written only when not yet marked, so readers of a hot
    /// page do not keep taking its cache line from each other).
    @inline(__always) func markShared(_ frame: Int32) {
        if sharedMarks[Int(frame)].load(ordering: .relaxed) == 0 {
            sharedMarks[Int(frame)].store(1, ordering: .relaxed)
        }
    }

    /// Reads and clears the shared mark of `frame`. Exclusive lock holders only.
    @inline(__always) func takeSharedMark(_ frame: Int32) -> Bool {
        sharedMarks[Int(frame)].exchange(0, ordering: .relaxed) != 0
    }

    @inline(__always) subscript(_ frame: Int32) -> UnsafeMutablePointer<State> { base + Int(frame) }
}
