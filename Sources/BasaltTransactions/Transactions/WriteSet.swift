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

    private(set) var entries: [RootSlot: [[UInt8]: Write]] = [:]
    private var sorted: [RootSlot: [[UInt8]]] = [:]
    private(set) var journal: [JournalEntry] = []
    var isJournaling = false
    private(set) var count = 0
    /// An upper bound on the key and value bytes buffered (every put adds its value, replaced or not;
    /// savepoint rollbacks do not subtract): enough to choose the commit path.
    private(set) var bytes = 0

    var isEmpty: Bool { count == 0 }

    func write(_ tree: RootSlot, _ key: [UInt8]) -> Write? { entries[tree]?[key] }

    mutating func record(_ tree: RootSlot, _ key: [UInt8], _ write: Write) {
        let previous = entries[tree, default: [:]].updateValue(write, forKey: key)
        if previous == nil {
            count += 1
            bytes += key.count
            sorted[tree] = nil
        }
        if case .put(let value) = write { bytes += value.count }
        if isJournaling { journal.append(JournalEntry(tree: tree, key: key, previous: previous)) }
    }

    /// Undoes the journal back to `position`.
    mutating func rollBack(to position: Int) {
        while journal.count > position {
            let entry = journal.removeLast()
            if let previous = entry.previous {
                entries[entry.tree]![entry.key] = previous
            } else {
                entries[entry.tree]![entry.key] = nil
                count -= 1
                sorted[entry.tree] = nil
            }
        }
    }

    mutating func truncateJournal() { journal.removeAll() }

    /// The buffered keys of `tree` in byte order.
    mutating func sortedKeys(_ tree: RootSlot) -> [[UInt8]] {
        if let keys = sorted[tree] { return keys }
        // memcmp order (the B+tree's), compared a word at a time: the generic lexicographic comparison
        // of [UInt8] dominated sorting a large transaction's keys at commit.
        let keys = (entries[tree]?.keys).map { keys in
            keys.sorted { a, b in a.withUnsafeBytes { x in b.withUnsafeBytes { y in compareKeys(x, y) < 0 } } }
        } ?? []
        sorted[tree] = keys
        return keys
    }

    /// Every write, tree by tree, keys in byte order.
    mutating func allSorted() -> [(tree: RootSlot, key: [UInt8], write: Write)] {
        var out: [(tree: RootSlot, key: [UInt8], write: Write)] = []
        out.reserveCapacity(count)
        for tree in entries.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let map = entries[tree]!
            for key in sortedKeys(tree) { out.append((tree, key, map[key]!)) }
        }
        return out
    }
}
