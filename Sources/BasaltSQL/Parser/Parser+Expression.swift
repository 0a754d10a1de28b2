/// Expression parsing: precedence climbing over ``OperatorPrecedence`` levels.
///
/// Prefix operators parse their operand at their own level, the way a yacc grammar with `%prec`
/// does: `NOT - 79 >= NULL` is `NOT ((-79) >= NULL)`, and a low-precedence prefix inside a tighter
/// context (`1 + NOT x = y`) still extends over everything that binds tighter than itself.
extension Parser {
    /// What a parenthesized group turned out to contain.
    enum ParenthesizedContent {
        /// `(query)`.
        case query(SelectStatement)
        /// `(e1, e2, …)`: one or more expressions (zero only where allowed).
        case expressions([Expression])
    }

    /// Parses an expression whose operators all bind at least as tightly as `minPrecedence`.
    mutating func parseExpression(minPrecedence: Int = 0) throws(SQLSyntaxError) -> Expression {
        try enterNesting()
        defer { leaveNesting() }
        let left = try parsePrefix()
        return try parseInfix(left: left, minPrecedence: minPrecedence)
    }

    /// Prefix operators, then a primary with its postfix `::`/`COLLATE`.
    mutating func parsePrefix() throws(SQLSyntaxError) -> Expression {
        let token = current
        switch token.kind {
        case .keyword(.not):
            advance()
            let operand = try parseExpression(minPrecedence: OperatorPrecedence.not + 1)
            if case .exists(let query, false) = operand.kind {
                return Expression(.exists(query, negated: true), location: token.location)
            }
            return Expression(.unary(.not, operand), location: token.location)
        case .symbol(.minus), .symbol(.plus):
            advance()
            let operand = try parseExpression(minPrecedence: OperatorPrecedence.unary)
            let op: UnaryOperator = token.kind == .symbol(.minus) ? .minus : .plus
            return Expression(.unary(op, operand), location: token.location)
        case .symbol(.tilde):
            advance()
            let operand = try parseExpression(minPrecedence: OperatorPrecedence.additive)
            return Expression(.unary(.bitNot, operand), location: token.location)
        default:
            let primary = try parsePrimary()
            return try parsePostfix(primary)
        }
    }

    /// `expr::type` and `expr COLLATE name`, which bind tighter than any prefix or infix operator.
    mutating func parsePostfix(_ operand: Expression) throws(SQLSyntaxError) -> Expression {
        var result = operand
        while true {
            if consume(.doubleColon) {
                let type = try parseTypeName()
                result = Expression(.cast(result, type), location: result.location)
            } else if check(.collate) {
                advance()
                let collation = try parseLabel(expected: "collation name")
                result = Expression(.collate(result, collation), location: result.location)
            } else {
                return result
            }
        }
    }

    /// The infix/postfix loop: extends `left` with operators binding at least `minPrecedence`.
    mutating func parseInfix(left start: Expression, minPrecedence: Int) throws(SQLSyntaxError) -> Expression {
        var left = start
        while true {
            let token = current
            let location = left.location
            switch token.kind {
            case .keyword(.or), .keyword(.and):
                let op: BinaryOperator = token.kind == .keyword(.or) ? .or : .and
                let level = OperatorPrecedence.of(op)
                guard level >= minPrecedence else { return left }
                advance()
                let right = try parseExpression(minPrecedence: level + 1)
                left = Expression(.binary(op, left, right), location: location)

            case .keyword(.is):
                guard OperatorPrecedence.isTest >= minPrecedence else { return left }
                advance()
                left = try parseIsTest(left)

            case .keyword(.isnull), .keyword(.notnull):
                guard OperatorPrecedence.isTest >= minPrecedence else { return left }
                advance()
                left = Expression(.isNull(left, negated: token.kind == .keyword(.notnull)), location: location)

            case .keyword(.not):
                // `NOT` in infix position: `x NOT BETWEEN|IN|LIKE|ILIKE …`, or SQLite's `x NOT NULL`.
                if peekIs(.null) {
                    guard OperatorPrecedence.isTest >= minPrecedence else { return left }
                    advance()
                    advance()
                    left = Expression(.isNull(left, negated: true), location: location)
                    continue
                }
                guard peekIs(.between) || peekIs(.in) || peekIs(.like) || peekIs(.ilike) else { return left }
                guard OperatorPrecedence.patternMatch >= minPrecedence else { return left }
                advance()
                left = try parsePatternMatch(left, negated: true)

            case .keyword(.between), .keyword(.in), .keyword(.like), .keyword(.ilike):
                guard OperatorPrecedence.patternMatch >= minPrecedence else { return left }
                left = try parsePatternMatch(left, negated: false)

            case .symbol(let symbol):
                guard let op = Parser.binaryOperator(for: symbol) else { return left }
                let level = OperatorPrecedence.of(op)
                guard level >= minPrecedence else { return left }
                advance()
                if op.isComparison, let quantifier = currentQuantifier() {
                    let quantifierToken = current
                    advance()
                    guard case .query(let query) = try parseParenthesized(allowEmpty: false) else {
                        throw error("\(quantifier.rawValue) needs a subquery", at: quantifierToken,
                                    sqlState: SQLSyntaxError.featureNotSupportedState)
                    }
                    left = Expression(.quantified(left, op, quantifier, query), location: location)
                    continue
                }
                let right = try parseExpression(minPrecedence: level + 1)
                left = Expression(.binary(op, left, right), location: location)

            default:
                return left
            }
        }
    }

