/// A scalar SQL expression with the location of its first token.
///
/// The tree shape encodes PostgreSQL 16 operator precedence; parentheses in the source are not kept
/// (they only shape the tree), and ``description`` re-inserts exactly the ones needed.
public struct Expression: Sendable, Hashable {
    /// What the expression is.
    public var kind: ExpressionKind
    /// Where it starts in the source (for carets under bad column names and type errors).
    public var location: SourceLocation

    /// Creates an expression node.
    public init(_ kind: ExpressionKind, location: SourceLocation = .unknown) {
        self.kind = kind
        self.location = location
    }
}

/// The kinds of ``Expression``.
public indirect enum ExpressionKind: Sendable, Hashable {
    /// An integer literal that fits in `Int64` (always non-negative from the parser; `-1` is
    /// unary minus applied to `1`).
    case integerLiteral(Int64)
    /// An integer literal too large for `Int64`, as written.
    case numericLiteral(String)
    /// A decimal or exponent literal as written (`1.5`, `.5`, `1.`, `1e10`).
    case decimalLiteral(String)
    /// A string literal (decoded).
    case stringLiteral(String)
    /// A blob literal `X'…'`.
    case blobLiteral([UInt8])
    /// `TRUE` or `FALSE`.
    case booleanLiteral(Bool)
    /// `NULL`.
    case null
    /// `DEFAULT` as a value in `INSERT … VALUES` rows and `UPDATE … SET`; the parser produces it nowhere else.
    case defaultValue
    /// A parameter, 1-based: `$n` is `n`; each `?` gets the next index in the statement.
    case parameter(Int)
    /// A column reference, optionally qualified (`t.c`, `s.t.c`; `excluded.c` in ON CONFLICT).
    case columnRef(table: ObjectName?, column: String)
    /// A prefix operator.
    case unary(UnaryOperator, Expression)
    /// An infix operator, including `AND` and `OR`.
    case binary(BinaryOperator, Expression, Expression)
    /// `x IS NULL` (`ISNULL`), or with `negated`, `x IS NOT NULL` (`NOTNULL`).
    case isNull(Expression, negated: Bool)
    /// `x IS DISTINCT FROM y`, or with `negated`, `x IS NOT DISTINCT FROM y` (also SQLite's `x IS y`).
    case isDistinctFrom(Expression, Expression, negated: Bool)
    /// `x IS [NOT] TRUE | FALSE | UNKNOWN`.
    case isTruth(Expression, TruthValue, negated: Bool)
    /// `x [NOT] BETWEEN [SYMMETRIC] low AND high`.
    case between(Expression, low: Expression, high: Expression, negated: Bool, symmetric: Bool)
    /// `x [NOT] IN (a, b, …)`; the list may be empty as in SQLite.
    case inList(Expression, [Expression], negated: Bool)
    /// `x [NOT] IN (subquery)`.
    case inSubquery(Expression, SelectStatement, negated: Bool)
    /// `[NOT] EXISTS (subquery)`.
    case exists(SelectStatement, negated: Bool)
    /// `(subquery)` used as a value.
    case scalarSubquery(SelectStatement)
    /// `x op ANY|SOME|ALL (subquery)`.
    case quantified(Expression, BinaryOperator, Quantifier, SelectStatement)
    /// `x [NOT] LIKE|ILIKE pattern [ESCAPE e]`.
    case like(Expression, pattern: Expression, escape: Expression?, caseInsensitive: Bool, negated: Bool)
    /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
    case caseWhen(CaseExpression)
    /// `CAST(x AS type)`, `x::type`, and typed literals such as `DATE '2024-01-01'`.
    case cast(Expression, TypeName)
    /// A function or aggregate call, including niladic `CURRENT_DATE` and `count(*)`.
    case function(FunctionCall)
    /// A row constructor `(a, b)` or `ROW(a)`.
    case row([Expression])
    /// `x COLLATE name`.
    case collate(Expression, String)
}

/// Prefix operators.
public enum UnaryOperator: String, Sendable, Hashable, CaseIterable {
    /// `+x`
    case plus = "+"
    /// `-x`
    case minus = "-"
    /// `NOT x`
    case not = "NOT"
    /// `~x` (bitwise not)
    case bitNot = "~"
}

