/// Rows given as expressions (`VALUES (…), (…)`, or one empty row for a SELECT without FROM),
/// evaluated at each open so parameters and outer references take their current values.
package final class ValuesOperator: Operator {
    package let width: Int
    let rows: [[BoundExpression]]
    var done = false

    /// Whether every value is a constant, a parameter or a cast of one (`constantRow` applies).
    let constantOnly: Bool

    package init(width: Int, rows: [[BoundExpression]]) {
        self.width = width
        self.rows = rows
        constantOnly = width > 0 && rows.allSatisfy { $0.allSatisfy(ExpressionEvaluator.isParameterOrConstant) }
    }

    /// Row `r`'s values, computed without building a batch (a prepared INSERT's VALUES), when
    /// `constantOnly` holds; same values and errors as `next`. A fresh array, so a caller that
    /// consumes it owns it uniquely and can change it in place.
    package func constantRow(_ r: Int, _ context: ExecutionContext) throws -> [SQLValue] {
        precondition(constantOnly, "constantRow of VALUES with expressions that need evaluation")
        let expressions = rows[r]
        var row: [SQLValue] = []
        row.reserveCapacity(expressions.count)
        for expression in expressions {
            guard let value = try ExpressionEvaluator.parameterOrConstant(expression, context.parameters) else {
                preconditionFailure("constantOnly admitted an expression parameterOrConstant does not evaluate")
            }
            row.append(value)
        }
        return row
    }

    /// The number of VALUES rows.
    package var rowCount: Int { rows.count }

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
