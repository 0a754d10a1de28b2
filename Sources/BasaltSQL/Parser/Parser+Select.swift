/// Queries: WITH, set operations, SELECT cores, FROM lists and joins, ORDER BY / LIMIT.
extension Parser {
    /// `[WITH …] body [ORDER BY …] [LIMIT …] [OFFSET …] [FETCH …]`.
    ///
    /// `leading` is an already parsed first operand (see ``parseParenthesized(allowEmpty:)``).
    mutating func parseSelectStatement(leading: SetExpression? = nil,
                                       location: SourceLocation? = nil) throws(SQLSyntaxError) -> SelectStatement {
        try enterNesting()
        defer { leaveNesting() }
        let start = location ?? current.location
        var with: WithClause? = nil
        if leading == nil && check(.with) { with = try parseWithClause() }
        let body = try parseSetExpression(leading: leading)
        var statement = SelectStatement(with: with, body: body, location: start)
        try parseOrderAndLimit(into: &statement)
        return statement
    }

    /// ORDER BY, LIMIT, OFFSET and FETCH of a query, in any of the orders PostgreSQL and SQLite accept.
    mutating func parseOrderAndLimit(into statement: inout SelectStatement) throws(SQLSyntaxError) {
        if check(.order) {
            advance()
            try expect(.by)
            statement.orderBy = try parseOrderItems()
        }
        var sawLimit = false
        var sawOffset = false
        while true {
            if !sawLimit && check(.limit) {
                advance()
                sawLimit = true
                if consume(.all) { continue }
                let first = try parseExpression()
                if consume(.comma) {
                    // SQLite: LIMIT offset, count.
                    guard !sawOffset else { throw syntaxError(expected: []) }
                    statement.offset = first
                    statement.limit = try parseExpression()
                    sawOffset = true
                } else {
                    statement.limit = first
                }
            } else if !sawOffset && check(.offset) {
                advance()
                sawOffset = true
                statement.offset = try parseExpression()
                if !consume(.rows) { _ = consume(.row) }
            } else if !sawLimit && check(.fetch) {
                advance()
                sawLimit = true
                guard consume(.first) || consume(.next) else { throw syntaxError(expected: ["FIRST", "NEXT"]) }
                if check(.row) || check(.rows) {
                    statement.limit = Expression(.integerLiteral(1), location: current.location)
                } else {
                    statement.limit = try parseExpression(minPrecedence: OperatorPrecedence.unary)
                }
                guard consume(.rows) || consume(.row) else { throw syntaxError(expected: ["ROWS"]) }
                try expect(.only)
            } else {
                return
            }
        }
    }

    /// `WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (query), …`.
    mutating func parseWithClause() throws(SQLSyntaxError) -> WithClause {
        try expect(.with)
        let recursive = consume(.recursive)
        var tables: [CommonTableExpression] = []
        repeat {
            let location = current.location
            let name = try parseIdentifier(expected: "query name")
            var columns: [String] = []
            if check(.leftParen) { columns = try parseParenthesizedIdentifiers() }
            try expect(.as)
            var materialized: Bool? = nil
            if consume(.materialized) {
                materialized = true
            } else if check(.not) && peekIs(.materialized) {
                advance()
                advance()
                materialized = false
            }
            try expect(.leftParen)
            let query = try parseSelectStatement()
            try expect(.rightParen)
            tables.append(CommonTableExpression(name: name, columns: columns, materialized: materialized,
                                                query: query, location: location))
        } while consume(.comma)
        return WithClause(recursive: recursive, tables: tables)
    }

    /// Set operations with PostgreSQL precedence (INTERSECT tighter) or SQLite's (all equal).
    mutating func parseSetExpression(leading: SetExpression?) throws(SQLSyntaxError) -> SetExpression {
        if options.sqliteCompoundPrecedence {
            var left = try parseSetPrimary(leading: leading)
            while let op = currentSetOperator(includingIntersect: true) {
                let all = try parseSetQuantifier()
                let right = try parseSetPrimary(leading: nil)
                left = .setOperation(op, all: all, left, right)
            }
            return left
        }
        var left = try parseIntersection(leading: leading)
        while let op = currentSetOperator(includingIntersect: false) {
            let all = try parseSetQuantifier()
            let right = try parseIntersection(leading: nil)
            left = .setOperation(op, all: all, left, right)
        }
        return left
    }

    private mutating func parseIntersection(leading: SetExpression?) throws(SQLSyntaxError) -> SetExpression {
        var left = try parseSetPrimary(leading: leading)
        while check(.intersect) {
            let all = try parseSetQuantifier()
            let right = try parseSetPrimary(leading: nil)
            left = .setOperation(.intersect, all: all, left, right)
        }
        return left
    }

    private func currentSetOperator(includingIntersect: Bool) -> SetOperator? {
        switch current.kind {
        case .keyword(.union): return .union
        case .keyword(.except): return .except
        case .keyword(.intersect) where includingIntersect: return .intersect
        default: return nil
        }
    }

