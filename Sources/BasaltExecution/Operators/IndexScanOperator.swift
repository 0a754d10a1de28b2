import BasaltStorage
import BasaltTransactions

/// Reads a table's rows through a secondary index: the entries within `range` of the index columns, in
/// index order, each followed to its row by primary key. Output as `TableScanOperator`'s.
package final class IndexScanOperator: Operator {
    package let table: TableDescriptor
    package let index: IndexDescriptor
    let range: KeyRange
    let columns: [Int]?
    let includeKey: Bool
    package let width: Int
    let physicalTypes: [SQLType]
    let wantedPhysical: [Int]
    let indexTypes: [SQLType]
    let indexDescending: [Bool]
    var lower: [UInt8] = []
    var upper: [UInt8] = []
    var finished = false
    /// Set when every column the query reads is in the index entry (index columns and primary key):
    /// rows come from the entries alone, and the other columns read as NULL (the planner guarantees
    /// nothing reads them).
    let indexOnly: Bool
    let primaryKeyTypes: [SQLType]
    /// `false` per primary key column (row keys are ascending).
    let primaryKeyAscending: [Bool]
    /// Index-only decoding plan, fixed per operator (see `entrySources`): where each output column comes
    /// from, whether the primary key is needed, the index columns decoded (up to the last one output)
    /// and the directions of those skipped before the primary key.
    let sources: [Int]
    let needsPrimaryKey: Bool
    let decodedTypes: [SQLType]
    let skippedDescending: [Bool]
    /// Directions of the decoded index columns.
    let decodedDescending: [Bool]
    /// Whether every index column read or skipped and every primary key column is an integer
    /// (`KeyCodec.isIntegerKey`): entries then decode in place, without copying each key.
    let integerEntries: Bool

    package init(table: TableDescriptor, index: IndexDescriptor, range: KeyRange, columns: [Int]? = nil,
                includeKey: Bool = false, indexOnly: Bool = false) {
        self.indexOnly = indexOnly && !includeKey
        let primaryKeyTypes = table.hasRowID ? [SQLType.bigint] : table.primaryKey.map { table.columns[$0].type }
        self.primaryKeyTypes = primaryKeyTypes
        self.primaryKeyAscending = primaryKeyTypes.map { _ in false }
        self.table = table
        self.index = index
        self.range = range
        self.columns = columns
        self.includeKey = includeKey
        let logical = columns ?? Array(table.columns.indices)
        self.width = logical.count + (includeKey ? 1 : 0)
        self.physicalTypes = table.physicalTypes
        self.wantedPhysical = logical.map { table.columns[$0].physical }
        let indexTypes = index.columns.map { table.columns[$0.column].type }
        let indexDescending = index.columns.map(\.descending)
        self.indexTypes = indexTypes
        self.indexDescending = indexDescending
        let sources = Self.entrySources(table, index, logical)
        self.sources = sources
        self.needsPrimaryKey = sources.contains { $0 < -1 }
        // Index columns up to the last one output are decoded; the rest are skipped when the primary
        // key after them is needed, else not read at all.
        let indexNeeded = (sources.filter { $0 >= 0 }.max() ?? -1) + 1
        self.decodedTypes = Array(indexTypes.prefix(indexNeeded))
        self.skippedDescending = Array(indexDescending.dropFirst(indexNeeded))
        self.decodedDescending = Array(indexDescending.prefix(indexNeeded))
        let readTypes = needsPrimaryKey ? indexTypes + primaryKeyTypes : Array(indexTypes.prefix(indexNeeded))
        self.integerEntries = readTypes.allSatisfy(KeyCodec.isIntegerKey)
    }

    /// The same scan producing only the given logical columns (in that order), so a projection of plain
    /// columns needs no operator of its own; nil when this scan already selects columns or appends the
    /// row key.
    package func narrowed(to columns: [Int]) -> IndexScanOperator? {
        guard self.columns == nil, !includeKey, columns.allSatisfy(table.columns.indices.contains) else { return nil }
        return IndexScanOperator(table: table, index: index, range: range, columns: columns, indexOnly: indexOnly)
    }

    package func open(_ context: ExecutionContext) throws {
        let prefix = ObjectKey.prefix(index.id)
        finished = false
        if let bounds = try range.bounds(prefix: prefix, types: indexTypes, descending: indexDescending, context) {
            (lower, upper) = bounds
        } else {
            finished = true
        }
    }

    /// Where each output column of an index-only scan comes from: `i >= 0` index column i of the entry,
    /// `-2 - j` primary key column j, -1 none (NULL: a column the planner knows nothing reads).
    private static func entrySources(_ table: TableDescriptor, _ index: IndexDescriptor, _ logical: [Int]) -> [Int] {
        logical.map { c in
            if let i = index.columns.firstIndex(where: { $0.column == c }) { return i }
            if table.hasRowID { return -1 }
            return table.primaryKey.firstIndex(of: c).map { -2 - $0 } ?? -1
        }
    }

    /// The decoder of this scan's entries into output rows (`indexOnly`).
    func entryReader() -> IndexEntryReader {
        IndexEntryReader(indexPrefixLength: ObjectKey.prefixLength(index.id), width: width, sources: sources,
                         needsPrimaryKey: needsPrimaryKey, decodedTypes: decodedTypes, decodedDescending: decodedDescending,
                         indexDescending: indexDescending, skippedDescending: skippedDescending,
                         primaryKeyTypes: primaryKeyTypes, primaryKeyDescending: primaryKeyAscending,
                         integerEntries: integerEntries)
    }

    /// Rows from index entries alone (`indexOnly`).
    func nextFromEntries(_ context: ExecutionContext) throws -> RowBatch? {
        var reader = entryReader()
        while !finished {
            var batch = RowBatch(width: width, reservingRows: 16)
            var last: [UInt8]?
            var stopped = false
            try context.manager.scan(context.transaction, .tables, lower: lower, upper: upper, reverse: false) { key, value in
                try reader.append(key: key, value: value, to: &batch)
                if batch.count >= RowBatch.preferredSize {
                    last = Array(key)
                    stopped = true
                    return false
                }
                return true
            }
            if stopped, let last { lower = last + [0] } else { finished = true }
            if !batch.isEmpty { return batch }
        }
        return nil
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        if indexOnly { return try nextFromEntries(context) }
        while !finished {
            // Row keys of up to one batch of entries; rows are fetched after the scan (a scan callback
            // must not call back into the transaction layer).
            var rowKeys: [[UInt8]] = []
            var last: [UInt8]?
            let tablePrefix = ObjectKey.prefix(table.id)
            let indexPrefixLength = ObjectKey.prefixLength(index.id)
            let count = index.columns.count
            let descending = indexDescending
            var stopped = false
            try context.manager.scan(context.transaction, .tables, lower: lower, upper: upper, reverse: false) { key, value in
                if value.count > 0 {
                    rowKeys.append(tablePrefix + Array(value))
                } else {
                    var decoder = KeyDecoder(Array(key[indexPrefixLength...]))
                    for i in 0..<count { _ = try decoder.next(descending: descending[i]) }
                    rowKeys.append(tablePrefix + Array(decoder.bytes[decoder.offset...]))
                }
                if rowKeys.count >= RowBatch.preferredSize {
                    last = Array(key)
                    stopped = true
                    return false
                }
                return true
            }
            if stopped, let last { lower = last + [0] } else { finished = true }
            var batch = RowBatch(width: width, reservingRows: rowKeys.count)
            for rowKey in rowKeys {
                let found = try context.manager.visit(context.transaction, .tables, rowKey) { bytes in
                    if width == 0 {
                        batch.appendEmptyRow()
                    } else {
                        try batch.appendDecoded(bytes, types: physicalTypes, wanted: wantedPhysical,
                                                key: includeKey ? rowKey : nil)
                    }
                }
                _ = found   // an entry without its row cannot happen; it is skipped defensively
            }
            if !batch.isEmpty { return batch }
        }
        return nil
    }

    package func close() {}
    package var explainLabel: String { "Index Scan using \(index.name) on \(table.name)" + (indexOnly ? " (index only)" : "") }
    package var children: [any Operator] { [] }
}
