/// CREATE / DROP / ALTER for tables, indexes, views and triggers.
extension Parser {
    /// `CREATE [OR REPLACE] [TEMP|TEMPORARY] [UNIQUE] TABLE|INDEX|VIEW|TRIGGER …`.
    mutating func parseCreate() throws(SQLSyntaxError) -> Statement {
        let location = current.location
        try expect(.create)
        var orReplace = false
        if check(.or) && peekIs(.replace) {
            advance()
            advance()
            orReplace = true
        }
        let temporary = consume(.temp) || consume(.temporary)
        let unique = consume(.unique)
        switch current.kind {
        case .keyword(.table) where !orReplace && !unique:
            advance()
            return .createTable(try parseCreateTable(temporary: temporary))
        case .keyword(.index) where !orReplace && !temporary:
            advance()
            return .createIndex(try parseCreateIndex(unique: unique, location: location))
        case .keyword(.view) where !unique:
            advance()
            return .createView(try parseCreateView(orReplace: orReplace, temporary: temporary))
        case .keyword(.trigger) where !unique && !orReplace:
            advance()
            return .createTrigger(try parseCreateTrigger(temporary: temporary))
        default:
            throw syntaxError(expected: unique ? ["INDEX"] : ["TABLE", "INDEX", "VIEW", "TRIGGER"])
        }
    }

    /// `IF NOT EXISTS`, when present.
    private mutating func parseIfNotExists() throws(SQLSyntaxError) -> Bool {
        guard check(.if) && peekIs(.not) else { return false }
        advance()
        advance()
        try expect(.exists)
        return true
    }

    /// `IF EXISTS`, when present.
    private mutating func parseIfExists() throws(SQLSyntaxError) -> Bool {
        guard check(.if) && peekIs(.exists) else { return false }
        advance()
        advance()
        return true
    }

    /// After `CREATE [TEMP] TABLE`.
    mutating func parseCreateTable(temporary: Bool) throws(SQLSyntaxError) -> CreateTableStatement {
        let ifNotExists = try parseIfNotExists()
        let location = current.location
        let name = try parseObjectName(expected: "table name")
        var statement = CreateTableStatement(name: name, ifNotExists: ifNotExists, temporary: temporary,
                                             location: location)
        if consume(.as) {
            statement.asQuery = try parseSelectStatement()
            return statement
        }
        try expect(.leftParen)
        repeat {
            if isTableConstraintStart() {
                statement.constraints.append(try parseTableConstraint())
            } else {
                statement.columns.append(try parseColumnDefinition())
            }
        } while consume(.comma)
        try expect(.rightParen)
        return statement
    }

    private func isTableConstraintStart() -> Bool {
        switch current.kind {
        case .keyword(.constraint), .keyword(.primary), .keyword(.unique), .keyword(.check), .keyword(.foreign):
            return true
        default:
            return false
        }
    }

    /// `name type [constraint …]`.
    mutating func parseColumnDefinition() throws(SQLSyntaxError) -> ColumnDefinition {
        let location = current.location
        let name = try parseIdentifier(expected: "column name")
        let type = try parseTypeName()
        var column = ColumnDefinition(name: name, type: type, location: location)
        while let constraint = try parseColumnConstraint() {
            column.constraints.append(constraint)
        }
        return column
    }

    /// One column constraint, or `nil` when none starts here.
    mutating func parseColumnConstraint() throws(SQLSyntaxError) -> ColumnConstraint? {
        let location = current.location
        var name: String? = nil
        if consume(.constraint) { name = try parseIdentifier(expected: "constraint name") }
        let kind: ColumnConstraintKind
        switch current.kind {
        case .keyword(.primary):
            advance()
            try expect(.key)
            var ascending: Bool? = nil
            if consume(.asc) { ascending = true } else if consume(.desc) { ascending = false }
            kind = .primaryKey(ascending: ascending, autoincrement: consume(.autoincrement))
        case .keyword(.not):
            advance()
            try expect(.null)
            kind = .notNull
        case .keyword(.null):
            advance()
            kind = .null
        case .keyword(.unique):
            advance()
            kind = .unique
        case .keyword(.default):
            advance()
            // PostgreSQL's b_expr: no boolean operators, so `DEFAULT 0 NOT NULL` ends at NOT.
            kind = .defaultValue(try parseExpression(minPrecedence: OperatorPrecedence.comparison))
        case .keyword(.check):
            advance()
            try expect(.leftParen)
            let condition = try parseExpression()
            try expect(.rightParen)
            kind = .check(condition)
        case .keyword(.references):
            kind = .references(try parseReferences())
        default:
            if name != nil { throw syntaxError(expected: ["PRIMARY KEY", "NOT NULL", "UNIQUE", "CHECK", "REFERENCES"]) }
            return nil
        }
        return ColumnConstraint(name: name, kind: kind, location: location)
    }

