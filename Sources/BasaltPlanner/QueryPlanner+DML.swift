import BasaltExecution
import BasaltSQL

extension QueryPlanner {
    /// The scope of a table's own columns (DEFAULT, CHECK, WHERE of UPDATE/DELETE, RETURNING).
    func tableScope(_ table: TableDescriptor, alias: String?) -> Scope {
        Scope(columns: table.columns.map { ScopeColumn(relation: alias ?? table.name, name: $0.name, type: $0.type) },
              parent: nil, level: 0)
    }

    func writableTable(_ name: ObjectName, _ location: SourceLocation) throws -> TableDescriptor {
        if let table = schema.table(name.name) { return table }
        if schema.view(name.name) != nil {
            throw PlanError.at(ExecutionError("55000", "cannot change view \"\(name.name)\"",
                                              hint: "Views are read-only; change the tables they read."), location)
        }
        throw PlanError.undefinedTable(name.name, location)
    }

    /// The bound DEFAULT of column `index` (NULL when none), coerced to the column's type.
    package func defaultValue(_ table: TableDescriptor, _ index: Int) throws -> BoundExpression {
        let column = table.columns[index]
        guard let sql = column.defaultSQL else { return .constant(.null) }
        let e = try Parser.parseExpression(sql)
        let b = try bind(e, Scope(columns: [], parent: nil, level: 0), .plain(clause: "DEFAULT expressions"))
        return try coerce(b, to: column.type).expression
    }

    /// The table's CHECK constraints, bound over its columns.
    package func checks(_ table: TableDescriptor) throws -> [(name: String, expression: BoundExpression)] {
        let scope = tableScope(table, alias: nil)
        return try table.checks.map { check in
            (check.name, try bindCondition(try Parser.parseExpression(check.sql), scope, .plain(clause: "check constraints")))
        }
    }

    func returning(_ items: [SelectItem]?, _ scope: Scope) throws -> ([BoundExpression], [ResultColumn])? {
        guard let items else { return nil }
        var expressions: [BoundExpression] = []
        var columns: [ResultColumn] = []
        for item in items {
            switch item {
            case .wildcard, .qualifiedWildcard:
                for (i, c) in scope.columns.enumerated() {
                    expressions.append(.column(i))
                    columns.append(ResultColumn(name: c.name, type: c.type))
                }
            case .expression(let e, let alias):
                let b = try bind(e, scope, .plain(clause: "RETURNING"))
                expressions.append(b.expression)
                columns.append(ResultColumn(name: alias ?? outputName(e), type: b.type == .unknown ? .text : b.type))
            }
        }
        return (expressions, columns)
    }

    // MARK: INSERT

