/// Passes each distinct row once (first occurrence), NULLs equal to each other.
package final class DistinctOperator: Operator {
    let child: any Operator
    /// Rows are compared on their first `keyWidth` values (the visible columns when hidden sort
    /// columns follow them).
    let keyWidth: Int
    var seen = Set<[SQLValue]>()
    package var width: Int { child.width }

    package init(child: any Operator, keyWidth: Int? = nil) {
        self.child = child
        self.keyWidth = keyWidth ?? child.width
    }

    package func open(_ context: ExecutionContext) throws {
        seen = []
        try child.open(context)
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        while let batch = try child.next(context) {
            var keep: [Int] = []
            if width == 0 {
                if seen.isEmpty, batch.count > 0 { seen.insert([]); return batch.selecting([0]) }
                continue
            }
            for r in 0..<batch.count where seen.insert(Array(batch.row(r).prefix(keyWidth))).inserted { keep.append(r) }
            if !keep.isEmpty { return keep.count == batch.count ? batch : batch.selecting(keep) }
        }
        return nil
    }

    package func close() {
        seen = []
        child.close()
    }

    package var explainLabel: String { "Distinct" }
    package var children: [any Operator] { [child] }
}
