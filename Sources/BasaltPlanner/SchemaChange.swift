import BasaltExecution
import BasaltSQL

/// What a DDL statement does: the schema after it, and the data work the executor must do in the same
/// transaction (build an index from existing rows, delete a dropped object's rows).
package struct SchemaChange {
    package var schema: Schema
    /// Indexes to fill from their table's existing rows.
    package var buildIndexes: [IndexDescriptor] = []
    /// Objects (tables and indexes) whose stored rows must be deleted.
    package var dropObjects: [UInt32] = []
    /// Tables that must be empty for the change (a NOT NULL column added without a default).
    package var requireEmpty: [String] = []
    /// Columns added with a DEFAULT: existing rows get the default (table name, column index).
    package var fillDefaults: [(table: String, column: Int)] = []
    /// CHECK constraints added to existing tables: every existing row must satisfy them.
    package var validateChecks: [String] = []
    /// A notice for IF [NOT] EXISTS no-ops, as PostgreSQL gives.
    package var notice: String?
    /// CREATE TABLE … AS: the query whose rows fill the new table.
    package var fillQuery: SelectStatement?
}

extension QueryPlanner {
    /// Applies a DDL statement to `schema`; throws the PostgreSQL error for invalid definitions.
    package func schemaChange(_ statement: Statement) throws -> SchemaChange {
        var change = SchemaChange(schema: schema)
        switch statement {
        case .createTable(let s): try createTable(s, &change)
        case .dropTable(let s): try dropTables(s, &change)
        case .createIndex(let s): try createIndex(s, &change)
        case .dropIndex(let s):
            for name in s.names {
                guard let index = change.schema.index(name.name) else {
                    if s.ifExists { change.notice = "index \"\(name.name)\" does not exist, skipping"; continue }
                    throw ExecutionError("42704", "index \"\(name.name)\" does not exist")
                }
                if index.isConstraint {
                    throw ExecutionError("2BP01", "cannot drop index \(index.name) because constraint \(index.name) on table \(index.tableName) requires it",
                                         hint: "You can drop the constraint with ALTER TABLE instead.")
                }
                change.schema.removeIndex(index.name)
                change.dropObjects.append(index.id)
            }
        case .createView(let s):
            let name = s.name.name
            if change.schema.view(name) != nil && !s.orReplace {
                if s.ifNotExists { change.notice = "relation \"\(name)\" already exists, skipping"; return change }
                throw ExecutionError("42P07", "relation \"\(name)\" already exists")
            }
            if change.schema.table(name) != nil { throw ExecutionError("42P07", "relation \"\(name)\" already exists") }
            // Validate by planning it now.
            _ = try planQuery(s.query)
            change.schema.setView(ViewDescriptor(name: name, sql: String(describing: Statement.select(s.query)), columnNames: s.columns))
        case .dropView(let s):
            for name in s.names {
                if change.schema.table(name.name) != nil {
                    throw ExecutionError("42809", "\"\(name.name)\" is not a view", hint: "Use DROP TABLE to remove a table.")
                }
                guard change.schema.view(name.name) != nil else {
                    if s.ifExists { change.notice = "view \"\(name.name)\" does not exist, skipping"; continue }
                    throw ExecutionError("42P01", "view \"\(name.name)\" does not exist")
                }
                change.schema.removeView(name.name)
            }
        case .alterTable(let s): try alterTable(s, &change)
        default:
            throw ExecutionError("XX000", "not a schema change")
        }
        switch statement {
        case .dropTable(let s): try checkViews(&change, cascade: s.behavior == .cascade, what: "table")
        case .dropView(let s): try checkViews(&change, cascade: s.behavior == .cascade, what: "view")
        case .alterTable: try checkViews(&change, cascade: false, what: "table")
        default: break
        }
        return change
    }

