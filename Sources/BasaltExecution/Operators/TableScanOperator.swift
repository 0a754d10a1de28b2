import BasaltStorage
import BasaltTransactions

/// Reads a table's rows in primary key order (insertion order for row-id tables) as the transaction
/// sees them, optionally within a primary key range, a batch at a time: each `next` runs one bounded
/// scan of the transaction layer and resumes after the last key it saw.
///
/// Output: the table's columns in logical order, or only `columns` when given; with `includeKey`, the
/// row key as one more BLOB column at the end (for UPDATE and DELETE).
package final class TableScanOperator: Operator {
    package let table: TableDescriptor
    let range: KeyRange
    let columns: [Int]?
    let includeKey: Bool
    package let width: Int
    let physicalTypes: [SQLType]
    let wantedPhysical: [Int]
    var lower: [UInt8] = []
    var upper: [UInt8] = []
    var finished = false
    /// Set when the range fixes every primary key column: one point read instead of a scan.
    var pointKey: [UInt8]?

    /// `read`: the logical columns anything downstream reads (nil: all); the others keep their place
    /// in the output but are NULL and never decoded.
    package init(table: TableDescriptor, range: KeyRange = KeyRange(), columns: [Int]? = nil, includeKey: Bool = false,
                 read: Set<Int>? = nil) {
        self.table = table
        self.range = range
        self.columns = columns
        self.includeKey = includeKey
        let logical = columns ?? Array(table.columns.indices)
        self.width = logical.count + (includeKey ? 1 : 0)
        self.physicalTypes = table.physicalTypes
        self.wantedPhysical = logical.map { read == nil || read!.contains($0) ? table.columns[$0].physical : RowCodec.unread }
    }

    /// The same scan producing only the given logical columns (in that order), so a projection of plain
    /// columns needs no operator of its own; nil when this scan already selects columns or appends the
    /// row key.
    package func narrowed(to columns: [Int]) -> TableScanOperator? {
        guard self.columns == nil, !includeKey, columns.allSatisfy(table.columns.indices.contains) else { return nil }
        return TableScanOperator(table: table, range: range, columns: columns)
    }

    /// The same scan with the same output layout, decoding only the logical columns in `read` (the
    /// others are NULL); nil when this scan already selects columns or appends the row key.
    package func reading(only read: Set<Int>) -> TableScanOperator? {
        guard columns == nil, !includeKey else { return nil }
        return TableScanOperator(table: table, range: range, read: read)
    }

    package func open(_ context: ExecutionContext) throws {
        let prefix = ObjectKey.prefix(table.id)
        finished = false
        if range.isFull || table.hasRowID {
            lower = prefix
            upper = ObjectKey.upperBound(prefix)
        } else if let bounds = try range.bounds(prefix: prefix, types: table.primaryKey.map { table.columns[$0].type },
                                                descending: table.primaryKey.map { _ in false }, context) {
            (lower, upper) = bounds
        } else {
            finished = true
        }
        pointKey = nil
        if !finished, !table.hasRowID, range.equal.count == table.primaryKey.count, range.lower == nil, range.upper == nil {
            pointKey = lower
        }
    }

    /// The row under `pointKey`, if visible.
    func pointRead(_ key: [UInt8], _ context: ExecutionContext) throws -> RowBatch? {
        finished = true
        var batch = RowBatch(width: width, reservingRows: 1)
        var scratch: [SQLValue] = []
        let found = try context.manager.visit(context.transaction, .tables, key) { value in
            if width > 0 {
                try RowCodec.decodeColumns(value, types: physicalTypes, wanted: wantedPhysical, into: &scratch)
            }
        }
        guard found else { return nil }
        if includeKey { scratch.append(.blob(key)) }
        if width == 0 { batch.appendEmptyRow() } else { batch.append(row: scratch) }
        return batch
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        guard !finished else { return nil }
        if let pointKey { return try pointRead(pointKey, context) }
        // Reserve for a few rows: the batch grows by doubling, and most ranges are short.
        var batch = RowBatch(width: width, reservingRows: 16)
        let limit = RowBatch.preferredSize
        var last: [UInt8]?
        let wanted = wantedPhysical
        let types = physicalTypes
        let includeKey = self.includeKey
        let width = self.width
        let stoppedEarly = try scanChunk(context) { key, value in
            if width == 0 {
                batch.appendEmptyRow()
            } else {
                try batch.appendDecoded(value, types: types, wanted: wanted, key: includeKey ? Array(key) : nil)
            }
            if batch.count >= limit {
                last = Array(key)
                return false
            }
            return true
        }
        if stoppedEarly, let last {
            lower = last + [0]
        } else {
            finished = true
        }
        return batch.isEmpty ? nil : batch
    }

    /// One scan over [lower, upper); returns true when `body` stopped it.
    func scanChunk(_ context: ExecutionContext, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws -> Bool {
        var stopped = false
        try context.manager.scan(context.transaction, .tables, lower: lower, upper: upper, reverse: false) { key, value in
            let go = try body(key, value)
            if !go { stopped = true }
            return go
        }
        return stopped
    }

    package func close() {}
    package var explainLabel: String {
        (range.isFull ? "Seq Scan on " : range.equal.count == table.primaryKey.count && range.lower == nil && range.upper == nil
            ? "Primary Key Lookup on " : "Primary Key Range Scan on ") + table.name
    }
    package var children: [any Operator] { [] }
}
