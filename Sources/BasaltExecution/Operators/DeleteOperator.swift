/// DELETE: reads every target row first (a scan with the row key as its last column, filtered by
/// WHERE), then deletes them. Produces the RETURNING rows over the deleted values.
package final class DeleteOperator: Operator {
    let table: TableDescriptor
    let source: any Operator
    let returning: [BoundExpression]?
    var output = MaterializedRows()
    package var width: Int { returning?.count ?? 0 }

    package init(table: TableDescriptor, source: any Operator, returning: [BoundExpression]?) {
        self.table = table
        self.source = source
        self.returning = returning
    }

    package func open(_ context: ExecutionContext) throws {
        let rows = try source.collect(context)
        let columns = table.columns.count
        var out = RowBatch(width: width)
        for r in 0..<rows.count {
            let source = rows.row(r)
            guard case .blob(let key) = source[source.startIndex + columns] else { continue }
            let old = Array(source.prefix(columns))
            // A cascade from an earlier row of this statement may have deleted it already.
            guard try TableStore.fetch(context, table, key: key) != nil else { continue }
            try TableStore.delete(context, table, key: key, row: old)
            context.changedRows += 1
            if let returning {
                out.append(row: try returning.map { try ExpressionEvaluator.evaluate($0, row: old, context) })
            }
        }
        output.set(out)
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? { output.next() }

    package func close() { output.clear() }
    package var explainLabel: String { "Delete on \(table.name)" }
    package var children: [any Operator] { [source] }
}
