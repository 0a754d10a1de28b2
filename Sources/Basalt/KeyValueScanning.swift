/// The capability of reading key-value pairs in key order: a `Database` (the newest committed state) and
/// a `Transaction` (its snapshot and its own writes) both have it.
public protocol KeyValueScanning {
    /// Visits the pairs with `start <= key < end` (each bound optional) in ascending key order — or
    /// descending with `reverse` — until `body` returns false or `limit` pairs were visited; returns the
    /// number visited. The view is valid only during the call.
    @discardableResult
    func scan(from start: [UInt8]?, to end: [UInt8]?, limit: Int, reverse: Bool,
              _ body: (borrowing KeyValueView) throws -> Bool) throws -> Int
}

extension KeyValueScanning {
    /// The pairs with `start <= key < end`, at most `limit` of them, in key order (descending with
    /// `reverse`), copied out.
    public func scanPairs(from start: [UInt8]? = nil, to end: [UInt8]? = nil, limit: Int = .max,
                          reverse: Bool = false) throws -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        try scan(from: start, to: end, limit: limit, reverse: reverse) { pair in
            result.append((pair.key, pair.value))
            return true
        }
        return result
    }
}
