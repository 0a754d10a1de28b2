/// Passes the rows for which `predicate` is TRUE.
public final class FilterOperator: Operator {
    let child: any Operator
    let predicate: BoundExpression
    public var width: Int { child.width }

    public init(child: any Operator, predicate: BoundExpression) {
        self.child = child
        self.predicate = predicate
    }

    public func open(_ context: ExecutionContext) throws { try child.open(context) }

    public func next(_ context: ExecutionContext) throws -> RowBatch? {
        while let batch = try child.next(context) {
            let selected = try ExpressionEvaluator.filter(predicate, batch, context)
            if selected.count == batch.count { return batch }
            if !selected.isEmpty { return batch.selecting(selected) }
        }
        return nil
    }

    public func close() { child.close() }
    public var explainLabel: String { "Filter" }
    public var children: [any Operator] { [child] }
}
