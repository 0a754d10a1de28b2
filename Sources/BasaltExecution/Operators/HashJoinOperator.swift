/// Equi-join by hashing: builds a hash table on the right input's key values, then probes it with each
/// left batch. `residual` filters the matching pairs (the non-equality part of the ON condition). NULL
/// keys never match. Handles inner, left, right, full, semi and anti joins.
package final class HashJoinOperator: Operator {
    let left: any Operator
    let right: any Operator
    let kind: JoinKind
    let leftKeys: [BoundExpression]
    let rightKeys: [BoundExpression]
    let residual: BoundExpression?
    var build = JoinBuildSide()
    /// Single-key table (the common case: no array allocation per row) and multi-key table.
    var single: [SQLValue: [Int32]] = [:]
    var multi: [[SQLValue]: [Int32]] = [:]
    var pending: [RowBatch] = []
    var leftDone = false
    var emittedUnmatchedRight = false
    package let width: Int

    package init(left: any Operator, right: any Operator, kind: JoinKind, leftKeys: [BoundExpression],
                rightKeys: [BoundExpression], residual: BoundExpression?) {
        precondition(leftKeys.count == rightKeys.count && !leftKeys.isEmpty)
        self.left = left
        self.right = right
        self.kind = kind
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.residual = residual
        self.width = kind == .semi || kind == .anti ? left.width : left.width + right.width
    }

    package func open(_ context: ExecutionContext) throws {
        try build.load(right, context)
        let rightRows = build.rows
        single = [:]
        multi = [:]
        let keys = try rightKeys.map { try ExpressionEvaluator.evaluate($0, rightRows, rows: nil, context) }
        if keys.count == 1 {
            single.reserveCapacity(rightRows.count)
            for r in 0..<rightRows.count where !keys[0][r].isNull {
                single[keys[0][r], default: []].append(Int32(r))
            }
        } else {
            for r in 0..<rightRows.count {
                let key = keys.map { $0[r] }
                if key.contains(where: \.isNull) { continue }
                multi[key, default: []].append(Int32(r))
            }
        }
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
            try probe(batch, context)
        }
    }

    func probe(_ batch: RowBatch, _ context: ExecutionContext) throws {
        let rightRows = build.rows
        let keys = try leftKeys.map { try ExpressionEvaluator.evaluate($0, batch, rows: nil, context) }
        // Candidate pairs: (left row, right row).
        var pairLeft: [Int] = []
        var pairRight: [Int] = []
        for l in 0..<batch.count {
            let matches: [Int32]?
            if keys.count == 1 {
                let k = keys[0][l]
                matches = k.isNull ? nil : single[k]
            } else {
                let k = keys.map { $0[l] }
                matches = k.contains(where: \.isNull) ? nil : multi[k]
            }
            if let matches {
                for r in matches {
                    pairLeft.append(l)
                    pairRight.append(Int(r))
                }
            }
        }
        let pairWidth = left.width + right.width
        var pairs = RowBatch(width: pairWidth, reservingRows: pairLeft.count)
        for i in pairLeft.indices {
            if pairWidth == 0 { pairs.appendEmptyRow() } else { pairs.append(batch.row(pairLeft[i]), rightRows.row(pairRight[i])) }
        }
        var selected: [Int]
        if let residual, !pairs.isEmpty {
            selected = try ExpressionEvaluator.filter(residual, pairs, context)
        } else {
            selected = Array(0..<pairs.count)
        }
        for p in selected { build.markMatched(pairRight[p]) }
        switch kind {
        case .inner, .right:
            if !selected.isEmpty { pending = [selected.count == pairs.count ? pairs : pairs.selecting(selected)] }
        case .left, .full:
            var out = RowBatch(width: pairWidth, reservingRows: max(batch.count, selected.count))
            let nulls = [SQLValue](repeating: .null, count: right.width)
            var s = 0
            for l in 0..<batch.count {
                var any = false
                while s < selected.count, pairLeft[selected[s]] == l {
                    out.append(rowOf: pairs, selected[s])
                    s += 1
                    any = true
                }
                if !any { out.append(batch.row(l), nulls[...]) }
            }
            if !out.isEmpty { pending = [out] }
        case .semi, .anti:
            var matched = [Bool](repeating: false, count: batch.count)
            for p in selected { matched[pairLeft[p]] = true }
            let keep = (0..<batch.count).filter { matched[$0] == (kind == .semi) }
            if !keep.isEmpty { pending = [batch.selecting(keep)] }
        }
    }

    package func close() {
        left.close()
        build.clear()
        single = [:]
        multi = [:]
        pending = []
    }

    package var explainLabel: String { "Hash \(kind.rawValue) Join (\(leftKeys.count) keys)" + (residual == nil ? "" : " (filtered)") }
    package var children: [any Operator] { [left, right] }
}
