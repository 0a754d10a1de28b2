/// Skips `offset` rows, then passes at most `limit` rows. Both are evaluated at open; a negative value
/// is an error (2201W / 2201X, as in PostgreSQL); NULL means no limit / no offset.
package final class LimitOperator: Operator {
    let child: any Operator
    let limit: BoundExpression?
    let offset: BoundExpression?
    var remaining = Int.max
    var toSkip = 0
    package var width: Int { child.width }

    package init(child: any Operator, limit: BoundExpression?, offset: BoundExpression?) {
        self.child = child
        self.limit = limit
        self.offset = offset
    }

    static func count(_ expression: BoundExpression?, _ context: ExecutionContext, code: String, what: String) throws -> Int? {
        guard let expression else { return nil }
        let value = try ExpressionEvaluator.evaluateConstant(expression, context)
        if value.isNull { return nil }
        guard case .integer(let n) = try value.cast(to: .bigint, explicit: false) else { return nil }
        guard n >= 0 else { throw ExecutionError(code, "\(what) must not be negative") }
        return Int(n)
    }

    package func open(_ context: ExecutionContext) throws {
        remaining = try Self.count(limit, context, code: "2201W", what: "LIMIT") ?? .max
        toSkip = try Self.count(offset, context, code: "2201X", what: "OFFSET") ?? 0
        try child.open(context)
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        while remaining > 0, let batch = try child.next(context) {
            var start = 0
            if toSkip > 0 {
                start = min(toSkip, batch.count)
                toSkip -= start
            }
            let end = remaining >= batch.count - start ? batch.count : start + remaining
            guard end > start else { continue }
            remaining -= end - start
            if start == 0 && end == batch.count { return batch }
            return batch.selecting(Array(start..<end))
        }
        return nil
    }

    package func close() { child.close() }
    package var explainLabel: String { "Limit" }
    package var children: [any Operator] { [child] }
}
