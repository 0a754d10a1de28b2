import BasaltStorage

/// A transaction's buffered writes: nothing reaches a tree before commit, so no reader can ever see an
/// uncommitted change and rollback is free.
///
/// Invariants: `entries[tree][key]` is the transaction's latest write to that key; `journal` (kept only
/// while a savepoint exists) lists every change to `entries` since the oldest savepoint, with what it
/// replaced, so rolling back to a savepoint restores `entries` exactly; `sorted[tree]` is nil or the
/// keys of `entries[tree]` in byte order.
struct WriteSet {
    enum Write: Equatable {
        case put([UInt8])
        case delete
    }

    struct JournalEntry {
        var tree: RootSlot
        var key: [UInt8]
        var previous: Write?
    }

    private(set) var entries: [RootSlot: [BufferedKey: Write]] = [:]
    /// Per tree, the keys in byte order once known: `keys` holds every key of `entries[tree]` in the order
    /// first written, and `ascending` says that order is already byte order (each new key above the
    /// last) — a bulk insert in key order then needs no sort at commit. Nil after a savepoint rollback
    /// removed keys (rebuilt from `entries` on demand).
    private var order: [RootSlot: KeyOrder] = [:]
    private(set) var journal: [JournalEntry] = []
    var isJournaling = false
    private(set) var count = 0
    /// An upper bound on the key and value bytes buffered (every put adds its value, replaced or not;
    /// savepoint rollbacks do not subtract): enough to choose the commit path.
    private(set) var bytes = 0

    private struct KeyOrder {
        var keys: [[UInt8]] = []
        var ascending = true

        mutating func append(_ key: [UInt8]) {
            if ascending, let last = keys.last {
                ascending = last.withUnsafeBytes { l in key.withUnsafeBytes { compareKeys(l, $0) < 0 } }
            }
            keys.append(key)
        }
    }

    var isEmpty: Bool { count == 0 }

    func write(_ tree: RootSlot, _ key: [UInt8]) -> Write? { entries[tree]?[BufferedKey(key)] }

    mutating func record(_ tree: RootSlot, _ key: [UInt8], _ write: Write) {
        let previous = entries[tree, default: [:]].updateValue(write, forKey: BufferedKey(key))
        if previous == nil {
            count += 1
            bytes += key.count
            if entries[tree]!.count == 1 { order[tree] = KeyOrder() }
            if order[tree] != nil {
                order[tree]!.append(key)
            }
        }
        if case .put(let value) = write { bytes += value.count }
        if isJournaling { journal.append(JournalEntry(tree: tree, key: key, previous: previous)) }
    }

    /// Undoes the journal back to `position`.
    mutating func rollBack(to position: Int) {
        while journal.count > position {
            let entry = journal.removeLast()
            if let previous = entry.previous {
                entries[entry.tree]![BufferedKey(entry.key)] = previous
            } else {
                entries[entry.tree]![BufferedKey(entry.key)] = nil
                count -= 1
                order[entry.tree] = nil
            }
        }
    }

    mutating func truncateJournal() { journal.removeAll() }

    /// The buffered keys of `tree` in byte order.
    mutating func sortedKeys(_ tree: RootSlot) -> [[UInt8]] {
        guard let map = entries[tree], !map.isEmpty else { return [] }
        if let known = order[tree], known.ascending { return known.keys }
        let keys = Self.sortedByBytes(order[tree]?.keys ?? map.keys.map(\.bytes))
        order[tree] = KeyOrder(keys: keys, ascending: true)
        return keys
    }

    /// The buffered keys of `tree` with `lower <= key < upper` (nil: unbounded), in byte order.
    mutating func sortedKeys(_ tree: RootSlot, lower: [UInt8]?, upper: [UInt8]?) -> ArraySlice<[UInt8]> {
        let keys = sortedKeys(tree)
        func firstIndex(notBelow bound: [UInt8]) -> Int {
            var low = 0, high = keys.count
            while low < high {
                let mid = (low + high) / 2
                let below = keys[mid].withUnsafeBytes { k in bound.withUnsafeBytes { compareKeys(k, $0) < 0 } }
                if below { low = mid + 1 } else { high = mid }
            }
            return low
        }
        let from = lower.map(firstIndex(notBelow:)) ?? 0
        let to = upper.map(firstIndex(notBelow:)) ?? keys.count
        return from < to ? keys[from..<to] : []
    }

    /// Every write, tree by tree, keys in byte order.
    mutating func allSorted() -> [(tree: RootSlot, key: [UInt8], write: Write)] {
        var out: [(tree: RootSlot, key: [UInt8], write: Write)] = []
        out.reserveCapacity(count)
        for tree in entries.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let map = entries[tree]!
            for key in sortedKeys(tree) { out.append((tree, key, map[BufferedKey(key)]!)) }
        }
        return out
    }

    /// `keys` in memcmp order (the B+tree's). Sorts indices by eight bytes of each key, taken after
    /// the prefix every key shares (SQL keys start with their table or index id), as one big-endian
    /// word, comparing whole keys only on ties: the generic comparison of `[UInt8]`s (and their
    /// retain/release per comparison) dominated sorting a large transaction's keys at commit.
    static func sortedByBytes(_ keys: [[UInt8]]) -> [[UInt8]] {
        guard let first = keys.first else { return [] }
        var shared = first.count
        for key in keys where shared > 0 {
            shared = min(shared, key.count)
            key.withUnsafeBytes { k in
                first.withUnsafeBytes { f in
                    var i = 0
                    while i < shared && k[i] == f[i] { i += 1 }
                    shared = i
                }
            }
        }
        var order: [(prefix: UInt64, index: Int32)] = []
        order.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() {
            var prefix: UInt64 = 0
            key.withUnsafeBytes { bytes in
                for i in shared..<min(shared + 8, bytes.count) { prefix |= UInt64(bytes[i]) << (56 - 8 * UInt64(i - shared)) }
            }
            order.append((prefix, Int32(index)))
        }
        keys.withUnsafeBufferPointer { keys in
            order.sort { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                return keys[Int(a.index)].withUnsafeBytes { x in keys[Int(b.index)].withUnsafeBytes { compareKeys(x, $0) < 0 } }
            }
        }
        return order.map { keys[Int($0.index)] }
    }
}

/// A buffered key as a dictionary key. Hashes its bytes a word at a time with a multiply-xorshift
/// mix (seeded by the dictionary, finished with MurmurHash3's avalanche) instead of SipHash through a
/// `Hasher`: creating and finalizing a `Hasher` per lookup, and the synthesized byte-by-byte hash of
/// `[UInt8]`, dominated buffering a large transaction's writes.
struct BufferedKey: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        hasher.combine(Self.hash(bytes, seed: 0))
    }

    func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: Self.hash(bytes, seed: UInt64(truncatingIfNeeded: seed)))
    }

    static func hash(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            var h = seed ^ (UInt64(raw.count) &* 0x9E37_79B9_7F4A_7C15)
            var i = 0
            while i + 8 <= raw.count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 29
                i += 8
            }
            if i < raw.count {
                var tail: UInt64 = 0
                for j in i..<raw.count { tail |= UInt64(raw[j]) << (8 * UInt64(j - i)) }
                h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 29
            }
            h ^= h >> 33
            h = h &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
            h = h &* 0xC4CE_B9FE_1A85_EC53
            return h ^ (h >> 33)
        }
    }
}
