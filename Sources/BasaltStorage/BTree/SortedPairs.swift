#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBasaltPrefetch

/// Key/value pairs sorted by `compareKeys` with unique keys, as `StorageEngine.putSorted` writes them.
/// Conformers hand out bytes that stay valid and unchanged while the put runs, so a run reads each
/// pair in place instead of copying it into an array first.
package protocol SortedPairs {
    /// The number of pairs.
    var count: Int { get }
    /// The bytes of pair `index` (`0 ..< count`).
    func pair(_ index: Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    /// The longest key and the longest value, for checking the pairs against the tree's limits before
    /// writing any (the default walks every pair; a conformer that knows them says so cheaper).
    var maxCounts: (key: Int, value: Int) { get }
}

extension SortedPairs {
    package var maxCounts: (key: Int, value: Int) {
        var counts = (key: 0, value: 0)
        for index in 0..<count {
            let (key, value) = pair(index)
            counts = (max(counts.key, key.count), max(counts.value, value.count))
        }
        return counts
    }
}

/// Pairs copied into one arena: the `SortedPairs` for callers holding arrays (history and expiry
/// entries, tests). Sort them with `sort()` unless they were appended in order.
///
/// Each pair is one record in the arena: the key, `valueGap` bytes of room, then the value. A
/// transaction's write set keeps its writes in that layout with a version header's room, so a list
/// built with that gap can be handed over (`transferStorage(to:)`) instead of copied.
package struct PairList: SortedPairs {
    private struct Pair {
        var key: UnsafeRawPointer
        var keyCount: Int32
        var valueCount: Int32
    }

    private var arena = ByteArena()
    private var pairs: [Pair] = []
    /// Bytes of room between each key and its value.
    package let valueGap: Int
    /// The longest key and value appended.
    package private(set) var maxKeyCount = 0
    package private(set) var maxValueCount = 0
    /// Set by `sort()` when no two keys are equal, so the pairs strictly ascend; any append clears it.
    package private(set) var isStrictlyAscending = false

    /// An empty list whose records keep `valueGap` bytes of room between key and value.
    package init(valueGap: Int = 0) {
        precondition(valueGap >= 0, "a value gap is not negative")
        self.valueGap = valueGap
    }

    /// The pairs of `array` in its order.
    package init(_ array: [(key: [UInt8], value: [UInt8])]) {
        valueGap = 0
        pairs.reserveCapacity(array.count)
        for (key, value) in array {
            key.withUnsafeBytes { k in value.withUnsafeBytes { v in append(key: k, value: v) } }
        }
    }

    package var count: Int { pairs.count }
    package var isEmpty: Bool { pairs.isEmpty }

    /// Appends a copy of the pair; the key and value are stored back to back.
    package mutating func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        append(key: key, keySuffix: UnsafeRawBufferPointer(start: nil, count: 0), value: value)
    }

    /// Appends a pair whose key is `key` followed by `keySuffix`, stored back to back with `value` as
    /// `append(key:value:)` stores them, without the caller first joining the key's two parts.
    package mutating func append(key: UnsafeRawBufferPointer, keySuffix: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let keyCount = key.count + keySuffix.count
        let base = arena.allocate(keyCount + valueGap + value.count)
        if key.count > 0 { base.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if keySuffix.count > 0 { (base + key.count).copyMemory(from: keySuffix.baseAddress!, byteCount: keySuffix.count) }
        if value.count > 0 { (base + keyCount + valueGap).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        pairs.append(Pair(key: UnsafeRawPointer(base), keyCount: Int32(keyCount), valueCount: Int32(value.count)))
        if keyCount > maxKeyCount { maxKeyCount = keyCount }
        if value.count > maxValueCount { maxValueCount = value.count }
        isStrictlyAscending = false
    }

    /// Sorts the pairs by key (`compareKeys`); pairs with equal keys keep their order.
    ///
    /// A radix sort by the eight bytes that follow the prefix every key shares (an index's entries share
    /// their object prefix and the high bytes of their first column), then a comparison sort only of
    /// runs whose eight bytes tie and that are not already in order: the entries of CREATE INDEX
    /// arrive in row key order, so a run of one indexed value usually is.
    package mutating func sort() {
        let n = pairs.count
        guard n > 1 else {
            isStrictlyAscending = true
            return
        }
        precondition(n <= Int(UInt32.max), "a pair list holds fewer than 2^32 pairs")
        let first = pairs[0]
        var shared = Int(first.keyCount)
        for p in pairs where shared > 0 {
            shared = min(shared, Int(p.keyCount))
            if memcmp(p.key, first.key, shared) == 0 { continue }
            var i = 0
            while p.key.load(fromByteOffset: i, as: UInt8.self) == first.key.load(fromByteOffset: i, as: UInt8.self) { i += 1 }
            shared = i
        }
        var order = [RadixSort.Keyed]()
        order.reserveCapacity(n)
        for (index, p) in pairs.enumerated() {
            order.append(RadixSort.Keyed(key: Self.bigEndianWord(p.key + shared, count: Int(p.keyCount) - shared),
                                         index: UInt32(index)))
        }
        RadixSort.sort(&order)
        // Keys whose words differ differ; only a run of equal words can hold equal keys, and a run
        // in order shows them as neighbours whose comparison is 0.
        var unique = true
        pairs.withUnsafeBufferPointer { pairs in
            func compare(_ a: RadixSort.Keyed, _ b: RadixSort.Keyed) -> Int {
                let x = pairs[Int(a.index)], y = pairs[Int(b.index)]
                return compareKeys(x.key, Int(x.keyCount), y.key, Int(y.keyCount))
            }
            func less(_ a: RadixSort.Keyed, _ b: RadixSort.Keyed) -> Bool {
                let c = compare(a, b)
                return c != 0 ? c < 0 : a.index < b.index
            }
            var start = 0
            while start < n {
                var end = start + 1
                var inOrder = true
                while end < n, order[end].key == order[start].key {
                    if inOrder {
                        let c = compare(order[end], order[end - 1])
                        if c < 0 || (c == 0 && order[end].index < order[end - 1].index) { inOrder = false }
                        if c == 0 { unique = false }
                    }
                    end += 1
                }
                if !inOrder {
                    order[start..<end].sort(by: less)
                    for i in start + 1 ..< end where compare(order[i], order[i - 1]) == 0 { unique = false }
                }
                start = end
            }
        }
        pairs = order.map { pairs[Int($0.index)] }
        isStrictlyAscending = unique
    }

    /// The first eight of `count` bytes at `bytes` as a big-endian word, zero-padded.
    private static func bigEndianWord(_ bytes: UnsafeRawPointer, count: Int) -> UInt64 {
        if count >= 8 { return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)) }
        var word: UInt64 = 0
        for i in 0..<max(count, 0) { word |= UInt64(bytes.load(fromByteOffset: i, as: UInt8.self)) << (56 - 8 * UInt64(i)) }
        return word
    }

    /// Hints the CPU to start loading pair `index`'s first bytes (nothing when out of range): after a
    /// sort the pairs lie in the arena in their old order, so a caller walking them in the new one
    /// asks a few pairs ahead instead of missing the cache on each.
    package func prefetch(_ index: Int) {
        guard index < pairs.count else { return }
        basalt_prefetch(pairs[index].key)
    }

    package func pair(_ index: Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let p = pairs[index]
        return (UnsafeRawBufferPointer(start: p.key, count: Int(p.keyCount)),
                UnsafeRawBufferPointer(start: p.key + Int(p.keyCount) + valueGap, count: Int(p.valueCount)))
    }

    /// Pair `index`'s record: its first byte (the key's), the key's length and the value's (which
    /// starts `valueGap` bytes after the key). Writable: the gap is the owner's to fill.
    package func record(_ index: Int) -> (base: UnsafeMutableRawPointer, keyCount: Int, valueCount: Int) {
        let p = pairs[index]
        return (UnsafeMutableRawPointer(mutating: p.key), Int(p.keyCount), Int(p.valueCount))
    }

    /// Moves the records' memory into `owner`, which keeps them valid from then on; the list is left
    /// empty. Returns false, changing nothing, when another copy of this list shares its memory (it
    /// would be left pointing at bytes it no longer owns).
    package mutating func transferStorage(to owner: ByteArena) -> Bool {
        guard isKnownUniquelyReferenced(&arena) else { return false }
        owner.adopt(arena)
        pairs = []
        isStrictlyAscending = false
        return true
    }
}