    /// `REFERENCES table [(columns)] [ON DELETE action] [ON UPDATE action]`.
    mutating func parseReferences() throws(SQLSyntaxError) -> ForeignKeyReference {
        try expect(.references)
        let table = try parseObjectName(expected: "table name")
        var reference = ForeignKeyReference(table: table)
        if check(.leftParen) { reference.columns = try parseParenthesizedIdentifiers() }
        while check(.on) {
            advance()
            if consume(.delete) {
                reference.onDelete = try parseReferentialAction()
            } else if consume(.update) {
                reference.onUpdate = try parseReferentialAction()
            } else {
                throw syntaxError(expected: ["DELETE", "UPDATE"])
            }
        }
        return reference
    }

    private mutating func parseReferentialAction() throws(SQLSyntaxError) -> ReferentialAction {
        if consume(.cascade) { return .cascade }
        if consume(.restrict) { return .restrict }
        if consume(.set) {
            if consume(.null) { return .setNull }
            if consume(.default) { return .setDefault }
            throw syntaxError(expected: ["NULL", "DEFAULT"])
        }
        if consume(.no) {
            try expect(.action)
            return .noAction
        }
        throw syntaxError(expected: ["CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"])
    }

    /// `[CONSTRAINT name] PRIMARY KEY (…) | UNIQUE (…) | CHECK (…) | FOREIGN KEY (…) REFERENCES …`.
    mutating func parseTableConstraint() throws(SQLSyntaxError) -> TableConstraint {
        let location = current.location
        var name: String? = nil
        if consume(.constraint) { name = try parseIdentifier(expected: "constraint name") }
        let kind: TableConstraintKind
        switch current.kind {
        case .keyword(.primary):
            advance()
            try expect(.key)
            kind = .primaryKey(try parseConstraintColumns())
        case .keyword(.unique):
            advance()
            kind = .unique(try parseConstraintColumns())
        case .keyword(.check):
            advance()
            try expect(.leftParen)
            let condition = try parseExpression()
            try expect(.rightParen)
            kind = .check(condition)
        case .keyword(.foreign):
            advance()
            try expect(.key)
            let columns = try parseParenthesizedIdentifiers()
            kind = .foreignKey(columns: columns, references: try parseReferences())
        default:
            throw syntaxError(expected: ["PRIMARY KEY", "UNIQUE", "CHECK", "FOREIGN KEY"])
        }
        return TableConstraint(name: name, kind: kind, location: location)
    }

    /// `(column [ASC|DESC], …)` in table-level keys; SQLite allows a direction, which is ignored.
    private mutating func parseConstraintColumns() throws(SQLSyntaxError) -> [String] {
        try expect(.leftParen)
        var names: [String] = []
        repeat {
            names.append(try parseIdentifier(expected: "column name"))
            if !consume(.asc) { _ = consume(.desc) }
        } while consume(.comma)
        try expect(.rightParen)
        return names
    }

    /// After `CREATE [UNIQUE] INDEX`.
    mutating func parseCreateIndex(unique: Bool, location: SourceLocation) throws(SQLSyntaxError) -> CreateIndexStatement {
        let ifNotExists = try parseIfNotExists()
        var name: String? = nil
        if ifNotExists || !check(.on) { name = try parseIdentifier(expected: "index name") }
        try expect(.on)
        let table = try parseObjectName(expected: "table name")
        var method: String? = nil
        if consume(.using) { method = try parseIdentifier(expected: "index method") }
        try expect(.leftParen)
        let columns = try parseOrderItems()
        try expect(.rightParen)
        var whereClause: Expression? = nil
        if consume(.where) { whereClause = try parseExpression() }
        return CreateIndexStatement(name: name, table: table, unique: unique, ifNotExists: ifNotExists, method: method,
                                    columns: columns, whereClause: whereClause, location: location)
    }

    /// After `CREATE [OR REPLACE] [TEMP] VIEW`.
    mutating func parseCreateView(orReplace: Bool, temporary: Bool) throws(SQLSyntaxError) -> CreateViewStatement {
        let ifNotExists = try parseIfNotExists()
        let name = try parseObjectName(expected: "view name")
        var columns: [String] = []
        if check(.leftParen) { columns = try parseParenthesizedIdentifiers() }
        try expect(.as)
        let query = try parseSelectStatement()
        return CreateViewStatement(name: name, columns: columns, query: query, ifNotExists: ifNotExists,
                                   orReplace: orReplace, temporary: temporary)
    }

