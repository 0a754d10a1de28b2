/// Converts a candidate row to its table's column types and checks NOT NULL and CHECK constraints:
/// the step every INSERT and UPDATE takes before writing.
package struct RowValidator {
    package let table: TableDescriptor
    /// CHECK constraints bound over the table's columns (logical order).
    package let checks: [(name: String, expression: BoundExpression)]

    package init(table: TableDescriptor, checks: [(name: String, expression: BoundExpression)]) {
        self.table = table
        self.checks = checks
    }

    /// The row with each value assigned to its column's type; throws 23502, 23514, 22001, 22003, 22P02.
    package func validate(_ row: consuming [SQLValue], _ context: ExecutionContext) throws -> [SQLValue] {
        var out = row
        for (i, column) in table.columns.enumerated() {
            if out[i].isNull {
                if column.notNull || table.primaryKey.contains(i) {
                    throw ExecutionError("23502",
                                         "null value in column \"\(column.name)\" of relation \"\(table.name)\" violates not-null constraint",
                                         context: ["table": table.name, "column": column.name])
                }
                continue
            }
            do {
                out[i] = try out[i].checkAssignable(to: column.type)
            } catch {
                var located = error
                located.context["column"] = column.name
                located.context["table"] = table.name
                throw located
            }
        }
        for check in checks {
            let result = try ExpressionEvaluator.evaluate(check.expression, row: out, context)
            if case .boolean(false) = ExpressionEvaluator.truth(result) {
                throw ExecutionError("23514",
                                     "new row for relation \"\(table.name)\" violates check constraint \"\(check.name)\"",
                                     context: ["table": table.name, "constraint": check.name])
            }
        }
        return out
    }
}
