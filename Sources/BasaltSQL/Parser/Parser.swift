/// Options for ``Parser``.
public struct ParserOptions: Sendable, Equatable {
    /// Maximum nesting of expressions, subqueries and joins. Deeper input is rejected with SQLSTATE
    /// `54001` ("statement is too complex") instead of overflowing the stack.
    public var maxDepth: Int
    /// When `true`, `UNION`, `INTERSECT` and `EXCEPT` have equal precedence and associate left, as in
    /// SQLite (needed to run SQLite's sqllogictest corpus faithfully). When `false` (the default),
    /// `INTERSECT` binds tighter, as in PostgreSQL and the SQL standard.
    public var sqliteCompoundPrecedence: Bool

    /// Creates options.
    public init(maxDepth: Int = 200, sqliteCompoundPrecedence: Bool = false) {
        self.maxDepth = maxDepth
        self.sqliteCompoundPrecedence = sqliteCompoundPrecedence
    }
}

/// One statement of a script with the source range it came from and its parameter count.
public struct ParsedStatement: Sendable, Hashable {
    /// The statement.
    public var statement: Statement
    /// UTF-8 byte range of the statement's text in the script (without the trailing `;`).
    public var sourceRange: Range<Int>
    /// The highest parameter index used (`$n` or the number of `?`), 0 when none.
    public var parameterCount: Int

    /// Creates a parsed statement.
    public init(statement: Statement, sourceRange: Range<Int>, parameterCount: Int) {
        self.statement = statement
        self.sourceRange = sourceRange
        self.parameterCount = parameterCount
    }
}

/// A recursive-descent parser for Basalt's SQL dialect: PostgreSQL's, plus the SQLite forms that
/// SQLite's sqllogictest corpus uses (`INSERT OR REPLACE`, `REPLACE INTO`, `LIMIT m, n`, `IN ()`,
/// `==`, `CREATE TRIGGER … BEGIN … END`, `REINDEX`).
///
/// Use the static entry points; a `Parser` value is single-use state over one token array.
/// Recursion is bounded by ``ParserOptions/maxDepth`` and every loop consumes a token or exits, so the
/// parser terminates with a statement list or a ``SQLSyntaxError`` on any input.
public struct Parser {
    let source: [UInt8]
    let tokens: [Token]
    let options: ParserOptions
    /// Index of the current token; never past the final ``TokenKind/endOfInput``.
    var index = 0
    /// Current nesting depth, checked against ``ParserOptions/maxDepth``.
    var depth = 0
    /// Number of `?` parameters seen in the current statement.
    var positionalParameters = 0
    /// Highest `$n` seen in the current statement.
    var highestNumberedParameter = 0

    init(source: String, options: ParserOptions) {
        let lexer = Lexer(source)
        self.source = lexer.bytes
        self.tokens = lexer.tokenize()
        self.options = options
    }

    // MARK: - Entry points

    /// Parses a script of `;`-separated statements; empty statements are skipped.
    public static func parse(_ sql: String, options: ParserOptions = .init()) throws(SQLSyntaxError) -> [Statement] {
        try parseScript(sql, options: options).map(\.statement)
    }

    /// Parses a script and reports each statement's source range and parameter count.
    public static func parseScript(_ sql: String, options: ParserOptions = .init()) throws(SQLSyntaxError) -> [ParsedStatement] {
        var parser = Parser(source: sql, options: options)
        var result: [ParsedStatement] = []
        while true {
            while parser.consume(.semicolon) {}
            if parser.isAtEnd { break }
            let start = parser.current.range.lowerBound
            parser.positionalParameters = 0
            parser.highestNumberedParameter = 0
            let statement = try parser.parseStatement()
            let end = parser.previousEnd
            result.append(ParsedStatement(statement: statement, sourceRange: start..<max(start, end),
                                          parameterCount: max(parser.positionalParameters, parser.highestNumberedParameter)))
            if !parser.isAtEnd && !parser.check(.semicolon) {
                throw parser.syntaxError(expected: [";"])
            }
        }
        return result
    }

