/// Sorts its whole input by `keys` (ORDER BY): stable, so equal keys keep input order.
package final class SortOperator: Operator {
    /// One sort key: an expression over the input row and its direction.
    package struct Key {
        package var expression: BoundExpression
        package var ascending: Bool
        /// PostgreSQL's default: NULLs are larger than every value (last ascending, first descending).
        package var nullsFirst: Bool
        package init(expression: BoundExpression, ascending: Bool, nullsFirst: Bool? = nil) {
            self.expression = expression
            self.ascending = ascending
            self.nullsFirst = nullsFirst ?? !ascending
        }
    }

    let child: any Operator
    let keys: [Key]
    var output = MaterializedRows()
    package var width: Int { child.width }

    package init(child: any Operator, keys: [Key]) {
        self.child = child
        self.keys = keys
    }

    package func open(_ context: ExecutionContext) throws {
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

    package func next(_ context: ExecutionContext) throws -> RowBatch? { output.next() }

    package func close() { output.clear() }
    package var explainLabel: String { "Sort (\(keys.count) keys)" }
    package var children: [any Operator] { [child] }
}
