/// Converts a candidate row to its table's column types and checks NOT NULL and CHECK constraints:
/// the step every INSERT and UPDATE takes before writing.
package struct RowValidator {
    package let table: TableDescriptor
    /// CHECK constraints bound over the table's columns (logical order).
    package let checks: [(name: String, expression: BoundExpression)]

    /// Each column's type, and whether it rejects NULL (NOT NULL or part of the primary key): read per
    /// row without copying the column descriptors (names and all) out of the table.
    private let types: [SQLType]
    private let required: [Bool]

    package init(table: TableDescriptor, checks: [(name: String, expression: BoundExpression)]) {
        self.table = table
        self.checks = checks
        types = table.columns.map(\.type)
        required = table.columns.indices.map { table.columns[$0].notNull || table.primaryKey.contains($0) }
    }

    /// Whether `value` already is what assigning (or casting) it to `type` yields, so the row can keep
    /// it: the common case of a parameter bound with the column's own type.
    @inline(__always)
    static func fits(_ value: SQLValue, _ type: SQLType) -> Bool {
        switch (value, type) {
        case (.integer, .bigint), (.text, .text), (.double, .double), (.boolean, .boolean): return true
        case (.integer(let v), .integer): return v >= Int64(Int32.min) && v <= Int64(Int32.max)
        default: return false
        }
    }

    /// The row with each value assigned to its column's type; throws 23502, 23514, 22001, 22003, 22P02.
    package func validate(_ row: consuming [SQLValue], _ context: ExecutionContext) throws -> [SQLValue] {
        var out = row
        for i in types.indices {
            if Self.fits(out[i], types[i]) { continue }
            if out[i].isNull {
                guard required[i] else { continue }
                let column = table.columns[i]
                throw ExecutionError("23502",
                                     "null value in column \"\(column.name)\" of relation \"\(table.name)\" violates not-null constraint",
                                     context: ["table": table.name, "column": column.name])
            }
            do {
                out[i] = try out[i].checkAssignable(to: types[i])
            } catch {
                var located = error
                located.context["column"] = table.columns[i].name
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
