import BasaltStorage
import BasaltTransactions

/// Inner join of `left` with a table whose whole primary key the join fixes: for each left row, one
/// point read of the matching row (SQLite's and every OLTP engine's plan for joining along a foreign
/// key), instead of hashing the whole table. `keys` are expressions over the left row, in primary key
/// order; `residual` filters the joined pairs.
package final class IndexLookupJoinOperator: Operator {
    let left: any Operator
    package let table: TableDescriptor
    let keys: [BoundExpression]
    let residual: BoundExpression?
    let keyTypes: [SQLType]
    let physicalTypes: [SQLType]
    let wantedPhysical: [Int]
    package let width: Int

    package init(left: any Operator, table: TableDescriptor, keys: [BoundExpression], residual: BoundExpression?) {
        precondition(!table.hasRowID && keys.count == table.primaryKey.count)
        self.left = left
        self.table = table
        self.keys = keys
        self.residual = residual
        self.keyTypes = table.primaryKey.map { table.columns[$0].type }
        self.physicalTypes = table.physicalTypes
        self.wantedPhysical = table.columns.map(\.physical)
        self.width = left.width + table.columns.count
    }

    package func open(_ context: ExecutionContext) throws { try left.open(context) }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        while let batch = try left.next(context) {
            let keyColumns = try keys.map { try ExpressionEvaluator.evaluate($0, batch, rows: nil, context) }
            var pairs = RowBatch(width: width, reservingRows: batch.count)
            let prefix = ObjectKey.prefix(table.id)
            var scratch: [SQLValue] = []
            rowLoop: for r in 0..<batch.count {
                var key = prefix
                for k in keys.indices {
                    let v = keyColumns[k][r]
                    // NULL never matches; a value the key type cannot hold exactly matches nothing.
                    guard !v.isNull, let converted = try? v.cast(to: keyTypes[k], explicit: false),
                          SQLValue.compare(converted, v) == 0 else { continue rowLoop }
                    KeyCodec.append(converted, type: keyTypes[k], descending: false, to: &key)
                }
                scratch.removeAll(keepingCapacity: true)
                let found = try context.manager.visit(context.transaction, .tables, key) { value in
                    try RowCodec.decodeColumns(value, types: physicalTypes, wanted: wantedPhysical, into: &scratch)
                }
                guard found else { continue }
                pairs.append(batch.row(r), scratch[...])
            }
            if let residual, !pairs.isEmpty {
                let selected = try ExpressionEvaluator.filter(residual, pairs, context)
                if selected.count != pairs.count { pairs = pairs.selecting(selected) }
            }
            if !pairs.isEmpty { return pairs }
        }
        return nil
    }

    package func close() { left.close() }
    package var explainLabel: String { "Nested Loop Join with Primary Key Lookup on \(table.name)" }
    package var children: [any Operator] { [left] }
}
