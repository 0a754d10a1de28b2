/// Printing DDL statements back to SQL.
extension CreateTableStatement: CustomStringConvertible {
    /// `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (…)` or `… AS query`.
    public var description: String {
        var text = "CREATE " + (temporary ? "TEMPORARY " : "") + "TABLE " + (ifNotExists ? "IF NOT EXISTS " : "")
            + SQLQuoting.objectName(name)
        if let asQuery { return text + " AS " + asQuery.description }
        let elements = columns.map(\.description) + constraints.map(\.description)
        text += " (" + elements.joined(separator: ", ") + ")"
        return text
    }
}

extension ColumnDefinition: CustomStringConvertible {
    /// `name type constraints`.
    public var description: String {
        ([SQLQuoting.identifier(name), type.description] + constraints.map(\.description)).joined(separator: " ")
    }
}

extension ColumnConstraint: CustomStringConvertible {
    /// `[CONSTRAINT name] …`.
    public var description: String {
        let prefix = name.map { "CONSTRAINT " + SQLQuoting.identifier($0) + " " } ?? ""
        switch kind {
        case .primaryKey(let ascending, let autoincrement):
            var text = prefix + "PRIMARY KEY"
            if let ascending { text += ascending ? " ASC" : " DESC" }
            if autoincrement { text += " AUTOINCREMENT" }
            return text
        case .notNull: return prefix + "NOT NULL"
        case .null: return prefix + "NULL"
        case .unique: return prefix + "UNIQUE"
        case .defaultValue(let value): return prefix + "DEFAULT " + value.sql(minimum: OperatorPrecedence.comparison)
        case .check(let condition): return prefix + "CHECK (" + condition.description + ")"
        case .references(let reference): return prefix + reference.description
        }
    }
}

extension ForeignKeyReference: CustomStringConvertible {
    /// `REFERENCES table [(cols)] [ON DELETE …] [ON UPDATE …]`.
    public var description: String {
        var text = "REFERENCES " + SQLQuoting.objectName(table)
        if !columns.isEmpty { text += " " + SQLQuoting.identifierList(columns) }
        if let onDelete { text += " ON DELETE " + onDelete.rawValue }
        if let onUpdate { text += " ON UPDATE " + onUpdate.rawValue }
        return text
    }
}

extension TableConstraint: CustomStringConvertible {
    /// `[CONSTRAINT name] PRIMARY KEY (…) | UNIQUE (…) | CHECK (…) | FOREIGN KEY (…) REFERENCES …`.
    public var description: String {
        let prefix = name.map { "CONSTRAINT " + SQLQuoting.identifier($0) + " " } ?? ""
        switch kind {
        case .primaryKey(let columns): return prefix + "PRIMARY KEY " + SQLQuoting.identifierList(columns)
        case .unique(let columns): return prefix + "UNIQUE " + SQLQuoting.identifierList(columns)
        case .check(let condition): return prefix + "CHECK (" + condition.description + ")"
        case .foreignKey(let columns, let reference):
            return prefix + "FOREIGN KEY " + SQLQuoting.identifierList(columns) + " " + reference.description
        }
    }
}

extension CreateIndexStatement: CustomStringConvertible {
    /// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON table [USING m] (keys) [WHERE …]`.
    public var description: String {
        var text = "CREATE " + (unique ? "UNIQUE " : "") + "INDEX " + (ifNotExists ? "IF NOT EXISTS " : "")
        if let name { text += SQLQuoting.identifier(name) + " " }
        text += "ON " + SQLQuoting.objectName(table)
        if let method { text += " USING " + SQLQuoting.identifier(method) }
        text += " (" + columns.map(\.description).joined(separator: ", ") + ")"
        if let whereClause { text += " WHERE " + whereClause.description }
        return text
    }
}

extension CreateViewStatement: CustomStringConvertible {
    /// `CREATE [OR REPLACE] [TEMPORARY] VIEW [IF NOT EXISTS] name [(cols)] AS query`.
    public var description: String {
        var text = "CREATE " + (orReplace ? "OR REPLACE " : "") + (temporary ? "TEMPORARY " : "") + "VIEW "
            + (ifNotExists ? "IF NOT EXISTS " : "") + SQLQuoting.objectName(name)
        if !columns.isEmpty { text += " " + SQLQuoting.identifierList(columns) }
        return text + " AS " + query.description
    }
}

extension AlterTableStatement: CustomStringConvertible {
    /// `ALTER TABLE [IF EXISTS] name action, …`.
    public var description: String {
        "ALTER TABLE " + (ifExists ? "IF EXISTS " : "") + SQLQuoting.objectName(table) + " "
            + actions.map(\.description).joined(separator: ", ")
    }
}

extension AlterTableAction: CustomStringConvertible {
    /// One action.
    public var description: String {
        switch self {
        case .addColumn(let column, let ifNotExists):
            return "ADD COLUMN " + (ifNotExists ? "IF NOT EXISTS " : "") + column.description
        case .dropColumn(let name, let ifExists, let behavior):
            return "DROP COLUMN " + (ifExists ? "IF EXISTS " : "") + SQLQuoting.identifier(name)
                + (behavior.map { " " + $0.rawValue } ?? "")
        case .renameColumn(let from, let to):
            return "RENAME COLUMN " + SQLQuoting.identifier(from) + " TO " + SQLQuoting.identifier(to)
        case .renameTable(let to):
            return "RENAME TO " + SQLQuoting.identifier(to)
        case .addConstraint(let constraint):
            return "ADD " + constraint.description
        }
    }
}

extension CreateTriggerStatement: CustomStringConvertible {
    /// SQLite's `CREATE TRIGGER … BEGIN stmt; … END`.
    public var description: String {
        var text = "CREATE " + (temporary ? "TEMPORARY " : "") + "TRIGGER " + (ifNotExists ? "IF NOT EXISTS " : "")
            + SQLQuoting.objectName(name)
        if let timing { text += " " + timing.rawValue }
        switch event {
        case .insert: text += " INSERT"
        case .delete: text += " DELETE"
        case .update(let columns):
            text += " UPDATE"
            if !columns.isEmpty { text += " OF " + columns.map(SQLQuoting.identifier).joined(separator: ", ") }
        }
        text += " ON " + SQLQuoting.objectName(table)
        if forEachRow { text += " FOR EACH ROW" }
        if let whenCondition { text += " WHEN " + whenCondition.description }
        text += " BEGIN " + body.map { $0.description + "; " }.joined() + "END"
        return text
    }
}
