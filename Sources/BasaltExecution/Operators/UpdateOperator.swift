/// UPDATE: reads every target row first (the source is a scan with the row key as its last column,
/// filtered by WHERE), then writes each updated row, so an update never revisits a row it moved.
/// Produces the RETURNING rows over the new values.
package final class UpdateOperator: Operator {
    let table: TableDescriptor
    let source: any Operator
    let assignments: [(column: Int, value: BoundExpression)]
    let validator: RowValidator
    let returning: [BoundExpression]?
    var output = MaterializedRows()
    package var width: Int { returning?.count ?? 0 }

    package init(table: TableDescriptor, source: any Operator, assignments: [(column: Int, value: BoundExpression)],
                validator: RowValidator, returning: [BoundExpression]?) {
        self.table = table
        self.source = source
        self.assignments = assignments
        self.validator = validator
        self.returning = returning
    }

    package func open(_ context: ExecutionContext) throws {
        let rows = try source.collect(context)
        let columns = table.columns.count
        // New values for every target row, computed before any write (SET a = b, b = a swaps).
        let values = try assignments.map { try ExpressionEvaluator.evaluate($0.value, rows, rows: nil, context) }
        var out = RowBatch(width: width)
        for r in 0..<rows.count {
            let source = rows.row(r)
            guard case .blob(let key) = source[source.startIndex + columns] else { continue }
            let old = Array(source.prefix(columns))
            var new = old
            for (a, assignment) in assignments.enumerated() { new[assignment.column] = values[a][r] }
            new = try validator.validate(new, context)
            try TableStore.update(context, table, key: key, old: old, new: new)
            context.changedRows += 1
            if let returning {
                out.append(row: try returning.map { try ExpressionEvaluator.evaluate($0, row: new, context) })
            }
        }
        output.set(out)
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? { output.next() }

    package func close() { output.clear() }
    package var explainLabel: String { "Update on \(table.name)" }
    package var children: [any Operator] { [source] }
}
