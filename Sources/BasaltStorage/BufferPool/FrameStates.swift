/// Per-frame bookkeeping of the buffer pool in one array of 8-byte records, so touching a cold frame's
/// pin count, dirty flag and CLOCK reference bit costs one cache miss instead of one per field.
///
/// Shared by the pool and its CLOCK policy (which owns `referenced`); both are confined to the pool's
/// owner, so no synchronisation is needed.
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

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: State(), count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always) subscript(_ frame: Int32) -> UnsafeMutablePointer<State> { base + Int(frame) }
}
