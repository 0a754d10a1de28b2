/// Second-chance CLOCK over the frames.
///
/// Invariant: `resident[f]` is true exactly for frames admitted and not yet removed or evicted;
/// `referenced[f]` is only meaningful while resident.
final class ClockEviction: EvictionPolicy {
    private var resident: [Bool]
    private var referenced: [Bool]
    private var hand = 0

    init(frameCount: Int) {
        resident = Array(repeating: false, count: frameCount)
        referenced = Array(repeating: false, count: frameCount)
    }

    func admit(_ frame: Int32) {
        resident[Int(frame)] = true
        referenced[Int(frame)] = true
    }

    @inline(__always) func recordAccess(_ frame: Int32) {
        referenced[Int(frame)] = true
    }

    func remove(_ frame: Int32) {
        resident[Int(frame)] = false
        referenced[Int(frame)] = false
    }

    func victim(isPinned: (Int32) -> Bool) -> Int32? {
        let count = resident.count
        // Two full sweeps clear every reference bit once; a third finds a victim unless all are pinned.
        for _ in 0..<(3 * count) {
            let frame = hand
            hand = hand + 1 == count ? 0 : hand + 1
            guard resident[frame], !isPinned(Int32(frame)) else { continue }
            if referenced[frame] {
                referenced[frame] = false
                continue
            }
            resident[frame] = false
            return Int32(frame)
        }
        return nil
    }
}
