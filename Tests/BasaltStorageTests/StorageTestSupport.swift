@testable import BasaltStorage

/// A sorted-dictionary model of a key-value tree: the oracle the randomized tests compare against.
struct SortedModel {
    private(set) var keys: [[UInt8]] = []
    private(set) var values: [[UInt8]: [UInt8]] = [:]

    var count: Int { keys.count }

    /// Index of the first key >= `key`.
    func lowerBound(_ key: [UInt8]) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid].lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        if values.updateValue(value, forKey: key) == nil {
            keys.insert(key, at: lowerBound(key))
        }
    }

    @discardableResult
    mutating func delete(_ key: [UInt8]) -> Bool {
        guard values.removeValue(forKey: key) != nil else { return false }
        keys.remove(at: lowerBound(key))
        return true
    }

    /// Keys in [lower, upper), ascending or descending, at most `limit`.
    func range(lower: [UInt8]?, upper: [UInt8]?, reverse: Bool, limit: Int) -> [[UInt8]] {
        let start = lower.map { lowerBound($0) } ?? 0
        let end = upper.map { lowerBound($0) } ?? keys.count
        guard start < end else { return [] }
        let slice = keys[start..<end]
        return reverse ? Array(slice.reversed().prefix(limit)) : Array(slice.prefix(limit))
    }
}

extension StorageEngine {
    /// Every pair in key order.
    func allPairs() throws -> [([UInt8], [UInt8])] {
        var result: [([UInt8], [UInt8])] = []
        try scan(.keyValue, lower: nil, upper: nil) { k, v in
            result.append((Array(k), Array(v)))
            return true
        }
        return result
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        _ = try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try put(.keyValue, k, v) } }
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try delete(.keyValue, $0).found }
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? { try get(.keyValue, key) }
}

extension SeededRandom {
    mutating func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            var word = next()
            for _ in 0..<8 where i < count {
                result[i] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                i += 1
            }
        }
        return result
    }
}