    /// Views are stored as SQL text; after a change that removes or renames what they read, each must
    /// still plan. One that does not depends on what changed: 2BP01, or with CASCADE it is dropped too.
    func checkViews(_ change: inout SchemaChange, cascade: Bool, what: String) throws {
        var changed = true
        while changed {
            changed = false
            for view in change.schema.views.values.sorted(by: { $0.name < $1.name }) {
                let planner = QueryPlanner(schema: change.schema, functions: functions, options: options)
                do {
                    _ = try planner.planQuery(try parseViewQuery(view))
                } catch {
                    guard cascade else {
                        throw ExecutionError("2BP01", "cannot change or drop the \(what) because other objects depend on it",
                                             detail: "view \(view.name) depends on it",
                                             hint: "Use DROP ... CASCADE to drop the dependent objects too.")
                    }
                    change.schema.removeView(view.name)
                    changed = true
                }
            }
        }
    }

    func createTable(_ s: CreateTableStatement, _ change: inout SchemaChange) throws {
        let name = s.name.name
        if change.schema.table(name) != nil || change.schema.view(name) != nil {
            if s.ifNotExists { change.notice = "relation \"\(name)\" already exists, skipping"; return }
            throw ExecutionError("42P07", "relation \"\(name)\" already exists")
        }
        var columns: [ColumnDescriptor] = []
        var definitions = s.columns
        var queryTypes: [SQLType] = []
        if let query = s.asQuery {
            let planned = try planQuery(query)
            definitions = planned.columns.map { ColumnDefinition(name: $0.name, type: TypeName(name: "text"), constraints: []) }
            queryTypes = planned.columns.map { $0.type == .unknown ? .text : $0.type }
            change.fillQuery = query
        }
        guard !definitions.isEmpty else { throw ExecutionError("42601", "a table needs at least one column") }
        var primaryKey: [Int] = []
        var primaryKeyName: String?
        var checks: [CheckConstraint] = []
        var uniques: [(String?, [Int])] = []
        var foreignKeys: [(String?, [Int], ForeignKeyReference)] = []
        for (i, d) in definitions.enumerated() {
            guard !columns.contains(where: { $0.name == d.name }) else {
                throw ExecutionError("42701", "column \"\(d.name)\" specified more than once")
            }
            let type = s.asQuery != nil ? queryTypes[i] : try resolveType(d.type)
            var column = ColumnDescriptor(name: d.name, type: type, physical: i)
            for c in d.constraints {
                switch c.kind {
                case .primaryKey:
                    guard primaryKey.isEmpty else { throw ExecutionError("42P16", "multiple primary keys for table \"\(name)\" are not allowed") }
                    primaryKey = [i]
                    primaryKeyName = c.name
                    column.notNull = true
                case .notNull: column.notNull = true
                case .null: break
                case .unique: uniques.append((c.name, [i]))
                case .defaultValue(let e):
                    column.defaultSQL = String(describing: e)
                case .check(let e):
                    checks.append(CheckConstraint(name: c.name ?? "\(name)_\(d.name)_check", sql: String(describing: e)))
                case .references(let ref):
                    foreignKeys.append((c.name, [i], ref))
                }
            }
            columns.append(column)
        }
        func positions(_ names: [String]) throws -> [Int] {
            try names.map { n in
                guard let i = columns.firstIndex(where: { $0.name == n }) else {
                    throw ExecutionError("42703", "column \"\(n)\" named in key does not exist")
                }
                return i
            }
        }
        for c in s.constraints {
            switch c.kind {
            case .primaryKey(let names):
                guard primaryKey.isEmpty else { throw ExecutionError("42P16", "multiple primary keys for table \"\(name)\" are not allowed") }
                primaryKey = try positions(names)
                primaryKeyName = c.name
                for p in primaryKey { columns[p].notNull = true }
            case .unique(let names): uniques.append((c.name, try positions(names)))
            case .check(let e):
                checks.append(CheckConstraint(name: c.name ?? "\(name)_check\(checks.count == 0 ? "" : String(checks.count))", sql: String(describing: e)))
            case .foreignKey(let names, let ref): foreignKeys.append((c.name, try positions(names), ref))
            }
        }
        let id = change.schema.allocateObjectID()
        var table = TableDescriptor(id: id, name: name, columns: columns, primaryKey: primaryKey,
                                    primaryKeyName: primaryKeyName ?? "\(name)_pkey")
        table.checks = checks
        // Foreign keys: the referenced columns must be the referenced table's primary key or unique.
        for (constraintName, cols, ref) in foreignKeys {
            let parentName = ref.table.name
            let parent = parentName == name ? table : change.schema.table(parentName)
            guard let parent else { throw ExecutionError("42P01", "relation \"\(parentName)\" does not exist") }
            var refColumns = ref.columns
            if refColumns.isEmpty {
                guard !parent.primaryKey.isEmpty else {
                    throw ExecutionError("42830", "there is no primary key for referenced table \"\(parentName)\"")
                }
                refColumns = parent.primaryKey.map { parent.columns[$0].name }
            }
            guard refColumns.count == cols.count else {
                throw ExecutionError("42830", "number of referencing and referenced columns for foreign key disagree")
            }
            let refPositions = try refColumns.map { n -> Int in
                guard let p = parent.columnIndex(n) else {
                    throw ExecutionError("42703", "column \"\(n)\" referenced in foreign key constraint does not exist")
                }
                return p
            }
            let isKey = Set(refPositions) == Set(parent.primaryKey)
                || change.schema.indexes(ofTable: parent.id).contains { $0.unique && Set($0.columns.map(\.column)) == Set(refPositions) }
                || (parentName == name && uniques.contains { Set($0.1) == Set(refPositions) })
            guard isKey else {
                throw ExecutionError("42830", "there is no unique constraint matching given keys for referenced table \"\(parentName)\"")
            }
            func action(_ a: BasaltSQL.ReferentialAction?) -> BasaltExecution.ReferentialAction {
                switch a {
                case .cascade: return .cascade
                case .setNull: return .setNull
                case .setDefault: return .setDefault
                case .restrict: return .restrict
                default: return .noAction
                }
            }
            let fkName = constraintName ?? "\(name)_\(cols.map { columns[$0].name }.joined(separator: "_"))_fkey"
            table.foreignKeys.append(ForeignKey(name: fkName, columns: cols, referencedTable: parentName,
                                                referencedColumns: refColumns, onDelete: action(ref.onDelete),
                                                onUpdate: action(ref.onUpdate)))
        }
        // Validate DEFAULT and CHECK expressions now, so a bad one fails the CREATE.
        let scratch = QueryPlanner(schema: change.schema, functions: functions, options: options)
        for i in table.columns.indices { _ = try scratch.defaultValue(table, i) }
        _ = try scratch.checks(table)
        change.schema.setTable(table)
        for (constraintName, cols) in uniques where Set(cols) != Set(primaryKey) {
            let indexName = constraintName ?? uniqueName(change.schema, "\(name)_\(cols.map { columns[$0].name }.joined(separator: "_"))_key")
            let index = IndexDescriptor(id: change.schema.allocateObjectID(), name: indexName, tableID: id, tableName: name,
                                        columns: cols.map { .init(column: $0, descending: false) }, unique: true, isConstraint: true)
            change.schema.setIndex(index)
        }
    }