    package func planInsert(_ statement: InsertStatement) throws -> PlannedQuery {
        var pushed = false
        if let with = statement.with {
            cteFrames.append(Dictionary(uniqueKeysWithValues: with.tables.map {
                ($0.name, CTEDefinition(name: $0.name, columnNames: $0.columns, query: $0.query, recursive: with.recursive))
            }))
            pushed = true
        }
        defer { if pushed { cteFrames.removeLast() } }
        let table = try writableTable(statement.table, statement.location)
        // Target positions, in the order the source supplies them.
        var targets: [Int] = []
        if let names = statement.columns {
            for name in names {
                guard let i = table.columnIndex(name) else {
                    throw PlanError.at(ExecutionError("42703", "column \"\(name)\" of relation \"\(table.name)\" does not exist"), statement.location)
                }
                guard !targets.contains(i) else {
                    throw PlanError.at(ExecutionError("42701", "column \"\(name)\" specified more than once"), statement.location)
                }
                targets.append(i)
            }
        } else {
            targets = Array(table.columns.indices)
        }
        let defaults = try table.columns.indices.map { try defaultValue(table, $0) }
        let empty = Scope(columns: [], parent: nil, level: 0)
        var source: any Operator
        switch statement.source {
        case .defaultValues:
            source = ValuesOperator(width: table.columns.count, rows: [defaults])
        case .values(let rows):
            var bound: [[BoundExpression]] = []
            for row in rows {
                guard row.count <= targets.count else {
                    throw PlanError.at(ExecutionError("42601", "INSERT has more expressions than target columns"), statement.location)
                }
                guard row.count == targets.count || statement.columns == nil else {
                    throw PlanError.at(ExecutionError("42601", "INSERT has more target columns than expressions"), statement.location)
                }
                var full = defaults
                for (k, e) in row.enumerated() {
                    let c = targets[k]
                    if case .defaultValue = e.kind { continue }
                    full[c] = try coerce(try bind(e, empty, .plain(clause: "VALUES")), to: table.columns[c].type).expression
                }
                bound.append(full)
            }
            source = ValuesOperator(width: table.columns.count, rows: bound)
        case .select(let query):
            let planned = try planSelect(query, parent: nil, level: 0)
            guard planned.columns.count <= targets.count else {
                throw PlanError.at(ExecutionError("42601", "INSERT has more expressions than target columns"), statement.location)
            }
            var expressions = defaults
            for k in 0..<planned.columns.count {
                let c = targets[k]
                let b = Bound(expression: .column(k), type: planned.columns[k].type, untyped: planned.columns[k].type == .unknown)
                expressions[c] = try coerce(b, to: table.columns[c].type).expression
            }
            source = ProjectOperator(child: planned.root, expressions: expressions)
        }
        let validator = RowValidator(table: table, checks: try checks(table))
        let scope = tableScope(table, alias: statement.alias)
        var conflict = InsertOperator.ConflictAction.fail
        switch statement.orAction {
        case .replace: conflict = .replace
        case .ignore: conflict = .nothing
        default: break
        }
        var conflictScope = TableStore.ConflictScope.any
        if let onConflict = statement.onConflict, let targets = onConflict.targetColumns, !targets.isEmpty {
            // The target names a unique constraint by its columns (PostgreSQL's inference).
            var positions = Set<Int>()
            for name in targets {
                guard let c = table.columnIndex(name) else {
                    throw PlanError.at(ExecutionError("42703", "column \"\(name)\" does not exist"), statement.location)
                }
                positions.insert(c)
            }
            if !table.hasRowID && Set(table.primaryKey) == positions {
                conflictScope = .primaryKey
            } else if let index = schema.indexes(ofTable: table.id).first(where: { $0.unique && Set($0.columns.map(\.column)) == positions }) {
                conflictScope = .index(index.id)
            } else {
                throw PlanError.at(ExecutionError("42P10", "there is no unique or exclusion constraint matching the ON CONFLICT specification"),
                                   statement.location)
            }
        }
        if let onConflict = statement.onConflict {
            switch onConflict.action {
            case .nothing:
                conflict = .nothing
            case .update(let assignments, let whereClause):
                let excluded = table.columns.map { ScopeColumn(relation: "excluded", name: $0.name, type: $0.type) }
                let both = Scope(columns: scope.columns + excluded, parent: nil, level: 0)
                let bound = try assignments.map { a -> (column: Int, value: BoundExpression) in
                    guard let c = table.columnIndex(a.column) else {
                        throw PlanError.at(ExecutionError("42703", "column \"\(a.column)\" of relation \"\(table.name)\" does not exist"), a.location)
                    }
                    return (c, try coerce(try bind(a.value, both, .plain(clause: "ON CONFLICT")), to: table.columns[c].type).expression)
                }
                let condition = try whereClause.map { try bindCondition($0, both, .plain(clause: "ON CONFLICT")) }
                conflict = .update(assignments: bound, condition: condition)
            }
        }
        let ret = try returning(statement.returning, scope)
        let op = InsertOperator(table: table, source: source, validator: validator, conflict: conflict, returning: ret?.0,
                                scope: conflictScope)
        return PlannedQuery(root: op, columns: ret?.1 ?? [])
    }

    // MARK: UPDATE and DELETE

    /// A scan of `table`'s rows where `whereClause` holds, with the row key as a last column.
    func targetRows(_ table: TableDescriptor, alias: String?, _ whereClause: Expression?) throws -> (any Operator, Scope) {
        let scope = tableScope(table, alias: alias)
        var filters: [BoundExpression] = []
        if let whereClause { split(try bindCondition(whereClause, scope, .plain(clause: "WHERE")), into: &filters) }
        var op = chooseScan(table, filters, includeKey: true).0
        if !filters.isEmpty { op = FilterOperator(child: op, predicate: filters.count == 1 ? filters[0] : .and(filters)) }
        return (op, scope)
    }

    package func planUpdate(_ statement: UpdateStatement) throws -> PlannedQuery {
        guard statement.from.isEmpty else { throw PlanError.notSupported("UPDATE … FROM", statement.location) }
        let table = try writableTable(statement.table, statement.location)
        let (source, scope) = try targetRows(table, alias: statement.alias, statement.whereClause)
        var seen = Set<Int>()
        let assignments = try statement.assignments.map { a -> (column: Int, value: BoundExpression) in
            guard let c = table.columnIndex(a.column) else {
                throw PlanError.at(ExecutionError("42703", "column \"\(a.column)\" of relation \"\(table.name)\" does not exist"), a.location)
            }
            guard seen.insert(c).inserted else {
                throw PlanError.at(ExecutionError("42601", "multiple assignments to same column \"\(a.column)\""), a.location)
            }
            if case .defaultValue = a.value.kind { return (c, try defaultValue(table, c)) }
            return (c, try coerce(try bind(a.value, scope, .plain(clause: "UPDATE")), to: table.columns[c].type).expression)
        }
        let ret = try returning(statement.returning, scope)
        let op = UpdateOperator(table: table, source: source, assignments: assignments,
                                validator: RowValidator(table: table, checks: try checks(table)), returning: ret?.0)
        return PlannedQuery(root: op, columns: ret?.1 ?? [])
    }

    package func planDelete(_ statement: DeleteStatement) throws -> PlannedQuery {
        guard statement.using.isEmpty else { throw PlanError.notSupported("DELETE … USING", statement.location) }
        let table = try writableTable(statement.table, statement.location)
        let (source, scope) = try targetRows(table, alias: statement.alias, statement.whereClause)
        let ret = try returning(statement.returning, scope)
        return PlannedQuery(root: DeleteOperator(table: table, source: source, returning: ret?.0), columns: ret?.1 ?? [])
    }
}
