import BasaltStorage
import CBasaltPrefetch
import BasaltTransactions

/// Inner join of `left` with a table whose whole primary key the join fixes: for each left row, one
/// point read of the matching row (SQLite's and every OLTP engine's plan for joining along a foreign
/// key), instead of hashing the whole table. `keys` are expressions over the left row, in primary key
/// order; `residual` filters the joined pairs.
///
/// Lookups are batched (MySQL's Batched Key Access): left rows are buffered, their keys sorted and each
/// distinct key read once, in key order, so every leaf of the table is visited about once per buffer
/// however the left side is ordered, and a leaf just read is still cached for the next key. Output keeps
/// the left side's order. The first round buffers one batch, so a LIMIT over the join still reads
/// little; later rounds buffer up to `maximumBufferRows` (small rounds would sweep the table once each).
package final class IndexLookupJoinOperator: Operator {
    let left: any Operator
    package let table: TableDescriptor
    let keys: [BoundExpression]
    let residual: BoundExpression?
    let keyTypes: [SQLType]
    let physicalTypes: [SQLType]
    /// The physical columns decoded per matched row: those of the table's logical columns that are read,
    /// in logical order. `inner` holds only these, so the random accesses of the pairing loop touch as
    /// few bytes as the query needs.
    let decodedPhysical: [Int]
    /// Per logical column of the table, its index among the decoded values, or -1 (not read: NULL).
    let innerSources: [Int]
    package let width: Int

    /// The most left rows buffered for one round of sorted lookups.
    static let maximumBufferRows = 131_072

    /// How many pairs ahead the pairing loop prefetches the matched row's values.
    static let pairPrefetchDistance = 8

    /// Left rows of the current round.
    private var buffered = RowBatch(width: 0)
    /// Per buffered row, the matching row's index in `inner`, or -1.
    private var matches: [Int32] = []
    /// The matched table rows of the current round (`decodedPhysical.count` values each).
    private var inner: [SQLValue] = []
    /// The next buffered row to emit.
    private var emitted = 0
    private var bufferRows = RowBatch.preferredSize
    private var leftFinished = false

    /// `read`: the table's (logical) columns the residual and everything downstream read (nil: all);
    /// the others are NULL in the output and never decoded.
    package init(left: any Operator, table: TableDescriptor, keys: [BoundExpression], residual: BoundExpression?,
                 read: Set<Int>? = nil) {
        precondition(!table.hasRowID && keys.count == table.primaryKey.count)
        self.left = left
        self.table = table
        self.keys = keys
        self.residual = residual
        self.keyTypes = table.primaryKey.map { table.columns[$0].type }
        self.physicalTypes = table.physicalTypes
        var decoded: [Int] = []
        var sources: [Int] = []
        for c in table.columns.indices {
            if read == nil || read!.contains(c) {
                sources.append(decoded.count)
                decoded.append(table.columns[c].physical)
            } else {
                sources.append(-1)
            }
        }
        self.decodedPhysical = decoded
        self.innerSources = sources
        self.width = left.width + table.columns.count
    }

    package func open(_ context: ExecutionContext) throws {
        try left.open(context)
        buffered = RowBatch(width: left.width)
        matches = []
        inner = []
        emitted = 0
        bufferRows = RowBatch.preferredSize
        leftFinished = false
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        while true {
            if emitted < buffered.count {
                let innerWidth = decodedPhysical.count
                let leftWidth = buffered.width
                let innerSources = self.innerSources
                let width = self.width
                let capacity = min(RowBatch.preferredSize, buffered.count - emitted)
                // Element by element from the arrays themselves: slices of them would retain each
                // array per pair, and a class property touched per pair pays an exclusivity check.
                // Written into one uninitialized buffer: appending checked capacity and uniqueness
                // per value, a fifth of the join's time.
                var end = emitted
                var rows = 0
                // At least one element, so the buffer has an address even for zero-width rows.
                let values = [SQLValue](unsafeUninitializedCapacity: max(1, capacity * width)) { out, initialized in
                    buffered.values.withUnsafeBufferPointer { left in
                        inner.withUnsafeBufferPointer { right in
                            matches.withUnsafeBufferPointer { matches in
                                var next = out.baseAddress!
                                while end < matches.count && rows < capacity {
                                    // `inner` is in key order, the output in left order: each pair reads
                                    // a random place of an array larger than the cache. Loading the one
                                    // a few pairs ahead overlaps those misses (they were 80% of this loop).
                                    if end + Self.pairPrefetchDistance < matches.count {
                                        let ahead = Int(matches[end + Self.pairPrefetchDistance])
                                        // No base address when no table column is read (width 0).
                                        if ahead >= 0, let base = right.baseAddress { basalt_prefetch(base + ahead * innerWidth) }
                                    }
                                    let slot = Int(matches[end])
                                    if slot >= 0 {
                                        for i in end * leftWidth ..< (end + 1) * leftWidth {
                                            next.initialize(to: left[i])
                                            next += 1
                                        }
                                        let base = slot * innerWidth
                                        for source in innerSources {
                                            next.initialize(to: source < 0 ? .null : right[base + source])
                                            next += 1
                                        }
                                        rows += 1
                                    }
                                    end += 1
                                }
                                initialized = next - out.baseAddress!
                            }
                        }
                    }
                }
                var pairs = RowBatch(width: width, count: rows, values: values)
                emitted = end
                if let residual, !pairs.isEmpty {
                    let selected = try ExpressionEvaluator.filter(residual, pairs, context)
                    if selected.count != pairs.count { pairs = pairs.selecting(selected) }
                }
                if !pairs.isEmpty { return pairs }
                continue
            }
            guard !leftFinished else { return nil }
            try fill(context)
        }
    }

    /// Buffers the next round of left rows and looks up their matches in key order.
    private func fill(_ context: ExecutionContext) throws {
        buffered.removeAll()
        emitted = 0
        while buffered.count < bufferRows {
            guard let batch = try left.next(context) else {
                leftFinished = true
                break
            }
            buffered.append(contentsOf: batch)
        }
        bufferRows = Self.maximumBufferRows
        matches = [Int32](repeating: -1, count: buffered.count)
        inner.removeAll(keepingCapacity: true)
        guard !buffered.isEmpty else { return }
        let keyColumns = try keys.map { try ExpressionEvaluator.evaluate($0, buffered, rows: nil, context) }
        let prefix = ObjectKey.prefix(table.id)
        // The distinct keys in key order, and per key the buffered rows that carry it.
        var sortedKeys = PackedKeys()
        var groupEnds: [Int] = []
        var groupRows: [Int32] = []
        if keys.count == 1, keyTypes[0].isInteger {
            // A single integer key: sort the integers themselves (their key encoding preserves order).
            var order: [(Int64, Int32)] = []
            order.reserveCapacity(buffered.count)
            var low = Int64.max, high = Int64.min
            for r in 0..<buffered.count {
                guard case .integer(let n)? = Self.keyComponent(keyColumns[0][r], keyTypes[0]) else { continue }
                order.append((n, Int32(r)))
                low = min(low, n)
                high = max(high, n)
            }
            // Keys spanning under 2^44 (ids, foreign keys) go with their row number into one word,
            // (n - low) << 20 | r, radix sorted; others take a comparison sort.
            let (span, overflow) = high.subtractingReportingOverflow(low)
            if !overflow, span < 1 << 44, buffered.count <= 1 << 20 {
                var packed = order.map { UInt64(bitPattern: $0.0 &- low) << 20 | UInt64($0.1) }
                RadixSort.sort(&packed)
                for i in packed.indices {
                    order[i] = (low &+ Int64(bitPattern: packed[i] >> 20), Int32(truncatingIfNeeded: packed[i] & 0xF_FFFF))
                }
            } else {
                order.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            }
            sortedKeys.reserve(keys: order.count, bytes: order.count * (prefix.count + 9))
            let keyType = keyTypes[0]
            for (i, (n, r)) in order.enumerated() {
                if i == 0 || order[i - 1].0 != n {
                    if i > 0 { groupEnds.append(groupRows.count) }
                    sortedKeys.append { key in
                        key.append(contentsOf: prefix)
                        KeyCodec.append(.integer(n), type: keyType, descending: false, to: &key)
                    }
                }
                groupRows.append(r)
            }
        } else {
            var encoded: [[UInt8]] = []
            var rowsOfKey: [Int32] = []
            rowLoop: for r in 0..<buffered.count {
                var key = prefix
                for k in keys.indices {
                    guard let converted = Self.keyComponent(keyColumns[k][r], keyTypes[k]) else { continue rowLoop }
                    KeyCodec.append(converted, type: keyTypes[k], descending: false, to: &key)
                }
                encoded.append(key)
                rowsOfKey.append(Int32(r))
            }
            var order = Array(encoded.indices)
            order.sort { a, b in
                let c = encoded[a].withUnsafeBytes { x in encoded[b].withUnsafeBytes { y in compareKeys(x, y) } }
                return c < 0 || (c == 0 && a < b)
            }
            for (i, o) in order.enumerated() {
                if i == 0 || encoded[order[i - 1]] != encoded[o] {
                    if i > 0 { groupEnds.append(groupRows.count) }
                    sortedKeys.append(encoded[o])
                }
                groupRows.append(rowsOfKey[o])
            }
        }
        if !sortedKeys.isEmpty { groupEnds.append(groupRows.count) }
        // The closure works on locals: class properties mutated per key would each pay an exclusivity
        // check (and retain the arrays read).
        var innerRows: Int32 = 0
        var inner = self.inner
        var matches = self.matches
        self.inner = []
        self.matches = []
        defer {
            self.inner = inner
            self.matches = matches
        }
        let types = physicalTypes
        let wanted = decodedPhysical
        try groupRows.withUnsafeBufferPointer { groupRows in
            try groupEnds.withUnsafeBufferPointer { groupEnds in
                try context.manager.visitSorted(context.transaction, .tables, sortedKeys) { g, value in
                    try RowCodec.decodeColumns(value, types: types, wanted: wanted, into: &inner)
                    for i in (g == 0 ? 0 : groupEnds[g - 1])..<groupEnds[g] { matches[Int(groupRows[i])] = innerRows }
                    innerRows += 1
                }
            }
        }
    }

    /// `value` as a component of type `type` of the table's key: nil for NULL, which never matches, or a
    /// value the type cannot hold exactly, which matches nothing.
    static func keyComponent(_ value: SQLValue, _ type: SQLType) -> SQLValue? {
        guard !value.isNull, let converted = try? value.cast(to: type, explicit: false),
              SQLValue.compare(converted, value) == 0 else { return nil }
        return converted
    }

    package func close() { left.close() }
    package var explainLabel: String { "Nested Loop Join with Primary Key Lookup on \(table.name)" }
    package var children: [any Operator] { [left] }
}
