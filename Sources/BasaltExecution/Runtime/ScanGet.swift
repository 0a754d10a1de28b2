import BasaltStorage
import BasaltTransactions

/// A query that reads one short key range — `SELECT id, k, v FROM t WHERE id >= $1 AND id < $2` by
/// primary key, or `SELECT id FROM t WHERE k = $1` from an index alone — recognised in a finished plan
/// so that an autocommit run can skip the transaction and operator machinery, as `PointGet` does for a
/// single row: bounds from the parameters, one scan at the newest visible state in one hold of the
/// engine lock (`TransactionManager.scanLatest`), a table's rows kept encoded in one buffer
/// (`EncodedRowBatch`), an index's entries decoded straight into one batch. A range with
/// more than `limit` rows is left to the plan, which the caller then runs as usual.
///
/// Recognised shapes: a `TableScanOperator` over a primary key range (not a full scan, not a row-id
/// table, no row key output) or an index-only `IndexScanOperator`, whose bounds are constants or
/// parameters, alone or under a `ProjectOperator` of plain column references. Anything else (filters,
/// limits, sorts, joins, expressions) is not a scan get.
/// A class: a cached plan hands it to every execution (see `PointGet`).
package final class ScanGet {
    /// The most rows a scan get returns: one chunk of `TransactionManager.scan`, which bounds how long
    /// it holds the engine lock.
    package static let limit = TransactionManager.scanChunk

    private enum Source {
        case table(TableScanOperator)
        case index(IndexScanOperator)
    }

    private let source: Source
    /// Positions in the scan's output of each result column (nil: all, in order).
    private let output: [Int]?
    /// The scanned tree's key prefix and key column types and directions, fixed per plan.
    private let prefix: [UInt8]
    private let keyTypes: [SQLType]
    private let keyDescending: [Bool]

    /// An empty batch of a table scan's result rows (their types and stored columns worked out once).
    private let noRows: EncodedRowBatch

    /// The rows of one run: a table range's rows still encoded, an index range's decoded.
    package enum Answer {
        case encoded(EncodedRowBatch)
        case values(RowBatch)
    }

    private init(source: Source, output: [Int]?) {
        self.source = source
        self.output = output
        switch source {
        case .table(let scan):
            let table = scan.table
            noRows = EncodedRowBatch(types: scan.physicalTypes,
                                     wanted: output.map { $0.map { scan.wantedPhysical[$0] } } ?? scan.wantedPhysical)
            prefix = ObjectKey.prefix(table.id)
            keyTypes = table.primaryKey.map { table.columns[$0].type }
            keyDescending = table.primaryKey.map { _ in false }
        case .index(let scan):
            noRows = EncodedRowBatch(types: [], wanted: [])   // unused: index entries are decoded
            prefix = ObjectKey.prefix(scan.index.id)
            keyTypes = scan.indexTypes
            keyDescending = scan.indexDescending
        }
    }

    /// The scan get `root` performs, if it is one.
    package static func recognize(_ root: any Operator) -> ScanGet? {
        var output: [Int]?
        var scan: any Operator = root
        if let project = root as? ProjectOperator {
            guard let columns = project.columns else { return nil }
            scan = project.child
            output = project.isIdentity ? nil : columns
        }
        if let table = scan as? TableScanOperator {
            guard !table.table.hasRowID, !table.includeKey, !table.range.isFull, table.range.isParameterized else { return nil }
            return ScanGet(source: .table(table), output: output)
        }
        if let index = scan as? IndexScanOperator {
            guard index.indexOnly, !index.includeKey, index.range.isParameterized else { return nil }
            return ScanGet(source: .index(index), output: output)
        }
        return nil
    }

    /// The result rows for `parameters` at the newest visible state, or nil when the range holds more
    /// than `limit` rows (run the plan instead). Throws 08P01 for a missing parameter, the casts' errors
    /// for a bound that cannot be converted, and `TransactionError` for a storage failure.
    package func rows(_ manager: TransactionManager, _ parameters: [SQLValue]) throws -> Answer? {
        switch source {
        case .table(let scan):
            // Rows stay encoded until the caller reads their columns (see `EncodedRowBatch`).
            var rows = noRows
            guard let (lower, upper) = try scan.range.bounds(prefix: prefix, types: keyTypes, descending: keyDescending,
                                                             parameters: parameters)
            else { return .encoded(rows) }
            let complete = try lower.withUnsafeBytes { lo in
                try upper.withUnsafeBytes { hi in
                    try manager.scanLatest(.tables, lower: lo, upper: hi, limit: Self.limit) { _, value in
                        try rows.append(value)
                    }
                }
            }
            return complete ? .encoded(rows) : nil
        case .index(let scan):
            guard let (lower, upper) = try scan.range.bounds(prefix: prefix, types: keyTypes, descending: keyDescending,
                                                             parameters: parameters)
            else { return .values(project(RowBatch(width: scan.width))) }
            var batch = RowBatch(width: scan.width, reservingRows: 16)
            var reader = scan.entryReader()
            let complete = try lower.withUnsafeBytes { lo in
                try upper.withUnsafeBytes { hi in
                    try manager.scanLatest(.tables, lower: lo, upper: hi, limit: Self.limit) { key, value in
                        try reader.append(key: key, value: value, to: &batch)
                    }
                }
            }
            return complete ? .values(project(batch)) : nil
        }
    }

    /// `batch` narrowed to the result columns.
    private func project(_ batch: RowBatch) -> RowBatch {
        guard let output else { return batch }
        var out = RowBatch(width: output.count, reservingRows: batch.count)
        for r in 0..<batch.count {
            if output.isEmpty {
                out.appendEmptyRow()
            } else {
                let row = batch.row(r)
                out.append(row: output.lazy.map { row[row.startIndex + $0] })   // no array per row
            }
        }
        return out
    }
}
