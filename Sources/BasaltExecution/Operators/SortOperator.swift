/// Sorts its whole input by `keys` (ORDER BY): stable, so equal keys keep input order.
public final class SortOperator: Operator {
    /// One sort key: an expression over the input row and its direction.
    public struct Key {
        public var expression: BoundExpression
        public var ascending: Bool
        /// PostgreSQL's default: NULLs are larger than every value (last ascending, first descending).
        public var nullsFirst: Bool
        public init(expression: BoundExpression, ascending: Bool, nullsFirst: Bool? = nil) {
            self.expression = expression
            self.ascending = ascending
            self.nullsFirst = nullsFirst ?? !ascending
        }
    }

    let child: any Operator
    let keys: [Key]
    var output = MaterializedRows()
    public var width: Int { child.width }

    public init(child: any Operator, keys: [Key]) {
        self.child = child
        self.keys = keys
    }

    public func open(_ context: ExecutionContext) throws {
        let all = try child.collect(context)
        let keyColumns = try keys.map { try ExpressionEvaluator.evaluate($0.expression, all, rows: nil, context) }
        var order = Array(0..<all.count)
        let keys = self.keys
        // Merge sort through the standard library's stable sort on indexes.
        order.sort { a, b in
            for (k, key) in keys.enumerated() {
                let x = keyColumns[k][a], y = keyColumns[k][b]
                // nullsFirst is stated in output order; sortCompare's is in ascending order.
                var c = SQLValue.sortCompare(x, y, nullsFirst: key.ascending ? key.nullsFirst : !key.nullsFirst)
                if !key.ascending { c = -c }
                if c != 0 { return c < 0 }
            }
            return a < b
        }
        output.set(all.selecting(order))
    }

    public func next(_ context: ExecutionContext) throws -> RowBatch? { output.next() }

    public func close() { output.clear() }
    public var explainLabel: String { "Sort (\(keys.count) keys)" }
    public var children: [any Operator] { [child] }
}
