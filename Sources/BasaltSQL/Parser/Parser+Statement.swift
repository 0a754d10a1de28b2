/// Statement dispatch: picks the statement parser from the first keyword(s).
extension Parser {
    /// Parses one statement starting at the current token (without a trailing `;`).
    mutating func parseStatement() throws(SQLSyntaxError) -> Statement {
        let token = current
        switch token.kind {
        case .keyword(.select), .keyword(.values), .keyword(.table), .symbol(.leftParen):
            return .select(try parseSelectStatement())
        case .keyword(.with):
            let location = token.location
            let with = try parseWithClause()
            switch current.kind {
            case .keyword(.insert), .keyword(.replace):
                return .insert(try parseInsert(with: with, location: location))
            case .keyword(.update):
                return .update(try parseUpdate(with: with, location: location))
            case .keyword(.delete):
                return .delete(try parseDelete(with: with, location: location))
            default:
                let body = try parseSetExpression(leading: nil)
                var statement = SelectStatement(with: with, body: body, location: location)
                try parseOrderAndLimit(into: &statement)
                return .select(statement)
            }
        case .keyword(.insert), .keyword(.replace):
            return .insert(try parseInsert(with: nil, location: token.location))
        case .keyword(.update):
            return .update(try parseUpdate(with: nil, location: token.location))
        case .keyword(.delete):
            return .delete(try parseDelete(with: nil, location: token.location))
        case .keyword(.create):
            return try parseCreate()
        case .keyword(.drop):
            return try parseDrop()
        case .keyword(.alter):
            return .alterTable(try parseAlterTable())
        case .keyword(.begin), .keyword(.start), .keyword(.commit), .keyword(.end), .keyword(.rollback),
             .keyword(.abort), .keyword(.savepoint), .keyword(.release):
            return try parseTransactionStatement()
        case .keyword(.set), .keyword(.reset), .keyword(.show):
            return try parseSessionStatement()
        case .keyword(.explain):
            return try parseExplain()
        case .keyword(.reindex):
            advance()
            if isAtEnd || check(.semicolon) { return .reindex(nil) }
            if (check(.index) || check(.table)) && identifierText(peek(), allowing: .columnName) != nil {
                advance()
            }
            return .reindex(try parseObjectName(expected: "index or table name"))
        default:
            throw syntaxError(expected: ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER",
                                         "BEGIN", "COMMIT", "ROLLBACK", "SET", "SHOW", "EXPLAIN"])
        }
    }

    /// `EXPLAIN [ANALYZE] [VERBOSE] stmt`, `EXPLAIN (option [value], …) stmt`, `EXPLAIN QUERY PLAN stmt`.
    mutating func parseExplain() throws(SQLSyntaxError) -> Statement {
        try expect(.explain)
        var analyze = false
        var verbose = false
        if check(.leftParen) && !startsQuery(at: index) {
            advance()
            repeat {
                let option = try parseLabel(expected: "EXPLAIN option")
                var enabled = true
                switch current.kind {
                case .keyword(.true), .keyword(.on): advance()
                case .keyword(.false): advance(); enabled = false
                case .identifier(let word) where word == "off": advance(); enabled = false
                case .identifier, .string, .integer, .keyword: if !check(.comma) && !check(.rightParen) { advance() }
                default: break
                }
                if option == "analyze" || option == "analyse" { analyze = enabled }
                if option == "verbose" { verbose = enabled }
            } while consume(.comma)
            try expect(.rightParen)
        } else if checkWord("query") && peekIs(.plan) {
            advance()
            advance()
        } else {
            if consume(.analyze) || consume(.analyse) { analyze = true }
            if consume(.verbose) { verbose = true }
        }
        let statement = try parseStatement()
        return .explain(ExplainStatement(statement: statement, analyze: analyze, verbose: verbose))
    }
}
