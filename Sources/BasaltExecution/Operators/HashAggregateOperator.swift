/// GROUP BY and aggregates: one output row per distinct group key (group key values, then one value per
/// aggregate); without group keys, exactly one row even for empty input (`count(*)` of nothing is 0).
/// Groups are emitted in first-seen order.
package final class HashAggregateOperator: Operator {
    /// One aggregate call: kind, argument (nil for count(*)), DISTINCT, and string_agg's separator.
    package struct Aggregate {
        package var kind: AggregateKind
        package var argument: BoundExpression?
        package var argumentType: SQLType
        package var distinct: Bool
        package var separator: BoundExpression?
        /// A bare (ungrouped) column in SQLite's lenient mode: the value from the group's last row.
        package var bare: Bool
        package init(kind: AggregateKind, argument: BoundExpression?, argumentType: SQLType, distinct: Bool,
                    separator: BoundExpression? = nil, bare: Bool = false) {
            self.kind = kind
            self.argument = argument
            self.argumentType = argumentType
            self.distinct = distinct
            self.separator = separator
            self.bare = bare
        }
    }

    let child: any Operator
    let groupKeys: [BoundExpression]
    let aggregates: [Aggregate]
    var output = MaterializedRows()
    package var width: Int { groupKeys.count + aggregates.count }

    package init(child: any Operator, groupKeys: [BoundExpression], aggregates: [Aggregate]) {
        self.child = child
        self.groupKeys = groupKeys
        self.aggregates = aggregates
    }

    package func open(_ context: ExecutionContext) throws {
        try child.open(context)
        defer { child.close() }
        var groupIndex: [[SQLValue]: Int] = [:]
        var singleIndex: [SQLValue: Int] = [:]
        // A single group key that has only been integers so far is looked up by its Int64 (hashing an
        // SQLValue goes through its cross-type numeric image); the first other value moves these
        // groups into `singleIndex` (where 1 and 1.0 meet) and ends the fast path.
        var integerIndex: [Int64: Int] = [:]
        var integersOnly = true
        var keysInOrder: [[SQLValue]] = []
        var states: [[AggregateAccumulator]] = []
        var bareValues: [[SQLValue]] = []
        let noBare = [SQLValue](repeating: .null, count: aggregates.count)
        let anyBare = aggregates.contains { $0.bare }
        let fresh = aggregates.map { AggregateAccumulator(kind: $0.kind, argumentType: $0.argumentType, distinct: $0.distinct) }
        if groupKeys.isEmpty {
            keysInOrder.append([])
            states.append(fresh)
            bareValues.append(noBare)
        }
        while let batch = try child.next(context) {
            let keys = try groupKeys.map { try ExpressionEvaluator.evaluate($0, batch, rows: nil, context) }
            let arguments = try aggregates.map { a in try a.argument.map { try ExpressionEvaluator.evaluate($0, batch, rows: nil, context) } }
            let separators = try aggregates.map { a in try a.separator.map { try ExpressionEvaluator.evaluate($0, batch, rows: nil, context) } }
            for r in 0..<batch.count {
                let g: Int
                if groupKeys.isEmpty {
                    g = 0
                } else if keys.count == 1, integersOnly, case .integer(let k) = keys[0][r] {
                    if let found = integerIndex[k] {
                        g = found
                    } else {
                        g = states.count
                        integerIndex[k] = g
                        keysInOrder.append([keys[0][r]])
                        states.append(fresh)
                        bareValues.append(noBare)
                    }
                } else if keys.count == 1 {
                    if integersOnly {
                        integersOnly = false
                        for (k, group) in integerIndex { singleIndex[.integer(k)] = group }
                        integerIndex = [:]
                    }
                    if let found = singleIndex[keys[0][r]] {
                        g = found
                    } else {
                        g = states.count
                        singleIndex[keys[0][r]] = g
                        keysInOrder.append([keys[0][r]])
                        states.append(fresh)
                        bareValues.append(noBare)
                    }
                } else {
                    let key = keys.map { $0[r] }
                    if let found = groupIndex[key] {
                        g = found
                    } else {
                        g = states.count
                        groupIndex[key] = g
                        keysInOrder.append(key)
                        states.append(fresh)
                        bareValues.append(noBare)
                    }
                }
                for a in aggregates.indices {
                    if anyBare && aggregates[a].bare {
                        bareValues[g][a] = arguments[a]![r]
                    } else if let argument = arguments[a] {
                        try states[g][a].add(argument[r], separator: separators[a]?[r] ?? .null)
                    } else {
                        try states[g][a].add(.integer(1))
                    }
                }
            }
        }
        var out = RowBatch(width: width, reservingRows: states.count)
        for g in states.indices {
            if width == 0 { out.appendEmptyRow(); continue }
            var row = keysInOrder[g]
            for a in aggregates.indices { row.append(aggregates[a].bare ? bareValues[g][a] : states[g][a].result()) }
            out.append(row: row)
        }
        output.set(out)
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? { output.next() }

    package func close() { output.clear() }
    package var explainLabel: String { "Hash Aggregate (\(groupKeys.count) keys, \(aggregates.count) aggregates)" }
    package var children: [any Operator] { [child] }
}
