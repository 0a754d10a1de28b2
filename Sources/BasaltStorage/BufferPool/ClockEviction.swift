/// Second-chance CLOCK over the frames. Its bits live in the pool's `FrameStates`, beside each frame's
/// pin count, so a page access touches one bookkeeping record.
///
/// Invariant: `resident` is true exactly for frames admitted and not yet removed or evicted;
/// `referenced` is only meaningful while resident.
final class ClockEviction: EvictionPolicy {
    private let states: FrameStates
    private var hand = 0

    convenience init(frameCount: Int) {
        self.init(states: FrameStates(count: frameCount))
    }

    init(states: FrameStates) {
        self.states = states
    }

    func admit(_ frame: Int32) {
        states[frame].pointee.resident = true
        states[frame].pointee.referenced = true
    }

    @inline(__always) func recordAccess(_ frame: Int32) {
        states[frame].pointee.referenced = true
    }

    func remove(_ frame: Int32) {
        states[frame].pointee.resident = false
        states[frame].pointee.referenced = false
    }

    func victim(isPinned: (Int32) -> Bool) -> Int32? {
        let count = states.count
        // Two full sweeps clear every reference bit once; a third finds a victim unless all are pinned.
        for _ in 0..<(3 * count) {
            let frame = Int32(hand)
            hand = hand + 1 == count ? 0 : hand + 1
            let state = states[frame]
            guard state.pointee.resident, !isPinned(frame) else { continue }
            if state.pointee.referenced {
                state.pointee.referenced = false
                continue
            }
            state.pointee.resident = false
            return frame
        }
        return nil
    }
}
