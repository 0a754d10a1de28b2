import BasaltStorage

/// A hash index over a tree's buffered write entries (`WriteSet.TreeWrites`), for keys written out of
/// order: open addressing with linear probing, storing entry indices, so it holds no references and
/// no copies of keys.
///
/// Invariants: `slots.count` is a power of two, at least twice the number of indices stored; every
/// stored index `i` sits in the probe sequence of the hash of `entries[i].key`, before any empty slot
/// (-1); keys of stored entries are distinct.
struct WriteIndex {
    private var slots: [Int32]
    private var stored = 0
    /// Random per index, so keys chosen to collide in one transaction do not collide in another.
    private let seed: UInt64

    init(_ entries: [WriteSet.Entry]) {
        seed = UInt64.random(in: .min ... .max)
        var capacity = 16
        while capacity < entries.count * 2 { capacity *= 2 }
        slots = Array(repeating: -1, count: capacity)
        for i in entries.indices { place(Int32(i), entries[i].key) }
        stored = entries.count
    }

    /// The index of the entry whose key is `key`.
    func find(_ key: UnsafeRawBufferPointer, in entries: [WriteSet.Entry]) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: KeyHash.hash(key, seed: seed)) & mask
        while true {
            let i = slots[slot]
            if i < 0 { return nil }
            let candidate = entries[Int(i)]
            if Int(candidate.keyCount) == key.count, compareKeys(candidate.key, key) == 0 { return Int(i) }
            slot = (slot + 1) & mask
        }
    }

    /// Adds entry `index` (its key not yet present).
    mutating func insert(_ index: Int, in entries: [WriteSet.Entry]) {
        if (stored + 1) * 2 > slots.count {
            slots = Array(repeating: -1, count: slots.count * 2)
            for i in 0..<index { place(Int32(i), entries[i].key) }
        }
        place(Int32(index), entries[index].key)
        stored += 1
    }

    private mutating func place(_ index: Int32, _ key: UnsafeRawBufferPointer) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: KeyHash.hash(key, seed: seed)) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = index
    }
}
