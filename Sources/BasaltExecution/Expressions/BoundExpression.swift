/// An expression after binding: names resolved to input positions, types checked and implicit casts
/// made explicit. The planner builds it; `ExpressionEvaluator` runs it a batch at a time.
package indirect enum BoundExpression {
    /// Arithmetic and other binary operators on values (`SQLValue` arithmetic semantics).
    package enum ArithmeticOperator: String, Sendable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", concatenate = "||"
        case bitAnd = "&", bitOr = "|", bitXor = "#", shiftLeft = "<<", shiftRight = ">>"
    }

    /// Comparison operators; NULL on either side gives NULL.
    package enum ComparisonOperator: String, Sendable {
        case equal = "=", notEqual = "<>", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

        @inline(__always)
        func holds(_ order: Int) -> Bool {
            switch self {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            }
        }

        /// The operator with its operands swapped (a < b  ⇔  b > a).
        package var flipped: ComparisonOperator {
            switch self {
            case .equal, .notEqual: return self
            case .less: return .greater
            case .lessOrEqual: return .greaterOrEqual
            case .greater: return .less
            case .greaterOrEqual: return .lessOrEqual
            }
        }
    }

    case constant(SQLValue)
    /// The value at this position of the input row.
    case column(Int)
    /// A column of an enclosing query's current row: `depth` 0 is the nearest enclosing query.
    case outerColumn(depth: Int, index: Int)
    /// Statement parameter, 0-based ($1 is 0).
    case parameter(Int)
    case negate(BoundExpression)
    case bitNot(BoundExpression)
    case arithmetic(ArithmeticOperator, BoundExpression, BoundExpression)
    case comparison(ComparisonOperator, BoundExpression, BoundExpression)
    /// Three-valued AND/OR over all operands; later operands are evaluated only for undecided rows.
    case and([BoundExpression])
    case or([BoundExpression])
    case not(BoundExpression)
    case isNull(BoundExpression, negated: Bool)
    case isDistinctFrom(BoundExpression, BoundExpression, negated: Bool)
    /// `IS TRUE` / `IS FALSE` (never NULL).
    case isBoolean(BoundExpression, value: Bool, negated: Bool)
    case inList(BoundExpression, [BoundExpression], negated: Bool)
    case inSubquery(BoundExpression, Subquery, negated: Bool)
    /// `x op ANY (subquery)` (`all` false) or `x op ALL (subquery)`, with SQL's NULL rules.
    case quantified(ComparisonOperator, BoundExpression, Subquery, all: Bool)
    case exists(Subquery, negated: Bool)
    case scalarSubquery(Subquery)
    case like(BoundExpression, pattern: BoundExpression, escape: BoundExpression?, caseInsensitive: Bool, negated: Bool)
    /// Searched CASE (`operand` nil) or simple CASE.
    case caseWhen(operand: BoundExpression?, branches: [(BoundExpression, BoundExpression)], otherwise: BoundExpression?)
    case cast(BoundExpression, SQLType, explicit: Bool)
    case function(ScalarFunction, [BoundExpression])
    case coalesce([BoundExpression])
    case nullIf(BoundExpression, BoundExpression)
    /// A numeric value used as a condition (SQLite's and MySQL's rule, kept for compatibility): NULL
    /// stays NULL, zero is false, anything else true.
    case truthy(BoundExpression)

    /// The input columns the expression reads (for projection pushdown and join key analysis).
    package func collectColumns(into set: inout Set<Int>) {
        switch self {
        case .column(let i): set.insert(i)
        case .constant, .outerColumn, .parameter: break
        case .exists, .scalarSubquery: break
        case .inSubquery(let e, _, _), .quantified(_, let e, _, _): e.collectColumns(into: &set)
        case .negate(let e), .bitNot(let e), .not(let e), .isNull(let e, _), .isBoolean(let e, _, _),
             .cast(let e, _, _), .truthy(let e):
            e.collectColumns(into: &set)
        case .arithmetic(_, let l, let r), .comparison(_, let l, let r), .isDistinctFrom(let l, let r, _),
             .nullIf(let l, let r):
            l.collectColumns(into: &set); r.collectColumns(into: &set)
        case .and(let es), .or(let es), .coalesce(let es), .function(_, let es):
            for e in es { e.collectColumns(into: &set) }
        case .inList(let e, let es, _):
            e.collectColumns(into: &set)
            for x in es { x.collectColumns(into: &set) }
        case .like(let e, let p, let esc, _, _):
            e.collectColumns(into: &set); p.collectColumns(into: &set); esc?.collectColumns(into: &set)
        case .caseWhen(let op, let branches, let otherwise):
            op?.collectColumns(into: &set)
            for (w, t) in branches { w.collectColumns(into: &set); t.collectColumns(into: &set) }
            otherwise?.collectColumns(into: &set)
        }
    }

    /// The same expression with every `.column(i)` replaced by `.column(map(i))`.
    package func remapColumns(_ map: (Int) -> Int) -> BoundExpression {
        func r(_ e: BoundExpression) -> BoundExpression { e.remapColumns(map) }
        switch self {
        case .column(let i): return .column(map(i))
        case .constant, .outerColumn, .parameter, .exists, .scalarSubquery: return self
        case .inSubquery(let e, let s, let n): return .inSubquery(r(e), s, negated: n)
        case .quantified(let op, let e, let s, let all): return .quantified(op, r(e), s, all: all)
        case .negate(let e): return .negate(r(e))
        case .bitNot(let e): return .bitNot(r(e))
        case .not(let e): return .not(r(e))
        case .truthy(let e): return .truthy(r(e))
        case .isNull(let e, let n): return .isNull(r(e), negated: n)
        case .isBoolean(let e, let v, let n): return .isBoolean(r(e), value: v, negated: n)
        case .cast(let e, let t, let x): return .cast(r(e), t, explicit: x)
        case .arithmetic(let o, let a, let b): return .arithmetic(o, r(a), r(b))
        case .comparison(let o, let a, let b): return .comparison(o, r(a), r(b))
        case .isDistinctFrom(let a, let b, let n): return .isDistinctFrom(r(a), r(b), negated: n)
        case .nullIf(let a, let b): return .nullIf(r(a), r(b))
        case .and(let es): return .and(es.map(r))
        case .or(let es): return .or(es.map(r))
        case .coalesce(let es): return .coalesce(es.map(r))
        case .function(let f, let es): return .function(f, es.map(r))
        case .inList(let e, let es, let n): return .inList(r(e), es.map(r), negated: n)
        case .like(let e, let p, let esc, let ci, let n):
            return .like(r(e), pattern: r(p), escape: esc.map(r), caseInsensitive: ci, negated: n)
        case .caseWhen(let op, let branches, let otherwise):
            return .caseWhen(operand: op.map(r), branches: branches.map { (r($0.0), r($0.1)) }, otherwise: otherwise.map(r))
        }
    }
}

/// A subquery inside an expression: its plan, and whether it reads the enclosing row (correlated).
/// An uncorrelated subquery runs once per statement execution; its result is cached in the
/// `ExecutionContext`.
package final class Subquery {
    package let plan: any Operator
    package let correlated: Bool

    package init(plan: any Operator, correlated: Bool) {
        self.plan = plan
        self.correlated = correlated
    }
}

/// What an uncorrelated subquery produced in the current execution.
struct SubqueryResult {
    var rows: RowBatch
    /// For IN: the distinct non-NULL first-column values, and whether a NULL was among them.
    var set: Set<SQLValue>?
    var hasNull = false
}
