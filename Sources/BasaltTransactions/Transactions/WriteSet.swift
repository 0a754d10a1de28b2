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

    /// `keys` in memcmp order (the B+tree's). Sorts indices by each key's first eight bytes as one
    /// big-endian word, comparing whole keys only on ties: the generic comparison of `[UInt8]`s (and
    /// their retain/release per comparison) dominated sorting a large transaction's keys at commit.
    static func sortedByBytes(_ keys: [[UInt8]]) -> [[UInt8]] {
        var order: [(prefix: UInt64, index: Int32)] = []
        order.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() {
            var prefix: UInt64 = 0
            key.withUnsafeBytes { bytes in
                for i in 0..<min(8, bytes.count) { prefix |= UInt64(bytes[i]) << (56 - 8 * UInt64(i)) }
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

/// A buffered key as a dictionary key: hashed as one block of bytes (the synthesized hash of
/// `[UInt8]` combines byte by byte, which dominated buffering a large transaction's writes).
struct BufferedKey: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
