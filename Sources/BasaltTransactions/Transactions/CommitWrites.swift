import BasaltStorage
import CBasaltPrefetch

/// A committing transaction's buffered writes as the commit applies them: tree by tree in slot order,
/// each tree's entries in key order, their records read in place from the write set's arena.
///
/// Invariant: `arena` owns every byte the entries point to, so they stay valid as long as this value.
struct CommitWrites {
    /// One tree's writes in key order; as `SortedPairs`, each pair is a key and its stamped version.
    struct Tree: SortedPairs {
        let slot: RootSlot
        let entries: [WriteSet.Entry]
        /// Indices into `entries`, in key order: the pairs.
        var order: [Int32]
        let hasDeletes: Bool

        var count: Int { order.count }

        func pair(_ index: Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
            prefetch(index + Self.prefetchDistance)
            let entry = entries[Int(order[index])]
            return (entry.key, UnsafeRawBufferPointer(entry.version))
        }

        /// How many pairs ahead a walk in key order asks for records: records lie in the arena in the
        /// order they were written (or, taken over from a sorted list, in the order the rows were
        /// scanned), so the key order jumps around memory and each record would otherwise miss the cache.
        static let prefetchDistance = 8

        /// Over every entry (a superset of the pairs when deletions were filtered out), read straight
        /// from the contiguous entries instead of pair by pair through `order`.
        var maxCounts: (key: Int, value: Int) {
            entries.withUnsafeBufferPointer { all in
                var key = 0, value = 0
                for entry in all {
                    key = max(key, Int(entry.keyCount))
                    value = max(value, Int(entry.valueCount))
                }
                return (key, VersionFormat.headerSize + value)
            }
        }

        func prefetch(_ index: Int) {
            if index < order.count { basalt_prefetch(entries[Int(order[index])].record) }
        }
    }

    let trees: [Tree]
    /// The number of writes.
    let count: Int
    /// Ranges the transaction dropped: one expiry-queue entry each.
    let dropped: [DroppedRange]
    private let arena: ByteArena

    /// The writes of `writeSet` (whose order, from `WriteSet.commitOrder`, is taken first) and the
    /// transaction's dropped ranges.
    init(_ writeSet: inout WriteSet, dropped: [DroppedRange]) {
        self.dropped = dropped
        let order = writeSet.commitOrder()
        let all = writeSet.trees
        trees = order.map { t, order in
            Tree(slot: all[t].slot, entries: all[t].entries, order: order,
                 hasDeletes: all[t].entries.contains { $0.isDelete })
        }
        count = trees.reduce(0) { $0 + $1.count }
        arena = writeSet.arena
    }

    /// Writes every version header for a commit at `timestamp` (the records' reserved room).
    func stamp(_ timestamp: Timestamp) {
        for tree in trees {
            let entries = tree.entries
            for i in entries.indices {
                if i + Tree.prefetchDistance < entries.count { basalt_prefetch(entries[i + Tree.prefetchDistance].record) }
                VersionFormat.writeHeader(into: entries[i].version, tombstone: entries[i].isDelete, timestamp: timestamp)
            }
        }
    }

    /// The written keys per tree, packed, for `RecentCommits`.
    func keyLists() -> [(tree: RootSlot, keys: SortedKeyList)] {
        trees.map { tree in
            var keys = SortedKeyList()
            for (n, i) in tree.order.enumerated() {
                tree.prefetch(n + Tree.prefetchDistance)
                keys.append(tree.entries[Int(i)].key)
            }
            return (tree.slot, keys)
        }
    }
}
