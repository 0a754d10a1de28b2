/// Maps resident page ids to buffer pool frames: open addressing with linear probing and backward-shift
/// deletion (no tombstones), sized to a power of two at least twice the frame count, so probes stay short.
/// Each entry packs page id (high 32 bits) and frame (low 32 bits) into one word, so a lookup costs one
/// cache line.
///
/// Invariant: every resident page appears exactly once, and every entry lies between its home slot and
/// the first empty slot after it (what backward-shift deletion preserves).
struct PageTable {
    private static let empty = UInt64.max
    private var entries: [UInt64]
    private let mask: Int

    init(frameCount: Int) {
        var capacity = 16
        while capacity < frameCount * 2 { capacity <<= 1 }
        entries = Array(repeating: Self.empty, count: capacity)
        mask = capacity - 1
    }

    @inline(__always) private func home(_ id: PageID) -> Int {
        Int(truncatingIfNeeded: (UInt64(id) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    @inline(__always) private static func page(of entry: UInt64) -> PageID { PageID(truncatingIfNeeded: entry >> 32) }

    /// The frame holding `id`, if resident.
    @inline(__always) func frame(of id: PageID) -> Int32? {
        var slot = home(id)
        while true {
            let entry = entries[slot]
            if entry == Self.empty { return nil }
            if Self.page(of: entry) == id { return Int32(truncatingIfNeeded: entry) }
            slot = (slot + 1) & mask
        }
    }

    /// Records that `id` lives in `frame`. `id` must not be present.
    mutating func insert(_ id: PageID, frame: Int32) {
        var slot = home(id)
        while entries[slot] != Self.empty { slot = (slot + 1) & mask }
        entries[slot] = UInt64(id) << 32 | UInt64(UInt32(bitPattern: frame))
    }

    /// Forgets `id`; a missing id is ignored.
    mutating func remove(_ id: PageID) {
        var slot = home(id)
        while true {
            let entry = entries[slot]
            if entry == Self.empty { return }
            if Self.page(of: entry) == id { break }
            slot = (slot + 1) & mask
        }
        // Backward-shift: pull later entries of the probe run into the hole when their home allows it.
        var hole = slot
        var next = (hole + 1) & mask
        while entries[next] != Self.empty {
            let want = home(Self.page(of: entries[next]))
            // Move the entry unless its home lies cyclically within (hole, next].
            if (next - want) & mask >= (next - hole) & mask {
                entries[hole] = entries[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        entries[hole] = Self.empty
    }
}