    func uniqueName(_ schema: Schema, _ base: String) -> String {
        var name = base
        var n = 1
        while schema.index(name) != nil || schema.table(name) != nil {
            name = "\(base)\(n)"
            n += 1
        }
        return name
    }

    func dropTables(_ s: DropStatement, _ change: inout SchemaChange) throws {
        for name in s.names {
            if change.schema.view(name.name) != nil {
                throw ExecutionError("42809", "\"\(name.name)\" is not a table", hint: "Use DROP VIEW to remove a view.")
            }
            guard let table = change.schema.table(name.name) else {
                if s.ifExists { change.notice = "table \"\(name.name)\" does not exist, skipping"; continue }
                throw ExecutionError("42P01", "table \"\(name.name)\" does not exist")
            }
            for child in change.schema.referencingTables(table.name) where child.name != table.name {
                guard s.behavior == .cascade else {
                    throw ExecutionError("2BP01", "cannot drop table \(table.name) because other objects depend on it",
                                         detail: "constraint on table \(child.name) depends on table \(table.name)",
                                         hint: "Use DROP ... CASCADE to drop the dependent objects too.")
                }
                var updated = child
                updated.foreignKeys.removeAll { $0.referencedTable == table.name }
                change.schema.setTable(updated)
            }
            for index in change.schema.indexes(ofTable: table.id) {
                change.schema.removeIndex(index.name)
                change.dropObjects.append(index.id)
            }
            change.schema.removeTable(table.name)
            change.dropObjects.append(table.id)
        }
    }