    /// After `CREATE [TEMP] TRIGGER` (SQLite syntax).
    mutating func parseCreateTrigger(temporary: Bool) throws(SQLSyntaxError) -> CreateTriggerStatement {
        let ifNotExists = try parseIfNotExists()
        let name = try parseObjectName(expected: "trigger name")
        var timing: TriggerTiming? = nil
        if consume(.before) {
            timing = .before
        } else if consume(.after) {
            timing = .after
        } else if consume(.instead) {
            try expect(.of)
            timing = .insteadOf
        }
        let event: TriggerEvent
        if consume(.insert) {
            event = .insert
        } else if consume(.delete) {
            event = .delete
        } else if consume(.update) {
            var columns: [String] = []
            if consume(.of) {
                repeat { columns.append(try parseIdentifier(expected: "column name")) } while consume(.comma)
            }
            event = .update(columns: columns)
        } else {
            throw syntaxError(expected: ["INSERT", "DELETE", "UPDATE"])
        }
        try expect(.on)
        let table = try parseObjectName(expected: "table name")
        var forEachRow = false
        if consume(.for) {
            try expect(.each)
            try expect(.row)
            forEachRow = true
        }
        var whenCondition: Expression? = nil
        if consume(.when) { whenCondition = try parseExpression() }
        try expect(.begin)
        var body: [Statement] = []
        repeat {
            let statement: Statement
            let location = current.location
            switch current.kind {
            case .keyword(.select), .keyword(.values), .keyword(.with):
                statement = .select(try parseSelectStatement())
            case .keyword(.insert), .keyword(.replace):
                statement = .insert(try parseInsert(with: nil, location: location))
            case .keyword(.update):
                statement = .update(try parseUpdate(with: nil, location: location))
            case .keyword(.delete):
                statement = .delete(try parseDelete(with: nil, location: location))
            default:
                throw syntaxError(expected: ["SELECT", "INSERT", "UPDATE", "DELETE"])
            }
            body.append(statement)
            try expect(.semicolon)
        } while !check(.end)
        try expect(.end)
        return CreateTriggerStatement(name: name, ifNotExists: ifNotExists, temporary: temporary, timing: timing,
                                      event: event, table: table, forEachRow: forEachRow,
                                      whenCondition: whenCondition, body: body)
    }

    /// `DROP TABLE|INDEX|VIEW|TRIGGER [IF EXISTS] name, … [CASCADE|RESTRICT]`.
    mutating func parseDrop() throws(SQLSyntaxError) -> Statement {
        try expect(.drop)
        let kindToken = current
        switch kindToken.kind {
        case .keyword(.table), .keyword(.index), .keyword(.view), .keyword(.trigger):
            advance()
        default:
            throw syntaxError(expected: ["TABLE", "INDEX", "VIEW", "TRIGGER"])
        }
        let ifExists = try parseIfExists()
        var names: [ObjectName] = []
        repeat { names.append(try parseObjectName()) } while consume(.comma)
        var behavior: DropBehavior? = nil
        if consume(.cascade) { behavior = .cascade } else if consume(.restrict) { behavior = .restrict }
        let drop = DropStatement(names: names, ifExists: ifExists, behavior: behavior)
        switch kindToken.kind {
        case .keyword(.table): return .dropTable(drop)
        case .keyword(.index): return .dropIndex(drop)
        case .keyword(.view): return .dropView(drop)
        default: return .dropTrigger(drop)
        }
    }

    /// `ALTER TABLE [IF EXISTS] name action, …`.
    mutating func parseAlterTable() throws(SQLSyntaxError) -> AlterTableStatement {
        try expect(.alter)
        try expect(.table)
        let ifExists = try parseIfExists()
        let table = try parseObjectName(expected: "table name")
        if consume(.rename) {
            if consume(.to) {
                return AlterTableStatement(table: table, ifExists: ifExists,
                                           actions: [.renameTable(to: try parseIdentifier(expected: "table name"))])
            }
            _ = consume(.column)
            let old = try parseIdentifier(expected: "column name")
            try expect(.to)
            let new = try parseIdentifier(expected: "column name")
            return AlterTableStatement(table: table, ifExists: ifExists, actions: [.renameColumn(from: old, to: new)])
        }
        var actions: [AlterTableAction] = []
        repeat {
            if consume(.add) {
                if isTableConstraintStart() {
                    actions.append(.addConstraint(try parseTableConstraint()))
                } else {
                    _ = consume(.column)
                    let ifNotExists = try parseIfNotExists()
                    actions.append(.addColumn(try parseColumnDefinition(), ifNotExists: ifNotExists))
                }
            } else if consume(.drop) {
                _ = consume(.column)
                let ifExists = try parseIfExists()
                let column = try parseIdentifier(expected: "column name")
                var behavior: DropBehavior? = nil
                if consume(.cascade) { behavior = .cascade } else if consume(.restrict) { behavior = .restrict }
                actions.append(.dropColumn(column, ifExists: ifExists, behavior: behavior))
            } else {
                throw syntaxError(expected: ["ADD", "DROP", "RENAME"])
            }
        } while consume(.comma)
        return AlterTableStatement(table: table, ifExists: ifExists, actions: actions)
    }
}
