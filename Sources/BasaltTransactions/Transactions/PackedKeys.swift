/// Keys stored back to back in one byte array, key `i` ending at `ends[i]`: many short keys without a
/// heap block each (the sorted lookups of a join build one per left row).
///
/// Invariant: `ends` ascends and its last element is `bytes.count` (0 keys: both empty).
package struct PackedKeys {
    package private(set) var bytes: [UInt8] = []
    private(set) var ends: [Int] = []

    package init() {}

    /// The number of keys.
    package var count: Int { ends.count }
    package var isEmpty: Bool { ends.isEmpty }

    /// Makes room for `keys` keys of `bytes` bytes in all.
    package mutating func reserve(keys: Int, bytes count: Int) {
        ends.reserveCapacity(keys)
        bytes.reserveCapacity(count)
    }

    /// Appends the key that `build` appends to the byte array (it must only append).
    package mutating func append(_ build: (inout [UInt8]) -> Void) {
        build(&bytes)
        ends.append(bytes.count)
    }

    /// Appends a copy of `key`.
    package mutating func append(_ key: [UInt8]) {
        bytes.append(contentsOf: key)
        ends.append(bytes.count)
    }

    /// Where key `i` lies in `bytes`.
    @inline(__always)
    func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : ends[i - 1])..<ends[i] }

}