    func createIndex(_ s: CreateIndexStatement, _ change: inout SchemaChange) throws {
        guard let table = change.schema.table(s.table.name) else {
            throw ExecutionError("42P01", "relation \"\(s.table.name)\" does not exist")
        }
        guard s.whereClause == nil else { throw PlanError.notSupported("partial indexes", s.location) }
        var columns: [IndexDescriptor.Column] = []
        for item in s.columns {
            guard case .columnRef(_, let column) = item.expression.kind else {
                throw PlanError.notSupported("indexes on expressions", item.expression.location)
            }
            guard let i = table.columnIndex(column) else {
                throw PlanError.at(ExecutionError("42703", "column \"\(column)\" does not exist"), item.expression.location)
            }
            columns.append(.init(column: i, descending: !item.ascending))
        }
        let name = s.name ?? uniqueName(change.schema, "\(table.name)_\(columns.map { table.columns[$0.column].name }.joined(separator: "_"))_idx")
        if change.schema.index(name) != nil || change.schema.table(name) != nil || change.schema.view(name) != nil {
            if s.ifNotExists { change.notice = "relation \"\(name)\" already exists, skipping"; return }
            throw ExecutionError("42P07", "relation \"\(name)\" already exists")
        }
        let index = IndexDescriptor(id: change.schema.allocateObjectID(), name: name, tableID: table.id, tableName: table.name,
                                    columns: columns, unique: s.unique)
        change.schema.setIndex(index)
        change.buildIndexes.append(index)
    }