    static func binaryOperator(for symbol: Symbol) -> BinaryOperator? {
        switch symbol {
        case .plus: return .add
        case .minus: return .subtract
        case .star: return .multiply
        case .slash: return .divide
        case .percent: return .modulo
        case .caret: return .power
        case .concat: return .concat
        case .equal, .doubleEqual: return .equal
        case .notEqual, .bangEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessOrEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterOrEqual
        case .ampersand: return .bitAnd
        case .pipe: return .bitOr
        case .hash: return .bitXor
        case .shiftLeft: return .shiftLeft
        case .shiftRight: return .shiftRight
        default: return nil
        }
    }

    /// `ANY`/`SOME`/`ALL` followed by `(` after a comparison operator.
    func currentQuantifier() -> Quantifier? {
        guard peekIs(.leftParen) else { return nil }
        switch current.kind {
        case .keyword(.any), .keyword(.some): return .any
        case .keyword(.all): return .all
        default: return nil
        }
    }

    /// After `IS`: `[NOT] NULL | TRUE | FALSE | UNKNOWN | DISTINCT FROM expr | expr` (the last is SQLite's
    /// null-safe equality, the same as `IS NOT DISTINCT FROM`).
    mutating func parseIsTest(_ left: Expression) throws(SQLSyntaxError) -> Expression {
        let negated = consume(.not)
        let location = left.location
        switch current.kind {
        case .keyword(.null):
            advance()
            return Expression(.isNull(left, negated: negated), location: location)
        case .keyword(.true):
            advance()
            return Expression(.isTruth(left, .true, negated: negated), location: location)
        case .keyword(.false):
            advance()
            return Expression(.isTruth(left, .false, negated: negated), location: location)
        case .keyword(.unknown):
            advance()
            return Expression(.isTruth(left, .unknown, negated: negated), location: location)
        case .keyword(.distinct):
            advance()
            try expect(.from)
            let right = try parseExpression(minPrecedence: OperatorPrecedence.isTest + 1)
            return Expression(.isDistinctFrom(left, right, negated: negated), location: location)
        default:
            let right = try parseExpression(minPrecedence: OperatorPrecedence.isTest + 1)
            return Expression(.isDistinctFrom(left, right, negated: !negated), location: location)
        }
    }

    /// `BETWEEN`, `IN`, `LIKE`, `ILIKE` after the optional `NOT` has been consumed.
    mutating func parsePatternMatch(_ left: Expression, negated: Bool) throws(SQLSyntaxError) -> Expression {
        let location = left.location
        let operandLevel = OperatorPrecedence.patternMatch + 1
        let token = current
        advance()
        switch token.kind {
        case .keyword(.between):
            var symmetric = false
            if consume(.symmetric) { symmetric = true } else { _ = consume(.asymmetric) }
            let low = try parseExpression(minPrecedence: operandLevel)
            try expect(.and)
            let high = try parseExpression(minPrecedence: operandLevel)
            return Expression(.between(left, low: low, high: high, negated: negated, symmetric: symmetric),
                              location: location)
        case .keyword(.in):
            guard check(.leftParen) else { throw syntaxError(expected: ["("]) }
            switch try parseParenthesized(allowEmpty: true) {
            case .query(let query):
                return Expression(.inSubquery(left, query, negated: negated), location: location)
            case .expressions(let list):
                return Expression(.inList(left, list, negated: negated), location: location)
            }
        default:
            let caseInsensitive = token.kind == .keyword(.ilike)
            let pattern = try parseExpression(minPrecedence: operandLevel)
            var escape: Expression? = nil
            if consume(.escape) {
                escape = try parseExpression(minPrecedence: operandLevel)
            }
            return Expression(.like(left, pattern: pattern, escape: escape, caseInsensitive: caseInsensitive,
                                    negated: negated), location: location)
        }
    }

