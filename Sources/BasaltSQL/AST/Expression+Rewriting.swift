/// Walking and rewriting expression trees (CHECK constraints and DEFAULTs stored as SQL text are
/// re-parsed and rewritten when the columns they name change). Subqueries are left as they are: they
/// have their own scopes.
extension Expression {
    /// The expression with `transform` applied bottom-up: each node's children are rewritten first,
    /// then the node itself is replaced by `transform`'s result when it returns one.
    public func rewritten(_ transform: (Expression) -> Expression?) -> Expression {
        func r(_ e: Expression) -> Expression { e.rewritten(transform) }
        var copy = self
        switch kind {
        case .integerLiteral, .numericLiteral, .decimalLiteral, .stringLiteral, .blobLiteral, .booleanLiteral, .null,
             .defaultValue, .parameter, .columnRef, .exists, .scalarSubquery:
            break
        case .unary(let op, let x): copy.kind = .unary(op, r(x))
        case .binary(let op, let a, let b): copy.kind = .binary(op, r(a), r(b))
        case .isNull(let x, let n): copy.kind = .isNull(r(x), negated: n)
        case .isDistinctFrom(let a, let b, let n): copy.kind = .isDistinctFrom(r(a), r(b), negated: n)
        case .isTruth(let x, let t, let n): copy.kind = .isTruth(r(x), t, negated: n)
        case .between(let x, let lo, let hi, let n, let s): copy.kind = .between(r(x), low: r(lo), high: r(hi), negated: n, symmetric: s)
        case .inList(let x, let items, let n): copy.kind = .inList(r(x), items.map(r), negated: n)
        case .inSubquery(let x, let q, let n): copy.kind = .inSubquery(r(x), q, negated: n)
        case .quantified(let x, let op, let q, let s): copy.kind = .quantified(r(x), op, q, s)
        case .like(let x, let p, let esc, let ci, let n):
            copy.kind = .like(r(x), pattern: r(p), escape: esc.map(r), caseInsensitive: ci, negated: n)
        case .caseWhen(let c):
            copy.kind = .caseWhen(CaseExpression(operand: c.operand.map(r),
                                                 whenClauses: c.whenClauses.map { WhenClause(condition: r($0.condition), result: r($0.result)) },
                                                 elseResult: c.elseResult.map(r)))
        case .cast(let x, let t): copy.kind = .cast(r(x), t)
        case .function(var call):
            call.arguments = call.arguments.map(r)
            call.filter = call.filter.map(r)
            copy.kind = .function(call)
        case .row(let items): copy.kind = .row(items.map(r))
        case .collate(let x, let c): copy.kind = .collate(r(x), c)
        }
        return transform(copy) ?? copy
    }

    /// The column names the expression references (outside subqueries), unqualified.
    public var referencedColumns: Set<String> {
        var names = Set<String>()
        _ = rewritten { e in
            if case .columnRef(_, let column) = e.kind { names.insert(column) }
            return nil
        }
        return names
    }

    /// The expression with every reference to column `old` renamed to `new`.
    public func renamingColumn(_ old: String, to new: String) -> Expression {
        rewritten { e in
            guard case .columnRef(let table, let column) = e.kind, column == old else { return nil }
            return Expression(.columnRef(table: table, column: new), location: e.location)
        }
    }
}
