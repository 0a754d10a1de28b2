/// Rows given as expressions (`VALUES (…), (…)`, or one empty row for a SELECT without FROM),
/// evaluated at each open so parameters and outer references take their current values.
package final class ValuesOperator: Operator {
    package let width: Int
    let rows: [[BoundExpression]]
    var done = false

    /// Whether every value is a constant, a parameter or a cast of one (`constantRows` applies).
    let constantOnly: Bool

    package init(width: Int, rows: [[BoundExpression]]) {
        self.width = width
        self.rows = rows
        constantOnly = width > 0 && rows.allSatisfy { $0.allSatisfy(ExpressionEvaluator.isParameterOrConstant) }
    }

    /// The rows' values, computed without building a batch (a prepared INSERT's VALUES), when every
    /// value is a constant, a parameter or a cast of one; nil otherwise. Same values and errors as
    /// `next`.
    package func constantRows(_ context: ExecutionContext) throws -> [[SQLValue]]? {
        guard constantOnly else { return nil }
        return try rows.map { row in
            try row.map { expression in
                guard let value = try ExpressionEvaluator.parameterOrConstant(expression, context.parameters) else {
                    preconditionFailure("constantOnly admitted an expression parameterOrConstant does not evaluate")
                }
                return value
            }
        }
    }

    package func open(_ context: ExecutionContext) throws { done = false }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        guard !done, !rows.isEmpty else { return nil }
        done = true
        var batch = RowBatch(width: width, reservingRows: rows.count)
        for row in rows {
            if width == 0 {
                batch.appendEmptyRow()
            } else {
                batch.append(row: try row.map { try ExpressionEvaluator.evaluateConstant($0, context) })
            }
        }
        return batch
    }

    package func close() {}
    package var explainLabel: String { rows.count == 1 && width == 0 ? "Result" : "Values (\(rows.count) rows)" }
    package var children: [any Operator] { [] }
}