    // MARK: - Primaries

    /// Literals, parameters, names, calls, CASE, CAST, EXISTS and parenthesized groups.
    mutating func parsePrimary() throws(SQLSyntaxError) -> Expression {
        let token = current
        let location = token.location
        switch token.kind {
        case .integer(let text):
            advance()
            if let value = Int64(text) { return Expression(.integerLiteral(value), location: location) }
            return Expression(.numericLiteral(text), location: location)
        case .decimal(let text):
            advance()
            return Expression(.decimalLiteral(text), location: location)
        case .string(let text):
            advance()
            return Expression(.stringLiteral(text), location: location)
        case .blob(let bytes):
            advance()
            return Expression(.blobLiteral(bytes), location: location)
        case .parameter(let number):
            guard number >= 1 else {
                throw error("there is no parameter $\(number)", at: token, sqlState: "42P02")
            }
            guard positionalParameters == 0 else {
                throw error("cannot mix $n and ? parameters in one statement", at: token)
            }
            advance()
            highestNumberedParameter = max(highestNumberedParameter, number)
            return Expression(.parameter(number), location: location)
        case .symbol(.question):
            guard highestNumberedParameter == 0 else {
                throw error("cannot mix $n and ? parameters in one statement", at: token)
            }
            advance()
            positionalParameters += 1
            return Expression(.parameter(positionalParameters), location: location)
        case .symbol(.leftParen):
            switch try parseParenthesized(allowEmpty: false) {
            case .query(let query):
                return Expression(.scalarSubquery(query), location: location)
            case .expressions(let list):
                if list.count == 1 { return list[0] }
                return Expression(.row(list), location: location)
            }
        case .keyword(let keyword):
            return try parseKeywordPrimary(keyword, token: token)
        case .identifier, .quotedIdentifier:
            return try parseNamePrimary()
        default:
            throw syntaxError(expected: ["expression"])
        }
    }

    /// Primaries that start with a keyword.
    mutating func parseKeywordPrimary(_ keyword: Keyword, token: Token) throws(SQLSyntaxError) -> Expression {
        let location = token.location
        switch keyword {
        case .true, .false:
            advance()
            return Expression(.booleanLiteral(keyword == .true), location: location)
        case .null:
            advance()
            return Expression(.null, location: location)
        case .case:
            return try parseCase()
        case .cast:
            advance()
            try expect(.leftParen)
            let operand = try parseExpression()
            try expect(.as)
            let type = try parseTypeName()
            try expect(.rightParen)
            return Expression(.cast(operand, type), location: location)
        case .exists:
            guard peekIs(.leftParen) else { break }
            advance()
            guard case .query(let query) = try parseParenthesized(allowEmpty: false) else {
                throw error("EXISTS needs a subquery", at: token)
            }
            return Expression(.exists(query, negated: false), location: location)
        case .row:
            guard peekIs(.leftParen) else { break }
            advance()
            advance()
            var items: [Expression] = []
            if !check(.rightParen) {
                repeat { items.append(try parseExpression()) } while consume(.comma)
            }
            try expect(.rightParen)
            return Expression(.row(items), location: location)
        case .extract where peekIs(.leftParen):
            if case .keyword(.from) = peek(3), identifierText(peek(2), allowing: .reserved) != nil {
                advance()
                advance()
                let field = try parseLabel()
                try expect(.from)
                let source = try parseExpression()
                try expect(.rightParen)
                let call = FunctionCall(name: ObjectName(name: "extract"),
                                        arguments: [Expression(.stringLiteral(field), location: location), source])
                return Expression(.function(call), location: location)
            }
        case .currentDate, .currentTime, .currentTimestamp, .localtime, .localtimestamp, .currentUser,
             .sessionUser, .user, .currentRole, .currentCatalog, .currentSchema, .systemUser:
            advance()
            var call = FunctionCall(name: ObjectName(name: keyword.rawValue))
            if check(.leftParen) && keyword != .currentDate && keyword != .user {
                call = try parseFunctionArguments(name: call.name)
            }
            return Expression(.function(call), location: location)
        default:
            break
        }
        switch keyword.category {
        case .unreserved, .columnName:
            return try parseNamePrimary()
        case .typeOrFunctionName where peekIs(.leftParen):
            return try parseNamePrimary()
        default:
            throw syntaxError(expected: ["expression"])
        }
    }

