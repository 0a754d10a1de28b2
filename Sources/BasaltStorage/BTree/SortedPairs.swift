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

    /// Appends a pair whose key is `key` followed by `keySuffix`, stored back to back with `value` as
    /// `append(key:value:)` stores them, without the caller first joining the key's two parts.
    package mutating func append(key: UnsafeRawBufferPointer, keySuffix: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let keyCount = key.count + keySuffix.count
        let base = arena.allocate(keyCount + value.count)
        if key.count > 0 { base.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if keySuffix.count > 0 { (base + key.count).copyMemory(from: keySuffix.baseAddress!, byteCount: keySuffix.count) }
        if value.count > 0 { (base + keyCount).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        pairs.append(Pair(key: UnsafeRawPointer(base), keyCount: Int32(keyCount), valueCount: Int32(value.count)))
    }

    /// Sorts the pairs by key (`compareKeys`); pairs with equal keys keep their order.
    ///
    /// A radix sort by the eight bytes that follow the prefix every key shares (an index's entries share
    /// their object prefix and the high bytes of their first column), then a comparison sort only of
    /// runs whose eight bytes tie and that are not already in order: the entries of CREATE INDEX
    /// arrive in row key order, so a run of one indexed value usually is.
    package mutating func sort() {
        let n = pairs.count
        guard n > 1 else { return }
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
        pairs.withUnsafeBufferPointer { pairs in
            func less(_ a: RadixSort.Keyed, _ b: RadixSort.Keyed) -> Bool {
                let x = pairs[Int(a.index)], y = pairs[Int(b.index)]
                let c = compareKeys(x.key, Int(x.keyCount), y.key, Int(y.keyCount))
                return c != 0 ? c < 0 : a.index < b.index
            }
            var start = 0
            while start < n {
                var end = start + 1
                var inOrder = true
                while end < n, order[end].key == order[start].key {
                    if inOrder, less(order[end], order[end - 1]) { inOrder = false }
                    end += 1
                }
                if !inOrder { order[start..<end].sort(by: less) }
                start = end
            }
        }
        pairs = order.map { pairs[Int($0.index)] }
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
                UnsafeRawBufferPointer(start: p.key + Int(p.keyCount), count: Int(p.valueCount)))
    }
}
