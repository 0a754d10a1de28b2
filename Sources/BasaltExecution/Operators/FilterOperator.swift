/// Passes the rows for which `predicate` is TRUE.
package final class FilterOperator: Operator {
    let child: any Operator
    let predicate: BoundExpression
    package var width: Int { child.width }

    package init(child: any Operator, predicate: BoundExpression) {
        self.child = child
        self.predicate = predicate
    }

    package func open(_ context: ExecutionContext) throws { try child.open(context) }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        while let batch = try child.next(context) {
            let selected = try ExpressionEvaluator.filter(predicate, batch, context)
            if selected.count == batch.count { return batch }
            if !selected.isEmpty { return batch.selecting(selected) }
        }
        return nil
    }

    package func close() { child.close() }
    package var explainLabel: String { "Filter" }
    package var children: [any Operator] { [child] }
}