    /// Column references (`c`, `t.c`, `s.t.c`), function calls (`f(…)`, `s.f(…)`) and typed literals
    /// (`DATE '2024-01-01'`).
    mutating func parseNamePrimary() throws(SQLSyntaxError) -> Expression {
        let first = current
        let location = first.location
        guard let firstName = identifierText(first.kind, allowing: .reserved) else {
            throw syntaxError(expected: ["expression"])
        }
        advance()
        if case .string(let literal) = current.kind, first.kind != .quotedIdentifier(firstName) {
            // `type 'literal'`: PostgreSQL's typed literal, the same as CAST('literal' AS type).
            let literalToken = current
            advance()
            let type = TypeName(name: firstName, location: location)
            return Expression(.cast(Expression(.stringLiteral(literal), location: literalToken.location), type),
                              location: location)
        }
        var parts = [firstName]
        while check(.dot) {
            guard let part = identifierText(peek(), allowing: .reserved) else {
                advance()
                throw syntaxError(expected: ["column name"])
            }
            advance()
            advance()
            parts.append(part)
        }
        if check(.leftParen) {
            guard parts.count <= 2 else { throw error("improper qualified name (too many dotted names)", at: first) }
            let name = parts.count == 2 ? ObjectName(schema: parts[0], name: parts[1]) : ObjectName(name: parts[0])
            let call = try parseFunctionArguments(name: name)
            return Expression(.function(call), location: location)
        }
        switch parts.count {
        case 1:
            return Expression(.columnRef(table: nil, column: parts[0]), location: location)
        case 2:
            return Expression(.columnRef(table: ObjectName(name: parts[0]), column: parts[1]), location: location)
        case 3:
            return Expression(.columnRef(table: ObjectName(schema: parts[0], name: parts[1]), column: parts[2]),
                              location: location)
        default:
            throw error("improper qualified name (too many dotted names)", at: first)
        }
    }

    /// `( [* | [DISTINCT|ALL] args [ORDER BY …]] ) [FILTER (WHERE …)]` after a function name.
    mutating func parseFunctionArguments(name: ObjectName) throws(SQLSyntaxError) -> FunctionCall {
        try enterNesting()
        defer { leaveNesting() }
        try expect(.leftParen)
        var call = FunctionCall(name: name)
        if consume(.star) {
            call.isStar = true
        } else if !check(.rightParen) {
            if consume(.distinct) {
                call.isDistinct = true
            } else {
                _ = consume(.all)
            }
            repeat { call.arguments.append(try parseExpression()) } while consume(.comma)
            if check(.order) {
                advance()
                try expect(.by)
                call.orderBy = try parseOrderItems()
            }
        }
        try expect(.rightParen)
        if check(.filter) && peekIs(.leftParen) {
            advance()
            advance()
            try expect(.where)
            call.filter = try parseExpression()
            try expect(.rightParen)
        }
        if check(.over) {
            throw error("window functions are not supported", at: current, sqlState: SQLSyntaxError.featureNotSupportedState)
        }
        return call
    }

    /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
    mutating func parseCase() throws(SQLSyntaxError) -> Expression {
        try enterNesting()
        defer { leaveNesting() }
        let location = current.location
        try expect(.case)
        var operand: Expression? = nil
        if !check(.when) { operand = try parseExpression() }
        var arms: [WhenClause] = []
        while consume(.when) {
            let condition = try parseExpression()
            try expect(.then)
            let result = try parseExpression()
            arms.append(WhenClause(condition: condition, result: result))
        }
        if arms.isEmpty { throw syntaxError(expected: ["WHEN"]) }
        var elseResult: Expression? = nil
        if consume(.else) { elseResult = try parseExpression() }
        guard consume(.end) else { throw syntaxError(expected: arms.isEmpty ? ["WHEN"] : ["WHEN", "ELSE", "END"]) }
        return Expression(.caseWhen(CaseExpression(operand: operand, whenClauses: arms, elseResult: elseResult)),
                          location: location)
    }

