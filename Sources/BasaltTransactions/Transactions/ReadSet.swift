import BasaltStorage

/// What a serializable transaction read: keys (present or absent) and scanned ranges. At commit, any
/// transaction that committed after this one's snapshot and wrote inside the read set makes the
/// transaction fail (its reads would no longer be what a serial execution at its commit point sees).
struct ReadSet {
    struct Range {
        var tree: RootSlot
        /// Inclusive lower bound; nil: from the start.
        var lower: [UInt8]?
        /// Exclusive upper bound; nil: to the end.
        var upper: [UInt8]?

        func contains(_ key: UnsafeRawBufferPointer) -> Bool {
            if let lower, lower.withUnsafeBytes({ compareKeys(key, $0) }) < 0 { return false }
            if let upper, upper.withUnsafeBytes({ compareKeys(key, $0) }) >= 0 { return false }
            return true
        }
    }

    private(set) var keys: Set<CommittedKey> = []
    private(set) var ranges: [Range] = []

    var isEmpty: Bool { keys.isEmpty && ranges.isEmpty }

    mutating func read(_ tree: RootSlot, _ key: [UInt8]) { keys.insert(CommittedKey(tree: tree, key: key)) }
    mutating func scanned(_ range: Range) { ranges.append(range) }
}

/// One key of one tree.
struct CommittedKey: Hashable {
    var tree: RootSlot
    var key: [UInt8]

    /// Hashed by `KeyHash` (word-wise, no `Hasher` per lookup), with the tree in the seed.
    func hash(into hasher: inout Hasher) {
        hasher.combine(KeyHash.hash(key, seed: UInt64(tree.rawValue)))
    }

    func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: KeyHash.hash(key, seed: UInt64(truncatingIfNeeded: seed) &+ UInt64(tree.rawValue)))
    }
}
