/// Binding strength of expression operators, lowest to highest, exactly as PostgreSQL 16's grammar
/// orders them. The parser climbs these levels and the printer uses the same table to decide where
/// parentheses are needed, so printing and parsing cannot disagree.
enum OperatorPrecedence {
    /// `OR`
    static let or = 1
    /// `AND`
    static let and = 2
    /// prefix `NOT`
    static let not = 3
    /// `IS …`, `ISNULL`, `NOTNULL`
    static let isTest = 4
    /// `< > = <= >= <>`
    static let comparison = 5
    /// `BETWEEN`, `IN`, `LIKE`, `ILIKE` (and their `NOT` forms)
    static let patternMatch = 6
    /// every other operator: `||`, `&`, `|`, `#`, `<<`, `>>`, prefix `~`
    static let otherOperator = 7
    /// binary `+ -`
    static let additive = 8
    /// `* / %`
    static let multiplicative = 9
    /// `^`
    static let power = 10
    /// prefix `+ -`
    static let unary = 11
    /// `::`, `COLLATE`, and everything that is self-delimiting (literals, calls, parentheses)
    static let primary = 12

    /// The level of an infix operator.
    static func of(_ op: BinaryOperator) -> Int {
        switch op {
        case .or: return or
        case .and: return and
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return comparison
        case .concat, .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight: return otherOperator
        case .add, .subtract: return additive
        case .multiply, .divide, .modulo: return multiplicative
        case .power: return power
        }
    }

    /// Whether chains of this level must be parenthesized when printed (PostgreSQL rejects `a < b < c`
    /// and `a IS NULL IS NULL`; this parser accepts them left-associatively, as SQLite does).
    static func isNonAssociative(_ level: Int) -> Bool {
        level == isTest || level == comparison || level == patternMatch
    }
}