    /// Whether the tokens from `start`, after any number of `(`, begin a query.
    func startsQuery(at start: Int) -> Bool {
        var position = start
        while position < tokens.count, case .symbol(.leftParen) = tokens[position].kind { position += 1 }
        guard position < tokens.count, case .keyword(let keyword) = tokens[position].kind else { return false }
        return keyword == .select || keyword == .values || keyword == .with || keyword == .table
    }

    /// A parenthesized group at the current `(`: a query, or a comma list of expressions.
    ///
    /// `((SELECT 1) + 1)`, `((SELECT 1) UNION SELECT 2)` and `((SELECT 1))` are told apart without
    /// backtracking: a nested group that held a query continues as a query when a set operator or
    /// ORDER BY/LIMIT follows, and as an expression operand otherwise.
    mutating func parseParenthesized(allowEmpty: Bool) throws(SQLSyntaxError) -> ParenthesizedContent {
        try enterNesting()
        defer { leaveNesting() }
        try expect(.leftParen)
        if case .keyword(let keyword) = current.kind,
           keyword == .select || keyword == .values || keyword == .with || keyword == .table {
            let query = try parseSelectStatement()
            try expect(.rightParen)
            return .query(query)
        }
        if allowEmpty && consume(.rightParen) { return .expressions([]) }
        var first: Expression
        if check(.leftParen) && startsQuery(at: index) {
            let innerLocation = current.location
            switch try parseParenthesized(allowEmpty: false) {
            case .query(let inner):
                if continuesQuery() {
                    let query = try parseSelectStatement(leading: .parenthesized(inner), location: innerLocation)
                    try expect(.rightParen)
                    return .query(query)
                }
                if consume(.rightParen) { return .query(inner) }
                first = Expression(.scalarSubquery(inner), location: innerLocation)
            case .expressions(let list):
                first = list.count == 1 ? list[0] : Expression(.row(list), location: innerLocation)
            }
            first = try parsePostfix(first)
            first = try parseInfix(left: first, minPrecedence: 0)
        } else {
            first = try parseExpression()
        }
        var list = [first]
        while consume(.comma) { list.append(try parseExpression()) }
        try expect(.rightParen)
        return .expressions(list)
    }

    /// Whether the current token continues a query after a parenthesized query operand.
    func continuesQuery() -> Bool {
        switch current.kind {
        case .keyword(.union), .keyword(.intersect), .keyword(.except), .keyword(.order), .keyword(.limit),
             .keyword(.offset), .keyword(.fetch):
            return true
        default:
            return false
        }
    }

    // MARK: - Types

    /// A type name with modifiers and array brackets (see ``TypeName``).
    mutating func parseTypeName() throws(SQLSyntaxError) -> TypeName {
        let start = current
        guard let first = identifierText(start.kind, allowing: .typeOrFunctionName)
                ?? identifierText(start.kind, allowing: .columnName) else {
            throw syntaxError(expected: ["type name"])
        }
        advance()
        var name = first
        switch first {
        case "double":
            if consume(.precision) { name = "double precision" }
        case "character", "char", "nchar", "varchar":
            if consume(.varying) { name = "character varying" }
        case "national":
            if consume(.character) || consume(.char) {
                name = consume(.varying) ? "character varying" : "character"
            }
        case "bit":
            if consume(.varying) { name = "bit varying" }
        default:
            if case .identifier = start.kind, check(.dot) {
                advance()
                name += "." + (try parseLabel(expected: "type name"))
            }
        }
        var modifiers: [Int] = []
        if consume(.leftParen) {
            repeat {
                let token = current
                var negative = false
                if consume(.minus) { negative = true }
                guard case .integer(let text) = current.kind, let value = Int(text), value <= Int(Int32.max) else {
                    throw error("type modifiers must be integer constants", at: token)
                }
                advance()
                modifiers.append(negative ? -value : value)
            } while consume(.comma)
            try expect(.rightParen)
        }
        if name == "timestamp" || name == "time" {
            if check(.with) && peekIs(.time) && peekIs(.zone, 2) {
                advance(); advance(); advance()
                name += " with time zone"
            } else if check(.without) && peekIs(.time) && peekIs(.zone, 2) {
                advance(); advance(); advance()
            }
        }
        var dimensions = 0
        while check(.leftBracket) {
            advance()
            if case .integer = current.kind { advance() }
            try expect(.rightBracket)
            dimensions += 1
        }
        return TypeName(name: name, modifiers: modifiers, arrayDimensions: dimensions,
                        location: start.location)
    }
}
