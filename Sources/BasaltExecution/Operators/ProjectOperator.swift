/// Computes one output column per expression over each input batch.
package final class ProjectOperator: Operator {
    let child: any Operator
    let expressions: [BoundExpression]
    /// When every expression is a plain column, the positions: a cheap gather.
    let columns: [Int]?
    /// Set when `columns` is 0..<child.width.
    let isIdentity: Bool
    package var width: Int { expressions.count }

    package init(child: any Operator, expressions: [BoundExpression]) {
        self.child = child
        self.expressions = expressions
        var columns: [Int] = []
        for e in expressions {
            if case .column(let i) = e { columns.append(i) }
        }
        self.columns = columns.count == expressions.count ? columns : nil
        self.isIdentity = self.columns == Array(0..<child.width)
    }

    package func open(_ context: ExecutionContext) throws { try child.open(context) }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        guard let batch = try child.next(context) else { return nil }
        // The identity (every input column in order) passes the batch through.
        if isIdentity { return batch }
        if let columns {
            var out = RowBatch(width: columns.count, reservingRows: batch.count)
            if columns.isEmpty {
                for _ in 0..<batch.count { out.appendEmptyRow() }
                return out
            }
            let w = batch.width
            batch.values.withUnsafeBufferPointer { values in
                for r in 0..<batch.count {
                    let base = r &* w
                    out.append(row: columns.lazy.map { values[base &+ $0] })
                }
            }
            return out
        }
        let vectors = try expressions.map { try ExpressionEvaluator.evaluate($0, batch, rows: nil, context) }
        if vectors.isEmpty {
            var out = RowBatch(width: 0)
            for _ in 0..<batch.count { out.appendEmptyRow() }
            return out
        }
        return RowBatch.fromColumns(vectors, count: batch.count)
    }

    package func close() { child.close() }
    package var explainLabel: String { "Project (\(expressions.count) columns)" }
    package var children: [any Operator] { [child] }
}