    /// Parses exactly one statement (a trailing `;` is allowed).
    public static func parseStatement(_ sql: String, options: ParserOptions = .init()) throws(SQLSyntaxError) -> Statement {
        var parser = Parser(source: sql, options: options)
        while parser.consume(.semicolon) {}
        if parser.isAtEnd { throw parser.syntaxError(expected: ["statement"]) }
        let statement = try parser.parseStatement()
        while parser.consume(.semicolon) {}
        if !parser.isAtEnd { throw parser.syntaxError(expected: ["end of input"]) }
        return statement
    }

    /// Parses a single scalar expression (for tests, defaults stored in a catalog, and tools).
    public static func parseExpression(_ sql: String, options: ParserOptions = .init()) throws(SQLSyntaxError) -> Expression {
        var parser = Parser(source: sql, options: options)
        let expression = try parser.parseExpression()
        if !parser.isAtEnd { throw parser.syntaxError(expected: ["end of input"]) }
        return expression
    }

    // MARK: - Token access

    var current: Token { tokens[index] }

    var isAtEnd: Bool {
        if case .endOfInput = tokens[index].kind { return true }
        return false
    }

    /// The kind of the token `offset` positions ahead (clamped to end of input).
    func peek(_ offset: Int = 1) -> TokenKind {
        tokens[min(index + offset, tokens.count - 1)].kind
    }

    /// End offset of the most recently consumed token.
    var previousEnd: Int { index > 0 ? tokens[index - 1].range.upperBound : 0 }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    func check(_ symbol: Symbol) -> Bool {
        if case .symbol(let found) = current.kind { return found == symbol }
        return false
    }

    func check(_ keyword: Keyword) -> Bool {
        if case .keyword(let found) = current.kind { return found == keyword }
        return false
    }

    func peekIs(_ keyword: Keyword, _ offset: Int = 1) -> Bool {
        if case .keyword(let found) = peek(offset) { return found == keyword }
        return false
    }

    func peekIs(_ symbol: Symbol, _ offset: Int = 1) -> Bool {
        if case .symbol(let found) = peek(offset) { return found == symbol }
        return false
    }

    mutating func consume(_ symbol: Symbol) -> Bool {
        guard check(symbol) else { return false }
        advance()
        return true
    }

    mutating func consume(_ keyword: Keyword) -> Bool {
        guard check(keyword) else { return false }
        advance()
        return true
    }

    mutating func expect(_ symbol: Symbol) throws(SQLSyntaxError) {
        guard consume(symbol) else { throw syntaxError(expected: [symbol.rawValue]) }
    }

    mutating func expect(_ keyword: Keyword) throws(SQLSyntaxError) {
        guard consume(keyword) else { throw syntaxError(expected: [keyword.rawValue.uppercased()]) }
    }

    /// Whether the current token is an unquoted word spelled `word` (keyword or identifier); used for
    /// context words that are not keywords (`btree`, `query`).
    func checkWord(_ word: String) -> Bool {
        switch current.kind {
        case .identifier(let text): return text == word
        case .keyword(let keyword): return keyword.rawValue == word
        default: return false
        }
    }

    // MARK: - Names

    /// A column, table or alias name (PostgreSQL's `ColId`): an identifier, a quoted identifier, or an
    /// unreserved or column-name keyword.
    mutating func parseIdentifier(expected: String = "identifier") throws(SQLSyntaxError) -> String {
        guard let name = identifierText(current.kind, allowing: .columnName) else {
            throw syntaxError(expected: [expected])
        }
        advance()
        return name
    }

    /// Any word, including reserved keywords (PostgreSQL's `ColLabel`, used after `AS` and `.`).
    mutating func parseLabel(expected: String = "identifier") throws(SQLSyntaxError) -> String {
        switch current.kind {
        case .identifier(let text), .quotedIdentifier(let text):
            advance()
            return text
        case .keyword(let keyword):
            advance()
            return keyword.rawValue
        default:
            throw syntaxError(expected: [expected])
        }
    }

