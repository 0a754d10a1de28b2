/// Joins every left row with every right row, keeping pairs where `condition` holds (all pairs when it
/// is nil): cross joins and joins without an equality predicate. The right input is materialized once
/// per open; pairs are formed and filtered a left batch at a time.
package final class NestedLoopJoinOperator: Operator {
    let left: any Operator
    let right: any Operator
    let kind: JoinKind
    let condition: BoundExpression?
    var build = JoinBuildSide()
    var pending: [RowBatch] = []
    var leftDone = false
    var emittedUnmatchedRight = false
    package let width: Int

    package init(left: any Operator, right: any Operator, kind: JoinKind, condition: BoundExpression?) {
        self.left = left
        self.right = right
        self.kind = kind
        self.condition = condition
        self.width = kind == .semi || kind == .anti ? left.width : left.width + right.width
    }

    package func open(_ context: ExecutionContext) throws {
        try build.load(right, context)
        pending = []
        leftDone = false
        emittedUnmatchedRight = false
        try left.open(context)
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        while true {
            if let batch = pending.popLast() { return batch }
            if leftDone {
                guard (kind == .right || kind == .full), !emittedUnmatchedRight else { return nil }
                emittedUnmatchedRight = true
                return build.unmatched(leftWidth: left.width, width: width)
            }
            guard let batch = try left.next(context) else {
                leftDone = true
                continue
            }
            try join(batch, context)
        }
    }

    func join(_ batch: RowBatch, _ context: ExecutionContext) throws {
        let rightRows = build.rows
        let lw = left.width, rw = right.width
        let pairWidth = lw + rw
        // Pairs are built in chunks of about a batch so memory stays bounded for large products.
        let rowsPerChunk = max(1, RowBatch.preferredSize / max(1, rightRows.count))
        var start = 0
        var results: [RowBatch] = []
        while start < batch.count {
            let end = min(batch.count, start + rowsPerChunk)
            var pairs = RowBatch(width: pairWidth, reservingRows: (end - start) * rightRows.count)
            for l in start..<end {
                for r in 0..<rightRows.count {
                    if pairWidth == 0 { pairs.appendEmptyRow(); continue }
                    pairs.append(batch.row(l), rightRows.row(r))
                }
            }
            let selected: [Int]
            if let condition {
                selected = try ExpressionEvaluator.filter(condition, pairs, context)
            } else {
                selected = Array(0..<pairs.count)
            }
            let perLeft = max(1, rightRows.count)
            var matchedLeft = [Bool](repeating: false, count: end - start)
            for p in selected {
                matchedLeft[p / perLeft] = true
                if rightRows.count > 0 { build.markMatched(p % perLeft) }
            }
            switch kind {
            case .inner, .right:
                if !selected.isEmpty { results.append(pairs.selecting(selected)) }
            case .left, .full:
                var out = RowBatch(width: pairWidth)
                var s = 0
                let nulls = [SQLValue](repeating: .null, count: rw)
                for l in 0..<(end - start) {
                    var any = false
                    while s < selected.count, selected[s] / perLeft == l {
                        out.append(rowOf: pairs, selected[s])
                        s += 1
                        any = true
                    }
                    if !any { out.append(row: Array(batch.row(start + l)) + nulls) }
                }
                if !out.isEmpty { results.append(out) }
            case .semi, .anti:
                let keep = (0..<(end - start)).filter { matchedLeft[$0] == (kind == .semi) }.map { $0 + start }
                if !keep.isEmpty { results.append(batch.selecting(keep)) }
            }
            start = end
        }
        pending = results.reversed()
    }

    package func close() {
        left.close()
        build.clear()
        pending = []
    }

    package var explainLabel: String { "Nested Loop \(kind.rawValue) Join" + (condition == nil ? "" : " (filtered)") }
    package var children: [any Operator] { [left, right] }
}
