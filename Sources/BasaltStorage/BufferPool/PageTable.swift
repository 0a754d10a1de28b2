/// Maps resident page ids to buffer pool frames: open addressing with linear probing and backward-shift
/// deletion (no tombstones), sized to a power of two at least twice the frame count, so probes stay short.
///
/// Invariant: every resident page appears exactly once, and every entry lies between its home slot and
/// the first empty slot after it (what backward-shift deletion preserves).
struct PageTable {
    private static let empty = PageID.max
    private var keys: [PageID]
    private var values: [Int32]
    private let mask: Int

    init(frameCount: Int) {
        var capacity = 16
        while capacity < frameCount * 2 { capacity <<= 1 }
        keys = Array(repeating: Self.empty, count: capacity)
        values = Array(repeating: -1, count: capacity)
        mask = capacity - 1
    }

    @inline(__always) private func home(_ id: PageID) -> Int {
        Int(truncatingIfNeeded: (UInt64(id) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The frame holding `id`, if resident.
    @inline(__always) func frame(of id: PageID) -> Int32? {
        var slot = home(id)
        while true {
            let key = keys[slot]
            if key == id { return values[slot] }
            if key == Self.empty { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// Records that `id` lives in `frame`. `id` must not be present.
    mutating func insert(_ id: PageID, frame: Int32) {
        var slot = home(id)
        while keys[slot] != Self.empty { slot = (slot + 1) & mask }
        keys[slot] = id
        values[slot] = frame
    }

    /// Forgets `id`; a missing id is ignored.
    mutating func remove(_ id: PageID) {
        var slot = home(id)
        while keys[slot] != id {
            if keys[slot] == Self.empty { return }
            slot = (slot + 1) & mask
        }
        // Backward-shift: pull later entries of the probe run into the hole when their home allows it.
        var hole = slot
        var next = (hole + 1) & mask
        while keys[next] != Self.empty {
            let want = home(keys[next])
            // Move the entry if its home is not cyclically within (hole, next].
            let distanceToNext = (next - want) & mask
            let distanceToHole = (next - hole) & mask
            if distanceToNext >= distanceToHole {
                keys[hole] = keys[next]
                values[hole] = values[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        keys[hole] = Self.empty
        values[hole] = -1
    }
}
