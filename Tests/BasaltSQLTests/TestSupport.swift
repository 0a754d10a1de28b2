@testable import BasaltSQL

/// Parses one statement, failing the test with the formatted error if it does not parse.
func statement(_ sql: String, options: ParserOptions = .init()) throws -> Statement {
    try Parser.parseStatement(sql, options: options)
}

/// Parses one expression and prints it back.
func printed(_ sql: String) throws -> String {
    try Parser.parseExpression(sql).description
}

/// The single select core of a simple query.
func selectCore(_ sql: String) throws -> SelectCore? {
    guard case .select(let query) = try statement(sql), case .select(let core) = query.body else { return nil }
    return core
}

/// The error a statement produces, or `nil` if it parses.
func syntaxError(_ sql: String, options: ParserOptions = .init()) -> SQLSyntaxError? {
    do {
        _ = try Parser.parse(sql, options: options)
        return nil
    } catch {
        return error
    }
}

/// Shorthand for a column reference expression.
func column(_ name: String, table: String? = nil) -> Expression {
    Expression(.columnRef(table: table.map { ObjectName(name: $0) }, column: name))
}

/// Shorthand for an integer literal expression.
func integer(_ value: Int64) -> Expression {
    Expression(.integerLiteral(value))
}
