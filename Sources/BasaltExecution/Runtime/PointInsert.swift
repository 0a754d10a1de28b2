import BasaltStorage

/// An INSERT of VALUES rows made only of constants and parameters, failing on conflicts and returning
/// nothing — `INSERT INTO t(a, b) VALUES ($1, $2)` — recognised in a finished plan so that a prepared
/// statement's executions skip the operator machinery: no statement runner, no batches, no result
/// buffer; each row is validated and written exactly as `InsertOperator` does (`TableStore.insert`,
/// with its locks, unique checks, index entries and foreign keys).
///
/// Anything else (ON CONFLICT, RETURNING, INSERT … SELECT, expressions in VALUES) is not a point insert.
/// A class: a cached plan hands it to every execution, and a struct would copy its table descriptor
/// and validator (dozens of references) each time.
package final class PointInsert {
    let table: TableDescriptor
    let validator: RowValidator
    let values: ValuesOperator

    /// The point insert `root` performs, if it is one.
    package static func recognize(_ root: any Operator) -> PointInsert? {
        guard let insert = root as? InsertOperator, case .fail = insert.conflict, insert.returning == nil,
              let values = insert.source as? ValuesOperator, values.constantOnly else { return nil }
        return PointInsert(table: insert.table, validator: insert.validator, values: values)
    }

    /// Whether running evaluates any expression beyond constants and parameters (CHECK constraints),
    /// which could read the statement's clock. Stored: every execution reads it, from another module,
    /// where a computed property is a call.
    package let evaluatesExpressions: Bool

    private init(table: TableDescriptor, validator: RowValidator, values: ValuesOperator) {
        self.table = table
        self.validator = validator
        self.values = values
        evaluatesExpressions = !validator.checks.isEmpty
    }

    /// Inserts the rows with `parameters` (not `context`'s, which a reused context does not update)
    /// and returns how many it inserted; leaves `context.changedRows` alone. Throws what
    /// `InsertOperator` throws for the same rows (08P01 for a missing parameter, 23502, 23505, 23503,
    /// 23514, 22xxx for values the columns cannot hold, and transaction errors).
    package func run(_ context: ExecutionContext, parameters: [SQLValue]) throws -> Int {
        if let row = try values.parameterRow(parameters) {
            try TableStore.insert(context, table, validator.validate(row, context))
            return 1
        }
        for r in 0..<values.rowCount {
            let row = try values.constantRow(r, parameters)
            try TableStore.insert(context, table, validator.validate(row, context))
        }
        return values.rowCount
    }
}