/// Infix operators. Raw values are the printed spelling.
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    /// `+`
    case add = "+"
    /// `-`
    case subtract = "-"
    /// `*`
    case multiply = "*"
    /// `/`
    case divide = "/"
    /// `%`
    case modulo = "%"
    /// `^`
    case power = "^"
    /// `||`
    case concat = "||"
    /// `=` (also `==`)
    case equal = "="
    /// `<>` (also `!=`)
    case notEqual = "<>"
    /// `<`
    case less = "<"
    /// `<=`
    case lessOrEqual = "<="
    /// `>`
    case greater = ">"
    /// `>=`
    case greaterOrEqual = ">="
    /// `AND`
    case and = "AND"
    /// `OR`
    case or = "OR"
    /// `&`
    case bitAnd = "&"
    /// `|`
    case bitOr = "|"
    /// `#`
    case bitXor = "#"
    /// `<<`
    case shiftLeft = "<<"
    /// `>>`
    case shiftRight = ">>"

    /// True for `=`, `<>`, `<`, `<=`, `>`, `>=`.
    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return true
        default: return false
        }
    }
}

/// The right-hand side of `IS [NOT] …` boolean tests.
public enum TruthValue: String, Sendable, Hashable {
    /// `TRUE`
    case `true` = "TRUE"
    /// `FALSE`
    case `false` = "FALSE"
    /// `UNKNOWN` (null)
    case unknown = "UNKNOWN"
}

/// `ANY`/`SOME` (same meaning) or `ALL` for quantified comparisons.
public enum Quantifier: String, Sendable, Hashable {
    /// `ANY` / `SOME`
    case any = "ANY"
    /// `ALL`
    case all = "ALL"
}

/// `CASE [operand] WHEN condition THEN result … [ELSE result] END`.
public struct CaseExpression: Sendable, Hashable {
    /// The simple-CASE operand compared with each `WHEN`, or `nil` for a searched CASE.
    public var operand: Expression?
    /// The `WHEN … THEN …` arms, at least one.
    public var whenClauses: [WhenClause]
    /// The `ELSE` result, `nil` meaning NULL.
    public var elseResult: Expression?

    /// Creates a CASE expression.
    public init(operand: Expression?, whenClauses: [WhenClause], elseResult: Expression?) {
        self.operand = operand
        self.whenClauses = whenClauses
        self.elseResult = elseResult
    }
}

/// One `WHEN condition THEN result` arm.
public struct WhenClause: Sendable, Hashable {
    /// The condition (or the value compared with the operand in a simple CASE).
    public var condition: Expression
    /// The result when the condition holds.
    public var result: Expression

    /// Creates an arm.
    public init(condition: Expression, result: Expression) {
        self.condition = condition
        self.result = result
    }
}

/// A function or aggregate call.
public struct FunctionCall: Sendable, Hashable {
    /// The function's name, lower-cased unless quoted (`count`, `coalesce`, `current_date`).
    public var name: ObjectName
    /// Arguments; empty for `f()`, `count(*)` and niladic keywords such as `CURRENT_DATE`.
    public var arguments: [Expression]
    /// `f(DISTINCT x)`. (`f(ALL x)` is a plain call.)
    public var isDistinct: Bool
    /// `count(*)`.
    public var isStar: Bool
    /// `string_agg(x, ',' ORDER BY y)`.
    public var orderBy: [OrderItem]
    /// `FILTER (WHERE condition)`.
    public var filter: Expression?

    /// Creates a call.
    public init(name: ObjectName, arguments: [Expression] = [], isDistinct: Bool = false, isStar: Bool = false,
                orderBy: [OrderItem] = [], filter: Expression? = nil) {
        self.name = name
        self.arguments = arguments
        self.isDistinct = isDistinct
        self.isStar = isStar
        self.orderBy = orderBy
        self.filter = filter
    }

    /// SQL-standard functions written without parentheses (`CURRENT_DATE`, `LOCALTIMESTAMP`, …).
    /// A call to one of these with no arguments prints without parentheses.
    public static let niladicNames: Set<String> = [
        "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp",
        "current_user", "session_user", "user", "current_role", "current_catalog", "current_schema",
        "system_user",
    ]
}

/// One `ORDER BY` item (also used for index columns and aggregate `ORDER BY`).
public struct OrderItem: Sendable, Hashable {
    /// The sort key.
    public var expression: Expression
    /// `ASC` (the default) or `DESC`.
    public var ascending: Bool
    /// `NULLS FIRST` (`true`), `NULLS LAST` (`false`), or unspecified (`nil`: PostgreSQL sorts nulls as
    /// larger than any value, so last for ASC and first for DESC).
    public var nullsFirst: Bool?

    /// Creates an item.
    public init(expression: Expression, ascending: Bool = true, nullsFirst: Bool? = nil) {
        self.expression = expression
        self.ascending = ascending
        self.nullsFirst = nullsFirst
    }
}
