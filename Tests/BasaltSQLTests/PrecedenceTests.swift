import Testing
@testable import BasaltSQL

/// Operator precedence follows PostgreSQL 16; the printer shows the tree with minimal parentheses.
@Suite struct PrecedenceTests {
    @Test(arguments: [
        ("1 + 2 * 3", "1 + 2 * 3"),
        ("(1 + 2) * 3", "(1 + 2) * 3"),
        ("1 - 2 - 3", "1 - 2 - 3"),
        ("1 - (2 - 3)", "1 - (2 - 3)"),
        ("NOT - 79 >= NULL", "NOT -79 >= NULL"),
        ("- - 96", "- -96"),
        ("+ + COUNT(*)", "+ +count(*)"),
        ("- 2 ^ 2", "-2 ^ 2"),
        ("-(2 ^ 2)", "-(2 ^ 2)"),
        ("2 ^ 3 ^ 2", "2 ^ 3 ^ 2"),
        ("a OR b AND c", "a OR b AND c"),
        ("(a OR b) AND c", "(a OR b) AND c"),
        ("NOT a AND b", "NOT a AND b"),
        ("NOT (a AND b)", "NOT (a AND b)"),
        ("a = b IS NULL", "a = b IS NULL"),
        ("a = (b IS NULL)", "a = (b IS NULL)"),
        ("a BETWEEN 1 AND 2 AND c", "a BETWEEN 1 AND 2 AND c"),
        ("a NOT BETWEEN b + 1 AND c * 2", "a NOT BETWEEN b + 1 AND c * 2"),
        ("a || b + c", "a || b + c"),
        ("(a || b) + c", "(a || b) + c"),
        ("a < b = c", "(a < b) = c"),
        ("a & b | c << 2", "a & b | c << 2"),
        ("~ a + b", "~a + b"),
        ("(~a) + b", "(~a) + b"),
        ("a LIKE 'x%' OR b NOT ILIKE 'y' ESCAPE '!'", "a LIKE 'x%' OR b NOT ILIKE 'y' ESCAPE '!'"),
        ("a IN (1, 2) = TRUE", "a IN (1, 2) = TRUE"),
        ("x::int + 1", "CAST(x AS int) + 1"),
        ("-x::int", "-CAST(x AS int)"),
        ("a ISNULL", "a IS NULL"),
        ("a NOTNULL", "a IS NOT NULL"),
        ("a NOT NULL", "a IS NOT NULL"),
        ("a IS NOT DISTINCT FROM b", "a IS NOT DISTINCT FROM b"),
        ("a IS b", "a IS NOT DISTINCT FROM b"),
        ("a IS NOT TRUE", "a IS NOT TRUE"),
        ("1 + NOT a = b", "1 + (NOT a = b)"),
        ("NOT EXISTS (SELECT 1)", "NOT EXISTS (SELECT 1)"),
        ("a = ANY (SELECT b FROM t)", "a = ANY (SELECT b FROM t)"),
        ("CASE WHEN a THEN 1 ELSE 2 END * 3", "CASE WHEN a THEN 1 ELSE 2 END * 3"),
        ("a == b", "a = b"),
        ("a != b", "a <> b"),
        ("a % b / c", "a % b / c"),
    ])
    func printsWithMinimalParentheses(input: String, expected: String) throws {
        #expect(try printed(input) == expected)
    }

    @Test func shapes() throws {
        let notExpression = try Parser.parseExpression("NOT - 79 >= NULL")
        guard case .unary(.not, let inner) = notExpression.kind,
              case .binary(.greaterOrEqual, let left, let right) = inner.kind,
              case .unary(.minus, let operand) = left.kind else {
            Issue.record("unexpected shape: \(notExpression)")
            return
        }
        #expect(operand == integer(79))
        #expect(right.kind == .null)

        let between = try Parser.parseExpression("a BETWEEN b AND c AND d")
        guard case .binary(.and, let first, let second) = between.kind, case .between = first.kind else {
            Issue.record("BETWEEN must bind the first AND: \(between)")
            return
        }
        #expect(second == column("d"))

        let doubleMinus = try Parser.parseExpression("- - 96")
        #expect(doubleMinus.kind == .unary(.minus, Expression(.unary(.minus, integer(96)))))
    }

    @Test func setOperationPrecedence() throws {
        let sql = "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3"
        guard case .select(let pg) = try statement(sql),
              case .setOperation(.union, false, _, let right) = pg.body,
              case .setOperation(.intersect, false, _, _) = right else {
            Issue.record("PostgreSQL: INTERSECT binds tighter")
            return
        }
        guard case .select(let lite) = try statement(sql, options: ParserOptions(sqliteCompoundPrecedence: true)),
              case .setOperation(.intersect, false, let left, _) = lite.body,
              case .setOperation(.union, false, _, _) = left else {
            Issue.record("SQLite: left-associative, equal precedence")
            return
        }
        #expect(lite.description == "(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3")
    }
}
