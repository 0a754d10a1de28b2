/// UNION, INTERSECT and EXCEPT, with or without ALL, by hashing whole rows (NULLs equal).
package final class SetOperationOperator: Operator {
    package enum Kind: String { case union = "Union", intersect = "Intersect", except = "Except" }

    let left: any Operator
    let right: any Operator
    let kind: Kind
    let all: Bool
    var output = MaterializedRows()
    package var width: Int { left.width }

    package init(left: any Operator, right: any Operator, kind: Kind, all: Bool) {
        self.left = left
        self.right = right
        self.kind = kind
        self.all = all
    }

    package func open(_ context: ExecutionContext) throws {
        let l = try left.collect(context)
        let r = try right.collect(context)
        var out = RowBatch(width: width)
        func rows(_ b: RowBatch) -> [[SQLValue]] { (0..<b.count).map { Array(b.row($0)) } }
        let w = width
        func emit(_ row: [SQLValue]) {
            if w == 0 { out.appendEmptyRow() } else { out.append(row: row) }
        }
        switch (kind, all) {
        case (.union, true):
            out = l
            out.append(contentsOf: r)
        case (.union, false):
            var seen = Set<[SQLValue]>()
            for row in rows(l) + rows(r) where seen.insert(row).inserted { emit(row) }
        case (.intersect, _):
            var counts: [[SQLValue]: Int] = [:]
            for row in rows(r) { counts[row, default: 0] += 1 }
            var seen = Set<[SQLValue]>()
            for row in rows(l) {
                guard let c = counts[row], c > 0 else { continue }
                if all {
                    counts[row] = c - 1
                    emit(row)
                } else if seen.insert(row).inserted {
                    emit(row)
                }
            }
        case (.except, _):
            var counts: [[SQLValue]: Int] = [:]
            for row in rows(r) { counts[row, default: 0] += 1 }
            var seen = Set<[SQLValue]>()
            for row in rows(l) {
                if all {
                    if let c = counts[row], c > 0 { counts[row] = c - 1 } else { emit(row) }
                } else if counts[row] == nil, seen.insert(row).inserted {
                    emit(row)
                }
            }
        }
        output.set(out)
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? { output.next() }

    package func close() { output.clear() }
    package var explainLabel: String { kind.rawValue + (all ? " All" : "") }
    package var children: [any Operator] { [left, right] }
}
