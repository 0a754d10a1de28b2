import BasaltStorage

/// The write sets of recently committed transactions, for validating serializable transactions.
///
/// Invariant (maintained by `TransactionManager` under its engine lock): every commit with a timestamp
/// above `prunedThrough` is listed, in timestamp order; `prunedThrough` never exceeds the snapshot of
/// an active serializable transaction that will validate, so validation never misses a conflict.
struct RecentCommits {
    struct Commit {
        var timestamp: Timestamp
        var keys: Set<CommittedKey>
        /// Keys per tree in byte order, for range checks.
        var sorted: [RootSlot: [[UInt8]]]
        /// Trees this commit filled wholesale (a bulk load): every read of them conflicts.
        var wholeTrees: Set<RootSlot> = []
    }

    private(set) var commits: [Commit] = []
    private(set) var prunedThrough = Timestamp.zero

    mutating func append(_ timestamp: Timestamp, _ writes: [(tree: RootSlot, key: [UInt8])]) {
        var keys = Set<CommittedKey>(minimumCapacity: writes.count)
        var sorted: [RootSlot: [[UInt8]]] = [:]
        for write in writes {
            keys.insert(CommittedKey(tree: write.tree, key: write.key))
            sorted[write.tree, default: []].append(write.key)
        }
        for tree in sorted.keys { sorted[tree]!.sort { $0.lexicographicallyPrecedes($1) } }
        commits.append(Commit(timestamp: timestamp, keys: keys, sorted: sorted))
    }

    /// Records a commit that wrote an unlisted set of keys in each of `trees`.
    mutating func appendWholeTrees(_ timestamp: Timestamp, _ trees: Set<RootSlot>) {
        commits.append(Commit(timestamp: timestamp, keys: [], sorted: [:], wholeTrees: trees))
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
            if reads.keys.count <= commit.keys.count {
                for key in reads.keys where commit.keys.contains(key) { return (commit.timestamp, key) }
            } else {
                for key in commit.keys where reads.keys.contains(key) { return (commit.timestamp, key) }
            }
            for range in reads.ranges {
                guard let keys = commit.sorted[range.tree] else { continue }
                // First key >= lower.
                var low = 0, high = keys.count
                if let lower = range.lower {
                    while low < high {
                        let mid = (low + high) / 2
                        if keys[mid].lexicographicallyPrecedes(lower) { low = mid + 1 } else { high = mid }
                    }
                }
                if low < keys.count, range.contains(keys[low]) {
                    return (commit.timestamp, CommittedKey(tree: range.tree, key: keys[low]))
                }
            }
        }
        return nil
    }
}
