import BasaltStorage

/// Keys in byte order (`compareKeys`), copied back to back into one arena: a committed transaction's
/// keys of one tree, kept for serializable validation (`RecentCommits`) without a heap block per key.
///
/// Invariant: `keys[i]` points into `arena` and `keys` ascends strictly by `compareKeys`.
struct SortedKeyList {
    private let arena = ByteArena()
    private var keys: [(pointer: UnsafeRawPointer, count: Int32)] = []

    /// Appends a copy of `key`, which must sort after every key already listed.
    mutating func append(_ key: UnsafeRawBufferPointer) {
        let copy = arena.copy(key)
        keys.append((copy.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32(key.count)))
    }

    var count: Int { keys.count }

    /// Key `index`, valid as long as the list.
    func key(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: keys[index].pointer, count: Int(keys[index].count))
    }

    /// The first index whose key is not below `key`.
    func lowerBound(_ key: UnsafeRawBufferPointer) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if compareKeys(self.key(mid), key) < 0 { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        let index = lowerBound(key)
        return index < keys.count && compareKeys(self.key(index), key) == 0
    }
}
