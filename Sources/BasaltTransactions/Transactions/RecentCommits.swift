import BasaltStorage

/// The write sets of recently committed transactions, for validating serializable transactions.
///
/// Invariant (maintained by `TransactionManager` under its engine lock): every commit with a timestamp
/// above `prunedThrough` is listed, in timestamp order; `prunedThrough` never exceeds the snapshot of
/// an active serializable transaction that will validate, so validation never misses a conflict.
struct RecentCommits {
    struct Commit {
        var timestamp: Timestamp
        /// Keys per tree in byte order (from the commit's sorted write set: no copies, no hashing).
        var sorted: [(tree: RootSlot, keys: [[UInt8]])]
        /// Trees this commit filled wholesale (a bulk load): every read of them conflicts.
        var wholeTrees: Set<RootSlot> = []

        func keys(of tree: RootSlot) -> [[UInt8]]? { sorted.first { $0.tree == tree }?.keys }

        /// Whether the commit wrote `key` of `tree` (binary search).
        func contains(_ tree: RootSlot, _ key: [UInt8]) -> Bool {
            guard let keys = keys(of: tree) else { return false }
            let index = Self.lowerBound(keys, key)
            return index < keys.count && keys[index] == key
        }

        /// The first index whose key is not below `key`.
        static func lowerBound(_ keys: [[UInt8]], _ key: [UInt8]) -> Int {
            var low = 0, high = keys.count
            while low < high {
                let mid = (low + high) / 2
                if keys[mid].lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }

    private(set) var commits: [Commit] = []
    private(set) var prunedThrough = Timestamp.zero

    /// Records a commit's writes, given tree by tree with keys in byte order (`WriteSet.allSorted`).
    mutating func append(_ timestamp: Timestamp, _ writes: [(tree: RootSlot, key: [UInt8], write: WriteSet.Write)]) {
        var sorted: [(tree: RootSlot, keys: [[UInt8]])] = []
        for write in writes {
            if sorted.last?.tree == write.tree {
                sorted[sorted.count - 1].keys.append(write.key)
            } else {
                sorted.append((write.tree, [write.key]))
            }
        }
        commits.append(Commit(timestamp: timestamp, sorted: sorted))
    }

    /// Records a commit that wrote an unlisted set of keys in each of `trees`.
    mutating func appendWholeTrees(_ timestamp: Timestamp, _ trees: Set<RootSlot>) {
        commits.append(Commit(timestamp: timestamp, sorted: [], wholeTrees: trees))
    }

    /// Forgets commits at or before `timestamp`.
    mutating func prune(through timestamp: Timestamp) {
        guard timestamp > prunedThrough else { return }
        prunedThrough = timestamp
        var drop = 0
        while drop < commits.count, commits[drop].timestamp <= timestamp { drop += 1 }
        if drop > 0 { commits.removeFirst(drop) }
    }

    /// The first commit after `snapshot` that wrote inside `reads`, if any (with the key it wrote).
    func conflict(with reads: ReadSet, after snapshot: Timestamp) -> (Timestamp, CommittedKey)? {
        precondition(snapshot >= prunedThrough, "validation against pruned commits")
        for commit in commits where commit.timestamp > snapshot {
            if !commit.wholeTrees.isEmpty {
                if let key = reads.keys.first(where: { commit.wholeTrees.contains($0.tree) }) { return (commit.timestamp, key) }
                if let range = reads.ranges.first(where: { commit.wholeTrees.contains($0.tree) }) {
                    return (commit.timestamp, CommittedKey(tree: range.tree, key: range.lower ?? []))
                }
            }
            for key in reads.keys where commit.contains(key.tree, key.key) { return (commit.timestamp, key) }
            for range in reads.ranges {
                guard let keys = commit.keys(of: range.tree) else { continue }
                let low = range.lower.map { Commit.lowerBound(keys, $0) } ?? 0
                if low < keys.count, range.contains(keys[low]) {
                    return (commit.timestamp, CommittedKey(tree: range.tree, key: keys[low]))
                }
            }
        }
        return nil
    }
}
