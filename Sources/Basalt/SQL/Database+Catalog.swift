import BasaltExecution

extension Database {
    /// The names of the tables, in name order (the newest committed catalog).
    public func tableNames() throws -> [String] {
        try catalogSchema().tables.keys.sorted()
    }

    /// The names of the views, in name order.
    public func viewNames() throws -> [String] {
        try catalogSchema().views.keys.sorted()
    }

    /// The CREATE statements that define `name` (a table with its indexes, or a view), or nil when no
    /// such table or view exists.
    public func schemaSQL(of name: String) throws -> String? {
        let schema = try catalogSchema()
        if let view = schema.view(name) {
            let columns = view.columnNames.isEmpty ? "" : " (" + view.columnNames.joined(separator: ", ") + ")"
            return "CREATE VIEW \(name)\(columns) AS \(view.sql.hasPrefix("SELECT") ? view.sql : view.sql);"
        }
        guard let table = schema.table(name) else { return nil }
        var lines: [String] = []
        for (i, column) in table.columns.enumerated() {
            var line = "  \(column.name) \(column.type.name)"
            if table.primaryKey == [i] { line += " PRIMARY KEY" } else if column.notNull { line += " NOT NULL" }
            if let d = column.defaultSQL { line += " DEFAULT \(d)" }
            lines.append(line)
        }
        if table.primaryKey.count > 1 {
            lines.append("  PRIMARY KEY (" + table.primaryKey.map { table.columns[$0].name }.joined(separator: ", ") + ")")
        }
        for check in table.checks { lines.append("  CONSTRAINT \(check.name) CHECK (\(check.sql))") }
        for fk in table.foreignKeys {
            var line = "  CONSTRAINT \(fk.name) FOREIGN KEY (" + fk.columns.map { table.columns[$0].name }.joined(separator: ", ")
                + ") REFERENCES \(fk.referencedTable) (" + fk.referencedColumns.joined(separator: ", ") + ")"
            switch fk.onDelete {
            case .cascade: line += " ON DELETE CASCADE"
            case .setNull: line += " ON DELETE SET NULL"
            case .setDefault: line += " ON DELETE SET DEFAULT"
            case .restrict: line += " ON DELETE RESTRICT"
            case .noAction: break
            }
            lines.append(line)
        }
        var sql = "CREATE TABLE \(table.name) (\n" + lines.joined(separator: ",\n") + "\n);"
        for index in schema.indexes(ofTable: table.id) {
            let columns = index.columns.map { table.columns[$0.column].name + ($0.descending ? " DESC" : "") }
            sql += "\nCREATE \(index.unique ? "UNIQUE " : "")INDEX \(index.name) ON \(table.name) (" + columns.joined(separator: ", ") + ");"
        }
        return sql
    }

    func catalogSchema() throws -> Schema {
        do {
            return try sql.schema(manager).schema
        } catch {
            throw sqlError(error, sql: "")
        }
    }
}
