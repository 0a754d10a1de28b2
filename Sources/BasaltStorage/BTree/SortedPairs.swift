/// Key/value pairs sorted by `compareKeys` with unique keys, as `StorageEngine.putSorted` writes them.
/// Conformers hand out bytes that stay valid and unchanged while the put runs, so a run reads each
/// pair in place instead of copying it into an array first.
package protocol SortedPairs {
    /// The number of pairs.
    var count: Int { get }
    /// The bytes of pair `index` (`0 ..< count`).
    func pair(_ index: Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
}

/// Pairs copied into one arena: the `SortedPairs` for callers holding arrays (history and expiry
/// entries, tests). Sort them with `sort()` unless they were appended in order.
package struct PairList: SortedPairs {
    private struct Pair {
        var key: UnsafeRawPointer
        var keyCount: Int32
        var valueCount: Int32
    }

    private let arena = ByteArena()
    private var pairs: [Pair] = []

    package init() {}

    /// The pairs of `array` in its order.
    package init(_ array: [(key: [UInt8], value: [UInt8])]) {
        pairs.reserveCapacity(array.count)
        for (key, value) in array {
            key.withUnsafeBytes { k in value.withUnsafeBytes { v in append(key: k, value: v) } }
        }
    }

    package var count: Int { pairs.count }
    package var isEmpty: Bool { pairs.isEmpty }

    /// Appends a copy of the pair; the key and value are stored back to back.
    package mutating func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let base = arena.allocate(key.count + value.count)
        if key.count > 0 { base.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if value.count > 0 { (base + key.count).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        pairs.append(Pair(key: UnsafeRawPointer(base), keyCount: Int32(key.count), valueCount: Int32(value.count)))
    }

    /// Sorts the pairs by key (`compareKeys`).
    package mutating func sort() {
        pairs.sort { a, b in
            compareKeys(a.key, Int(a.keyCount), b.key, Int(b.keyCount)) < 0
        }
    }

    package func pair(_ index: Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let p = pairs[index]
        return (UnsafeRawBufferPointer(start: p.key, count: Int(p.keyCount)),
                UnsafeRawBufferPointer(start: p.key + Int(p.keyCount), count: Int(p.valueCount)))
    }
}