    /// The name a token spells if it may stand for an identifier where keywords up to `category` are allowed.
    func identifierText(_ kind: TokenKind, allowing category: KeywordCategory) -> String? {
        switch kind {
        case .identifier(let text), .quotedIdentifier(let text):
            return text
        case .keyword(let keyword):
            switch (keyword.category, category) {
            case (.unreserved, _): return keyword.rawValue
            case (.columnName, .columnName): return keyword.rawValue
            case (.typeOrFunctionName, .typeOrFunctionName): return keyword.rawValue
            case (.columnName, .reserved), (.typeOrFunctionName, .reserved), (.reserved, .reserved): return keyword.rawValue
            default: return nil
            }
        default:
            return nil
        }
    }

    /// `[schema.]name`.
    mutating func parseObjectName(expected: String = "name") throws(SQLSyntaxError) -> ObjectName {
        let first = try parseIdentifier(expected: expected)
        if consume(.dot) {
            let second = try parseLabel(expected: expected)
            return ObjectName(schema: first, name: second)
        }
        return ObjectName(name: first)
    }

    /// `(name, name, …)`.
    mutating func parseParenthesizedIdentifiers() throws(SQLSyntaxError) -> [String] {
        try expect(.leftParen)
        var names: [String] = []
        repeat {
            names.append(try parseIdentifier(expected: "column name"))
        } while consume(.comma)
        try expect(.rightParen)
        return names
    }

    // MARK: - Nesting

    /// Counts one level of nesting; throws 54001 beyond ``ParserOptions/maxDepth``.
    mutating func enterNesting() throws(SQLSyntaxError) {
        depth += 1
        if depth > options.maxDepth {
            throw SQLSyntaxError(sqlState: SQLSyntaxError.tooComplexState,
                                 message: "statement is too complex (nesting deeper than \(options.maxDepth))",
                                 offset: current.range.lowerBound, source: source)
        }
    }

    mutating func leaveNesting() {
        depth -= 1
    }

    // MARK: - Errors

    /// The text of a token as written, for messages.
    func text(of token: Token) -> String {
        let range = token.range.clamped(to: 0..<source.count)
        return String(decoding: source[range], as: UTF8.self)
    }

    /// A syntax error at the current token in PostgreSQL's wording.
    func syntaxError(expected: [String]) -> SQLSyntaxError {
        syntaxError(at: current, expected: expected)
    }

    /// A syntax error at `token`: `at end of input`, `at or near "text"`, or a lexical error's own message.
    func syntaxError(at token: Token, expected: [String]) -> SQLSyntaxError {
        switch token.kind {
        case .endOfInput:
            return SQLSyntaxError(message: "syntax error at end of input", expected: expected,
                                  offset: source.count, source: source)
        case .invalid(let message, let sqlState):
            let fullMessage: String
            if message.contains(" at or near ") {
                fullMessage = message
            } else {
                let snippet = text(of: token)
                let shown = snippet.count > 40 ? String(snippet.prefix(40)) + "…" : snippet
                fullMessage = "\(message) at or near \"\(shown)\""
            }
            return SQLSyntaxError(sqlState: sqlState, message: fullMessage, expected: [],
                                  offset: token.range.lowerBound, source: source)
        default:
            return SQLSyntaxError(message: "syntax error at or near \"\(text(of: token))\"", expected: expected,
                                  offset: token.range.lowerBound, source: source)
        }
    }

    /// An error with a custom message at a given token (lexical errors keep their own message).
    func error(_ message: String, at token: Token, sqlState: String = SQLSyntaxError.syntaxErrorState) -> SQLSyntaxError {
        if case .invalid = token.kind { return syntaxError(at: token, expected: []) }
        if case .endOfInput = token.kind {
            return SQLSyntaxError(sqlState: sqlState, message: message, offset: source.count, source: source)
        }
        return SQLSyntaxError(sqlState: sqlState, message: message, offset: token.range.lowerBound, source: source)
    }
}
