import BasaltStorage

/// The write sets of recently committed transactions, for validating serializable transactions.
///
/// Invariant (maintained by `TransactionManager` under its engine lock): every commit with a timestamp
/// above `prunedThrough` is listed, in timestamp order; `prunedThrough` never exceeds the snapshot of
/// an active serializable transaction that will validate, so validation never misses a conflict.
struct RecentCommits {
    struct Commit {
        var timestamp: Timestamp
        /// Keys per tree in byte order (copied from the commit's sorted write set, packed).
        var sorted: [(tree: RootSlot, keys: SortedKeyList)]
        /// Trees this commit filled wholesale (a bulk load): every read of them conflicts.
        var wholeTrees: Set<RootSlot> = []
        /// Ranges this commit dropped (`TransactionManager.dropRange`): every key in them was deleted.
        var dropped: [DroppedRange] = []

        func keys(of tree: RootSlot) -> SortedKeyList? { sorted.first { $0.tree == tree }?.keys }

        /// Whether the commit wrote `key` of `tree` (binary search).
        func contains(_ tree: RootSlot, _ key: [UInt8]) -> Bool {
            guard let keys = keys(of: tree) else { return false }
            return key.withUnsafeBytes { keys.contains($0) }
        }
    }

    private(set) var commits: [Commit] = []
    private(set) var prunedThrough = Timestamp.zero

    /// Records a commit's writes: per tree, its keys in byte order.
    mutating func append(_ timestamp: Timestamp, _ sorted: [(tree: RootSlot, keys: SortedKeyList)],
                         dropped: [DroppedRange] = []) {
        commits.append(Commit(timestamp: timestamp, sorted: sorted, dropped: dropped))
    }

    /// Records a commit that wrote an unlisted set of keys in each of `trees` (and dropped `dropped`):
    /// every read of those trees conflicts with it.
    mutating func appendWholeTrees(_ timestamp: Timestamp, _ trees: Set<RootSlot>, dropped: [DroppedRange] = []) {
        commits.append(Commit(timestamp: timestamp, sorted: [], wholeTrees: trees, dropped: dropped))
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
            for drop in commit.dropped {
                if let key = reads.keys.first(where: { $0.tree == drop.tree && $0.key.withUnsafeBytes(drop.contains) }) {
                    return (commit.timestamp, key)
                }
                if reads.ranges.contains(where: { $0.tree == drop.tree && drop.overlaps($0) }) {
                    return (commit.timestamp, CommittedKey(tree: drop.tree, key: drop.lower))
                }
            }
            for key in reads.keys where commit.contains(key.tree, key.key) { return (commit.timestamp, key) }
            for range in reads.ranges {
                guard let keys = commit.keys(of: range.tree) else { continue }
                let low = range.lower.map { lower in lower.withUnsafeBytes { keys.lowerBound($0) } } ?? 0
                if low < keys.count, range.contains(keys.key(low)) {
                    return (commit.timestamp, CommittedKey(tree: range.tree, key: Array(keys.key(low))))
                }
            }
        }
        return nil
    }
}
