/// INSERT (and SQLite's REPLACE), UPDATE and DELETE.
extension Parser {
    /// `INSERT [OR action] INTO …` or `REPLACE INTO …`.
    mutating func parseInsert(with: WithClause?, location: SourceLocation) throws(SQLSyntaxError) -> InsertStatement {
        var orAction: ConflictAlgorithm? = nil
        if consume(.replace) {
            orAction = .replace
        } else {
            try expect(.insert)
            if consume(.or) { orAction = try parseConflictAlgorithm() }
        }
        try expect(.into)
        let table = try parseObjectName(expected: "table name")
        var alias: String? = nil
        if consume(.as) { alias = try parseIdentifier(expected: "alias") }
        var columns: [String]? = nil
        if check(.leftParen) && !startsQuery(at: index) {
            columns = try parseParenthesizedIdentifiers()
        }
        let source: InsertSource
        if check(.default) && peekIs(.values) {
            advance()
            advance()
            source = .defaultValues
        } else if check(.values) {
            let valuesLocation = current.location
            let rows = try parseValuesRows(allowDefault: true)
            if continuesQuery() {
                source = .select(try parseSelectStatement(leading: .values(rows), location: valuesLocation))
            } else {
                source = .values(rows)
            }
        } else if check(.select) || check(.with) || check(.leftParen) || check(.table) {
            source = .select(try parseSelectStatement())
        } else {
            throw syntaxError(expected: ["VALUES", "SELECT", "DEFAULT VALUES"])
        }
        var statement = InsertStatement(with: with, table: table, alias: alias, columns: columns, source: source,
                                        orAction: orAction, location: location)
        if check(.on) && peekIs(.conflict) {
            advance()
            advance()
            statement.onConflict = try parseOnConflict()
        }
        if consume(.returning) { statement.returning = try parseSelectItems() }
        return statement
    }

    /// `REPLACE | IGNORE | ABORT | FAIL | ROLLBACK` after `INSERT OR` / `UPDATE OR`.
    mutating func parseConflictAlgorithm() throws(SQLSyntaxError) -> ConflictAlgorithm {
        switch current.kind {
        case .keyword(.replace): advance(); return .replace
        case .keyword(.ignore): advance(); return .ignore
        case .keyword(.abort): advance(); return .abort
        case .keyword(.rollback): advance(); return .rollback
        default:
            if checkWord("fail") {
                advance()
                return .fail
            }
            throw syntaxError(expected: ["REPLACE", "IGNORE", "ABORT", "FAIL", "ROLLBACK"])
        }
    }

    /// After `ON CONFLICT`: `[(columns) [WHERE …]] DO NOTHING | DO UPDATE SET … [WHERE …]`.
    mutating func parseOnConflict() throws(SQLSyntaxError) -> OnConflictClause {
        var clause = OnConflictClause(action: .nothing)
        if check(.leftParen) {
            clause.targetColumns = try parseParenthesizedIdentifiers()
            if consume(.where) { clause.targetWhere = try parseExpression() }
        }
        try expect(.do)
        if consume(.nothing) { return clause }
        try expect(.update)
        try expect(.set)
        let assignments = try parseAssignments()
        var whereClause: Expression? = nil
        if consume(.where) { whereClause = try parseExpression() }
        if clause.targetColumns == nil {
            throw error("ON CONFLICT DO UPDATE requires inference specification or constraint name", at: current)
        }
        clause.action = .update(assignments, whereClause: whereClause)
        return clause
    }

    /// `column = value | (c1, c2) = (v1, v2)`, comma-separated; values may be `DEFAULT`.
    mutating func parseAssignments() throws(SQLSyntaxError) -> [Assignment] {
        var assignments: [Assignment] = []
        repeat {
            let token = current
            if check(.leftParen) {
                let columns = try parseParenthesizedIdentifiers()
                try expect(.equal)
                let valuesToken = current
                _ = consume(.row)
                guard check(.leftParen) else { throw syntaxError(expected: ["("]) }
                advance()
                var values: [Expression] = []
                repeat { values.append(try parseAssignedValue()) } while consume(.comma)
                try expect(.rightParen)
                guard values.count == columns.count else {
                    throw error("number of columns does not match number of values", at: valuesToken)
                }
                for (column, value) in zip(columns, values) {
                    assignments.append(Assignment(column: column, value: value, location: token.location))
                }
            } else {
                let column = try parseIdentifier(expected: "column name")
                if check(.dot) {
                    throw error("qualified column names are not allowed in SET", at: current)
                }
                try expect(.equal)
                assignments.append(Assignment(column: column, value: try parseAssignedValue(), location: token.location))
            }
        } while consume(.comma)
        return assignments
    }

    private mutating func parseAssignedValue() throws(SQLSyntaxError) -> Expression {
        if check(.default) && (peekIs(.comma) || peekIs(.rightParen) || peekIs(.where) || peekIs(.from)
                               || peekIs(.returning) || peekIs(.semicolon) || peek() == .endOfInput) {
            let location = current.location
            advance()
            return Expression(.defaultValue, location: location)
        }
        return try parseExpression()
    }

    /// `UPDATE [OR action] table [[AS] alias] SET … [FROM …] [WHERE …] [RETURNING …]`.
    mutating func parseUpdate(with: WithClause?, location: SourceLocation) throws(SQLSyntaxError) -> UpdateStatement {
        try expect(.update)
        var orAction: ConflictAlgorithm? = nil
        if consume(.or) { orAction = try parseConflictAlgorithm() }
        let table = try parseObjectName(expected: "table name")
        let (alias, _) = try parseTableAlias(allowColumnAliases: false, excludingSet: true)
        try expect(.set)
        let assignments = try parseAssignments()
        var statement = UpdateStatement(with: with, table: table, alias: alias, orAction: orAction,
                                        assignments: assignments, location: location)
        if consume(.from) { statement.from = try parseFromList() }
        if consume(.where) { statement.whereClause = try parseExpression() }
        if consume(.returning) { statement.returning = try parseSelectItems() }
        return statement
    }

    /// `DELETE FROM table [[AS] alias] [USING …] [WHERE …] [RETURNING …]`.
    mutating func parseDelete(with: WithClause?, location: SourceLocation) throws(SQLSyntaxError) -> DeleteStatement {
        try expect(.delete)
        try expect(.from)
        let table = try parseObjectName(expected: "table name")
        let (alias, _) = try parseTableAlias(allowColumnAliases: false)
        var statement = DeleteStatement(with: with, table: table, alias: alias, location: location)
        if consume(.using) { statement.using = try parseFromList() }
        if consume(.where) { statement.whereClause = try parseExpression() }
        if consume(.returning) { statement.returning = try parseSelectItems() }
        return statement
    }
}