    /// Consumes the operator keyword and an optional `ALL` / `DISTINCT`; returns whether ALL was given.
    private mutating func parseSetQuantifier() throws(SQLSyntaxError) -> Bool {
        advance()
        if consume(.all) { return true }
        _ = consume(.distinct)
        return false
    }

    /// `SELECT …`, `VALUES …`, `TABLE name` or `(query)`.
    mutating func parseSetPrimary(leading: SetExpression?) throws(SQLSyntaxError) -> SetExpression {
        if let leading { return leading }
        switch current.kind {
        case .keyword(.select):
            return .select(try parseSelectCore())
        case .keyword(.values):
            return .values(try parseValuesRows(allowDefault: false))
        case .keyword(.table):
            let location = current.location
            advance()
            let tableLocation = current.location
            let name = try parseObjectName(expected: "table name")
            let reference = TableReference(.table(name: name, alias: nil, columnAliases: []), location: tableLocation)
            return .select(SelectCore(items: [.wildcard(location)], from: [reference], location: location))
        case .symbol(.leftParen):
            let location = current.location
            advance()
            let inner = try parseSelectStatement(location: location)
            try expect(.rightParen)
            return .parenthesized(inner)
        default:
            throw syntaxError(expected: ["SELECT", "VALUES", "("])
        }
    }

    /// `VALUES (…), (…)`; all rows must have the same length. `DEFAULT` items only in INSERT.
    mutating func parseValuesRows(allowDefault: Bool) throws(SQLSyntaxError) -> [[Expression]] {
        try expect(.values)
        var rows: [[Expression]] = []
        repeat {
            let rowToken = current
            try expect(.leftParen)
            var row: [Expression] = []
            repeat {
                if allowDefault && check(.default) && (peekIs(.comma) || peekIs(.rightParen)) {
                    row.append(Expression(.defaultValue, location: current.location))
                    advance()
                } else {
                    row.append(try parseExpression())
                }
            } while consume(.comma)
            try expect(.rightParen)
            if let first = rows.first, first.count != row.count {
                throw error("VALUES lists must all be the same length", at: rowToken)
            }
            rows.append(row)
        } while consume(.comma)
        return rows
    }

    /// `SELECT [ALL|DISTINCT [ON (…)]] items [FROM …] [AS OF SYSTEM TIME …] [WHERE …] [GROUP BY …] [HAVING …]`.
    mutating func parseSelectCore() throws(SQLSyntaxError) -> SelectCore {
        let location = current.location
        try expect(.select)
        var core = SelectCore(items: [], location: location)
        if consume(.all) {
            core.distinct = .all
        } else if consume(.distinct) {
            core.distinct = .distinct
            if consume(.on) {
                try expect(.leftParen)
                var keys: [Expression] = []
                repeat { keys.append(try parseExpression()) } while consume(.comma)
                try expect(.rightParen)
                core.distinct = .distinctOn(keys)
            }
        }
        core.items = try parseSelectItems()
        if consume(.from) {
            core.from = try parseFromList()
            if check(.as) && peekIs(.of) && peekIs(.system, 2) {
                advance(); advance(); advance()
                try expect(.time)
                core.asOf = try parseExpression()
            }
        }
        if consume(.where) { core.whereClause = try parseExpression() }
        if check(.group) {
            advance()
            try expect(.by)
            repeat { core.groupBy.append(try parseExpression()) } while consume(.comma)
        }
        if consume(.having) { core.having = try parseExpression() }
        return core
    }

    /// A comma list of select items (also used by RETURNING).
    mutating func parseSelectItems() throws(SQLSyntaxError) -> [SelectItem] {
        var items: [SelectItem] = []
        repeat { items.append(try parseSelectItem()) } while consume(.comma)
        return items
    }

    /// `*`, `t.*`, `s.t.*`, or `expression [[AS] alias]`.
    mutating func parseSelectItem() throws(SQLSyntaxError) -> SelectItem {
        let token = current
        if consume(.star) { return .wildcard(token.location) }
        if identifierText(token.kind, allowing: .columnName) != nil && peekIs(.dot) {
            if peekIs(.star, 2) {
                let name = try parseIdentifier()
                advance()
                advance()
                return .qualifiedWildcard(ObjectName(name: name), token.location)
            }
            if identifierText(peek(2), allowing: .reserved) != nil && peekIs(.dot, 3) && peekIs(.star, 4) {
                let schema = try parseIdentifier()
                advance()
                let name = try parseLabel()
                advance()
                advance()
                return .qualifiedWildcard(ObjectName(schema: schema, name: name), token.location)
            }
        }
        let expression = try parseExpression()
        if consume(.as) {
            return .expression(expression, alias: try parseLabel(expected: "column alias"))
        }
        if let alias = identifierText(current.kind, allowing: .unreserved) {
            advance()
            return .expression(expression, alias: alias)
        }
        return .expression(expression, alias: nil)
    }

