import BasaltStorage

/// INSERT: validates and writes each row of `source` (the table's columns in logical order, defaults
/// already filled in), handling conflicts as ON CONFLICT / INSERT OR … asks, and produces the RETURNING
/// rows (nothing without RETURNING). The source is read completely before the first write, so
/// `INSERT INTO t SELECT … FROM t` never sees its own rows.
package final class InsertOperator: Operator {
    /// What to do with a row that conflicts with an existing primary key or unique entry.
    package enum ConflictAction {
        /// Fail with 23505 (the default).
        case fail
        /// Skip the row (ON CONFLICT DO NOTHING, INSERT OR IGNORE).
        case nothing
        /// Update the existing row: assignments and an optional WHERE over (existing row ‖ proposed row).
        case update(assignments: [(column: Int, value: BoundExpression)], condition: BoundExpression?)
        /// Delete the conflicting rows, then insert (SQLite's INSERT OR REPLACE).
        case replace
    }

    let table: TableDescriptor
    let source: any Operator
    let validator: RowValidator
    let conflict: ConflictAction
    let returning: [BoundExpression]?
    /// The constraint ON CONFLICT names (`.any` when it names none).
    let scope: TableStore.ConflictScope
    var output = MaterializedRows()
    package var width: Int { returning?.count ?? 0 }

    package init(table: TableDescriptor, source: any Operator, validator: RowValidator, conflict: ConflictAction,
                returning: [BoundExpression]?, scope: TableStore.ConflictScope = .any) {
        self.scope = scope
        self.table = table
        self.source = source
        self.validator = validator
        self.conflict = conflict
        self.returning = returning
    }

    package func open(_ context: ExecutionContext) throws {
        // VALUES of constants and parameters are evaluated directly, without batches.
        let constantValues = (source as? ValuesOperator).flatMap { $0.constantOnly ? $0 : nil }
        let rows = constantValues == nil ? try source.collect(context) : RowBatch(width: source.width)
        var out = RowBatch(width: width)
        // Rows this statement inserted or updated: DO UPDATE must not change one twice (21000).
        var touched = Set<[UInt8]>()
        for r in 0..<(constantValues?.rowCount ?? rows.count) {
            let row = try validator.validate(constantValues?.constantRow(r, context.parameters) ?? Array(rows.row(r)), context)
            var written: [SQLValue]? = row
            switch conflict {
            case .fail:
                try TableStore.insert(context, table, row)
            case .nothing:
                if !(try TableStore.insert(context, table, row, skipConflicts: scope)) { written = nil }
            case .replace:
                while let (key, existing) = try conflicting(row, context) {
                    try TableStore.delete(context, table, key: key, row: existing)
                }
                try TableStore.insert(context, table, row)
            case .update(let assignments, let condition):
                if try TableStore.insert(context, table, row, skipConflicts: scope) {
                    if !table.hasRowID { touched.insert(TableStore.rowKey(table, row)) }
                    break
                }
                guard let (key, existing) = try conflicting(row, context) else {
                    throw ExecutionError("23505", "duplicate key value violates a unique constraint of \"\(table.name)\"")
                }
                guard touched.insert(key).inserted else {
                    throw ExecutionError("21000", "ON CONFLICT DO UPDATE command cannot affect row a second time",
                                         hint: "Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
                }
                let combined = existing + row
                if let condition {
                    let keep = try ExpressionEvaluator.evaluate(condition, row: combined, context)
                    guard case .boolean(true) = ExpressionEvaluator.truth(keep) else { written = nil; break }
                }
                var updated = existing
                for (column, value) in assignments {
                    updated[column] = try ExpressionEvaluator.evaluate(value, row: combined, context)
                }
                updated = try validator.validate(updated, context)
                let newKey = try TableStore.update(context, table, key: key, old: existing, new: updated)
                touched.insert(newKey)
                written = updated
            }
            guard let written else { continue }
            context.changedRows += 1
            if let returning {
                out.append(row: try returning.map { try ExpressionEvaluator.evaluate($0, row: written, context) })
            }
        }
        output.set(out)
    }

    /// The existing row `row` conflicts with (same primary key, or same values in a unique index).
    func conflicting(_ row: [SQLValue], _ context: ExecutionContext) throws -> ([UInt8], [SQLValue])? {
        if !table.hasRowID, scope.covers(nil) {
            let key = TableStore.rowKey(table, row)
            if let existing = try TableStore.fetch(context, table, key: key) { return (key, existing) }
        }
        for index in context.schema.indexes(ofTable: table.id) where index.unique && scope.covers(index.id) {
            let entry = TableStore.indexEntry(index, table, row, rowKey: ObjectKey.prefix(table.id))
            guard entry.unique else { continue }
            if let suffix = try context.manager.get(context.transaction, .tables, entry.key, { Array($0) }) {
                let key = ObjectKey.prefix(table.id) + suffix
                if let existing = try TableStore.fetch(context, table, key: key) { return (key, existing) }
            }
        }
        return nil
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? { output.next() }

    package func close() { output.clear() }
    package var explainLabel: String { "Insert on \(table.name)" }
    package var children: [any Operator] { [source] }
}