    func alterTable(_ s: AlterTableStatement, _ change: inout SchemaChange) throws {
        guard var table = change.schema.table(s.table.name) else {
            if s.ifExists { change.notice = "relation \"\(s.table.name)\" does not exist, skipping"; return }
            throw ExecutionError("42P01", "relation \"\(s.table.name)\" does not exist")
        }
        for action in s.actions {
            switch action {
            case .addColumn(let d, let ifNotExists):
                if table.columnIndex(d.name) != nil {
                    if ifNotExists { change.notice = "column \"\(d.name)\" of relation \"\(table.name)\" already exists, skipping"; continue }
                    throw ExecutionError("42701", "column \"\(d.name)\" of relation \"\(table.name)\" already exists")
                }
                var column = ColumnDescriptor(name: d.name, type: try resolveType(d.type), physical: table.nextPhysical)
                for c in d.constraints {
                    switch c.kind {
                    case .notNull: column.notNull = true
                    case .defaultValue(let e): column.defaultSQL = String(describing: e)
                    case .check(let e): table.checks.append(CheckConstraint(name: c.name ?? "\(table.name)_\(d.name)_check", sql: String(describing: e)))
                    case .null: break
                    default: throw PlanError.notSupported("this constraint in ADD COLUMN", c.location)
                    }
                }
                // Existing rows read a missing column as NULL; with a DEFAULT they are rewritten with it,
                // and NOT NULL without one is only possible on an empty table (PostgreSQL: 23502).
                if column.defaultSQL != nil {
                    change.fillDefaults.append((table.name, table.columns.count))
                } else if column.notNull {
                    change.requireEmpty.append(table.name)
                }
                if !table.checks.isEmpty { change.validateChecks.append(table.name) }
                table.columns.append(column)
                table.nextPhysical += 1
            case .dropColumn(let name, let ifExists, _):
                guard let i = table.columnIndex(name) else {
                    if ifExists { change.notice = "column \"\(name)\" of relation \"\(table.name)\" does not exist, skipping"; continue }
                    throw ExecutionError("42703", "column \"\(name)\" of relation \"\(table.name)\" does not exist")
                }
                if table.primaryKey.contains(i) {
                    throw ExecutionError("2BP01", "cannot drop column \(name) of table \(table.name) because the primary key depends on it")
                }
                guard table.columns.count > 1 else { throw ExecutionError("0A000", "cannot drop the only column of table \(table.name)") }
                for index in change.schema.indexes(ofTable: table.id) where index.columns.contains(where: { $0.column == i }) {
                    change.schema.removeIndex(index.name)
                    change.dropObjects.append(index.id)
                }
                var dropped = table.droppedTypes ?? [:]
                dropped[table.columns[i].physical] = table.columns[i].type
                table.droppedTypes = dropped
                table.columns.remove(at: i)
                table.primaryKey = table.primaryKey.map { $0 > i ? $0 - 1 : $0 }
                table.foreignKeys.removeAll { $0.columns.contains(i) }
                for f in table.foreignKeys.indices { table.foreignKeys[f].columns = table.foreignKeys[f].columns.map { $0 > i ? $0 - 1 : $0 } }
                for var index in change.schema.indexes(ofTable: table.id) {
                    index.columns = index.columns.map { .init(column: $0.column > i ? $0.column - 1 : $0.column, descending: $0.descending) }
                    change.schema.setIndex(index)
                }
                // PostgreSQL drops the table constraints that involve the column.
                table.checks.removeAll { check in
                    ((try? Parser.parseExpression(check.sql))?.referencedColumns.contains(name)) ?? false
                }
            case .renameColumn(let from, let to):
                guard let i = table.columnIndex(from) else {
                    throw ExecutionError("42703", "column \"\(from)\" does not exist")
                }
                guard table.columnIndex(to) == nil else {
                    throw ExecutionError("42701", "column \"\(to)\" of relation \"\(table.name)\" already exists")
                }
                // CHECK constraints are stored as SQL text: rewrite their references to the column.
                for c in table.checks.indices {
                    let expression = try Parser.parseExpression(table.checks[c].sql)
                    table.checks[c].sql = String(describing: expression.renamingColumn(from, to: to))
                }
                table.columns[i].name = to
                for var child in change.schema.referencingTables(table.name) {
                    for f in child.foreignKeys.indices where child.foreignKeys[f].referencedTable == table.name {
                        child.foreignKeys[f].referencedColumns = child.foreignKeys[f].referencedColumns.map { $0 == from ? to : $0 }
                    }
                    if child.name == table.name { table.foreignKeys = child.foreignKeys } else { change.schema.setTable(child) }
                }
            case .renameTable(let to):
                guard change.schema.table(to) == nil, change.schema.view(to) == nil else {
                    throw ExecutionError("42P07", "relation \"\(to)\" already exists")
                }
                let old = table.name
                for var child in change.schema.referencingTables(old) where child.name != old {
                    for f in child.foreignKeys.indices where child.foreignKeys[f].referencedTable == old {
                        child.foreignKeys[f].referencedTable = to
                    }
                    change.schema.setTable(child)
                }
                for f in table.foreignKeys.indices where table.foreignKeys[f].referencedTable == old {
                    table.foreignKeys[f].referencedTable = to
                }
                for var index in change.schema.indexes(ofTable: table.id) {
                    index.tableName = to
                    change.schema.setIndex(index)
                }
                change.schema.removeTable(old)
                table.name = to
            case .addConstraint(let c):
                switch c.kind {
                case .check(let e):
                    table.checks.append(CheckConstraint(name: c.name ?? "\(table.name)_check", sql: String(describing: e)))
                    change.validateChecks.append(table.name)
                case .unique(let names):
                    let cols = try names.map { n -> Int in
                        guard let i = table.columnIndex(n) else { throw ExecutionError("42703", "column \"\(n)\" does not exist") }
                        return i
                    }
                    let index = IndexDescriptor(id: change.schema.allocateObjectID(),
                                                name: c.name ?? uniqueName(change.schema, "\(table.name)_\(names.joined(separator: "_"))_key"),
                                                tableID: table.id, tableName: table.name,
                                                columns: cols.map { .init(column: $0, descending: false) }, unique: true, isConstraint: true)
                    change.schema.setIndex(index)
                    change.buildIndexes.append(index)
                default:
                    throw PlanError.notSupported("this constraint in ALTER TABLE", c.location)
                }
            }
        }
        change.schema.setTable(table)
    }
}