    /// `ORDER BY` items: `expression [ASC|DESC] [NULLS FIRST|LAST]`, comma-separated.
    mutating func parseOrderItems() throws(SQLSyntaxError) -> [OrderItem] {
        var items: [OrderItem] = []
        repeat {
            let expression = try parseExpression()
            var item = OrderItem(expression: expression)
            if consume(.desc) {
                item.ascending = false
            } else {
                _ = consume(.asc)
            }
            if consume(.nulls) {
                if consume(.first) {
                    item.nullsFirst = true
                } else if consume(.last) {
                    item.nullsFirst = false
                } else {
                    throw syntaxError(expected: ["FIRST", "LAST"])
                }
            }
            items.append(item)
        } while consume(.comma)
        return items
    }

    // MARK: - FROM

    /// A comma list of table references.
    mutating func parseFromList() throws(SQLSyntaxError) -> [TableReference] {
        var references: [TableReference] = []
        repeat { references.append(try parseTableReference()) } while consume(.comma)
        return references
    }

    /// A table factor followed by any number of joins (left-associative).
    mutating func parseTableReference() throws(SQLSyntaxError) -> TableReference {
        try enterNesting()
        defer { leaveNesting() }
        var left = try parseTableFactor()
        while let (kind, natural) = try parseJoinKeyword() {
            let right = try parseTableFactor()
            var condition = JoinCondition.none
            if natural {
                condition = .natural
            } else if kind != .cross {
                if consume(.on) {
                    condition = .on(try parseExpression())
                } else if check(.using) {
                    advance()
                    condition = .using(try parseParenthesizedIdentifiers())
                }
            }
            left = TableReference(.join(left: left, right: right, kind: kind, condition: condition),
                                  location: left.location)
        }
        return left
    }

    /// Consumes a join operator, returning its kind and whether it was NATURAL; `nil` if none follows.
    private mutating func parseJoinKeyword() throws(SQLSyntaxError) -> (JoinKind, Bool)? {
        let natural = check(.natural)
        switch natural ? peek() : current.kind {
        case .keyword(.join), .keyword(.inner), .keyword(.left), .keyword(.right), .keyword(.full), .keyword(.cross):
            break
        default:
            return nil
        }
        if natural { advance() }
        let kind: JoinKind
        switch current.kind {
        case .keyword(.cross) where !natural:
            advance()
            kind = .cross
        case .keyword(.inner):
            advance()
            kind = .inner
        case .keyword(.left), .keyword(.right), .keyword(.full):
            kind = current.kind == .keyword(.left) ? .left : current.kind == .keyword(.right) ? .right : .full
            advance()
            _ = consume(.outer)
        default:
            kind = .inner
        }
        try expect(.join)
        return (kind, natural)
    }

    /// A named table, a table function, a derived table, or a parenthesized join.
    mutating func parseTableFactor() throws(SQLSyntaxError) -> TableReference {
        let token = current
        let location = token.location
        if check(.leftParen) {
            if case .keyword(let keyword) = peek(),
               keyword == .select || keyword == .values || keyword == .with || keyword == .table {
                advance()
                let query = try parseSelectStatement()
                try expect(.rightParen)
                let (alias, columns) = try parseTableAlias()
                return TableReference(.derived(query, alias: alias, columnAliases: columns), location: location)
            }
            advance()
            var inner = try parseTableReference()
            if case .derived(let query, nil, _) = inner.kind, continuesQuery() {
                let full = try parseSelectStatement(leading: .parenthesized(query), location: inner.location)
                inner = TableReference(.derived(full, alias: nil, columnAliases: []), location: inner.location)
            }
            try expect(.rightParen)
            switch inner.kind {
            case .derived(let query, nil, _):
                let (alias, columns) = try parseTableAlias()
                return TableReference(.derived(query, alias: alias, columnAliases: columns), location: location)
            case .table(let name, nil, _):
                let (alias, columns) = try parseTableAlias()
                return TableReference(.table(name: name, alias: alias, columnAliases: columns), location: location)
            default:
                return inner
            }
        }
        let name = try parseObjectName(expected: "table name")
        if check(.leftParen) {
            let call = try parseFunctionArguments(name: name)
            let (alias, columns) = try parseTableAlias()
            return TableReference(.function(call, alias: alias, columnAliases: columns), location: location)
        }
        let (alias, columns) = try parseTableAlias()
        return TableReference(.table(name: name, alias: alias, columnAliases: columns), location: location)
    }

    /// `[AS] alias [(column aliases)]`; stops before CockroachDB's `AS OF SYSTEM TIME` and, when
    /// `excludingSet`, before UPDATE's `SET`.
    mutating func parseTableAlias(allowColumnAliases: Bool = true,
                                  excludingSet: Bool = false) throws(SQLSyntaxError) -> (String?, [String]) {
        var alias: String? = nil
        if check(.as) {
            if peekIs(.of) && peekIs(.system, 2) { return (nil, []) }
            advance()
            alias = try parseIdentifier(expected: "alias")
        } else if let name = identifierText(current.kind, allowing: .unreserved),
                  !(excludingSet && current.kind == .keyword(.set)) {
            advance()
            alias = name
        }
        var columns: [String] = []
        if alias != nil && allowColumnAliases && check(.leftParen) {
            columns = try parseParenthesizedIdentifiers()
        }
        return (alias, columns)
    }
}
