import BasaltExecution
import BasaltSQL

extension QueryPlanner {
    // MARK: Access paths

    /// The operator reading a relation with its own predicates applied: for a base table, a primary key
    /// range or a secondary index range when a predicate fixes leading key columns, else a full scan.
    func accessPath(_ relation: Relation, usedColumns: Set<Int>? = nil) throws -> any Operator {
        var op: any Operator
        var remaining = relation.filters
        if let table = relation.table {
            let (scan, consumed) = chooseScan(table, relation.filters, usedColumns: usedColumns)
            op = scan
            if let read = relation.read, let table = scan as? TableScanOperator, let pruned = table.reading(only: read) {
                op = pruned
            }
            // Predicates the key range enforces exactly need no re-check per row.
            remaining = relation.filters.enumerated().filter { !consumed.contains($0.offset) }.map(\.element)
        } else {
            op = relation.op!
        }
        if !remaining.isEmpty {
            op = FilterOperator(child: op, predicate: remaining.count == 1 ? remaining[0] : .and(remaining))
        }
        return op
    }

    /// Predicates usable as key bounds: column `op` value, where the value reads no column of the row.
    func sargable(_ filters: [BoundExpression], _ table: TableDescriptor) -> [Int: [Sargable]] {
        var out: [Int: [Sargable]] = [:]
        for (index, f) in filters.enumerated() {
            guard case .comparison(let op, let a, let b) = f, op != .notEqual else { continue }
            func add(_ column: BoundExpression, _ op: BoundExpression.ComparisonOperator, _ value: BoundExpression) {
                guard case .column(let c) = column else { return }
                var used = Set<Int>()
                value.collectColumns(into: &used)
                guard used.isEmpty, !containsCorrelatedSubquery(value) else { return }
                let columnType = table.columns[c].type
                guard let valueType = staticType(value), compatibleForKey(columnType, valueType) else { return }
                out[c, default: []].append(Sargable(op: op, value: value, filter: index))
            }
            add(a, op, b)
            add(b, op.flipped, a)
        }
        return out
    }

    /// The type of a bound value expression where it is evident (constants, casts, parameters cast).
    func staticType(_ e: BoundExpression) -> SQLType? {
        switch e {
        case .constant(let v):
            switch v {
            case .null: return .unknown
            case .integer: return .bigint
            case .double: return .double
            case .numeric: return .numeric(precision: nil, scale: nil)
            case .text: return .text
            case .blob: return .bytea
            case .boolean: return .boolean
            case .date: return .date
            case .timestamp: return .timestamp
            }
        case .cast(_, let t, _): return t
        case .negate(let x): return staticType(x)
        case .arithmetic(_, let a, let b):
            guard let x = staticType(a), let y = staticType(b) else { return nil }
            return x.isNumeric && y.isNumeric ? (x.isInteger && y.isInteger ? .bigint : .double) : nil
        case .outerColumn, .parameter: return .unknown
        default: return nil
        }
    }

    func compatibleForKey(_ column: SQLType, _ value: SQLType) -> Bool {
        if value == .unknown { return true }
        if column.isNumeric && value.isNumeric { return true }
        if column.isText && value.isText { return true }
        return column.storageClass == value.storageClass
    }

    /// The longest usable key prefix of `columns`: equality values, then at most one range.
    func keyRange(_ columns: [Int], _ bounds: [Int: [Sargable]]) -> (range: KeyRange, score: Int, consumed: Set<Int>)? {
        var range = KeyRange()
        var score = 0
        var consumed = Set<Int>()
        var lowerFilter: Int?, upperFilter: Int?
        for c in columns {
            guard let preds = bounds[c] else { break }
            if let eq = preds.first(where: { $0.op == .equal }) {
                range.equal.append(eq.value)
                consumed.insert(eq.filter)
                score += 10
                continue
            }
            for p in preds {
                switch p.op {
                case .greater: range.lower = (p.value, false); lowerFilter = p.filter
                case .greaterOrEqual: range.lower = (p.value, true); lowerFilter = p.filter
                case .less: range.upper = (p.value, false); upperFilter = p.filter
                case .lessOrEqual: range.upper = (p.value, true); upperFilter = p.filter
                default: break
                }
            }
            if let lowerFilter { consumed.insert(lowerFilter) }
            if let upperFilter { consumed.insert(upperFilter) }
            if range.lower != nil || range.upper != nil { score += 3 }
            break
        }
        return score > 0 ? (range, score, consumed) : nil
    }

    /// The cheapest scan of `table` for `filters`, and the filters its key range enforces exactly.
    func chooseScan(_ table: TableDescriptor, _ filters: [BoundExpression], includeKey: Bool = false,
                    usedColumns: Set<Int>? = nil) -> (any Operator, consumed: Set<Int>) {
        let bounds = sargable(filters, table)
        guard !bounds.isEmpty else { return (TableScanOperator(table: table, includeKey: includeKey), []) }
        var best: (op: any Operator, score: Int, consumed: Set<Int>)?
        if !table.hasRowID, let (range, score, consumed) = keyRange(table.primaryKey, bounds) {
            // A full primary key equality is one row: nothing beats it.
            let full = range.equal.count == table.primaryKey.count
            best = (TableScanOperator(table: table, range: range, includeKey: includeKey), full ? 1000 : score + 1, consumed)
        }
        for index in schema.indexes(ofTable: table.id) {
            // Ranges on descending columns are handled by KeyRange; equality works on any.
            guard let (range, score, consumed) = keyRange(index.columns.map(\.column), bounds) else { continue }
            let full = index.unique && range.equal.count == index.columns.count
            let s = full ? 900 : score
            // Every column read is in the entry (index columns, primary key): no row fetches.
            let entryColumns = Set(index.columns.map(\.column)).union(table.primaryKey)
            let covering = usedColumns.map { $0.isSubset(of: entryColumns) } ?? false
            if best == nil || s > best!.score {
                best = (IndexScanOperator(table: table, index: index, range: range, includeKey: includeKey, indexOnly: covering), s, consumed)
            }
        }
        guard let best else { return (TableScanOperator(table: table, includeKey: includeKey), []) }
        return (best.op, best.consumed)
    }

    // MARK: Join order

    /// Joins the relations greedily: start from the most restricted relation, then repeatedly add a
    /// relation connected to those joined by an equality predicate (hash join, the new relation as the
    /// build side), or, when none is, the next relation as a cross product. Every other predicate is
    /// applied as soon as all its relations are joined. The result is projected back to FROM order.
    func orderJoins(_ relations: [Relation], _ predicates: [(BoundExpression, Set<Int>)], owner: [Int], width: Int) throws -> any Operator {
        var pending = predicates
        var remainingRelations = Set(relations.indices)
        func weight(_ r: Int) -> Int {
            var w = relations[r].table == nil ? 500 : 1000
            for f in relations[r].filters {
                if case .comparison(.equal, _, _) = f { w /= 10 } else { w /= 2 }
            }
            return max(w, 1)
        }
        let start = remainingRelations.min { weight($0) < weight($1) || (weight($0) == weight($1) && $0 < $1) }!
        remainingRelations.remove(start)
        var joined: [Int] = [start]
        var root = relations[start].op!
        // position[c]: where FROM-layout column c sits in the current row, for joined relations.
        var position = [Int](repeating: -1, count: width)
        func place(_ r: Int, at base: Int) {
            for k in 0..<relations[r].columns.count { position[relations[r].offset + k] = base + k }
        }
        place(start, at: 0)
        var currentWidth = relations[start].columns.count

        while !remainingRelations.isEmpty {
            let joinedSet = Set(joined)
            // Candidates connected by an equality between the joined set and one new relation.
            var choice: Int?
            for r in remainingRelations.sorted(by: { weight($0) < weight($1) || (weight($0) == weight($1) && $0 < $1) }) {
                let connected = pending.contains { p in
                    guard case .comparison(.equal, _, _) = p.0 else { return false }
                    return p.1.contains(r) && p.1.subtracting([r]).isSubset(of: joinedSet) && p.1.count > 1
                }
                if connected { choice = r; break }
            }
            let next = choice ?? remainingRelations.min { weight($0) < weight($1) || (weight($0) == weight($1) && $0 < $1) }!
            remainingRelations.remove(next)
            let rel = relations[next]
            let nowJoined = joinedSet.union([next])
            // Predicates that become evaluable with this join.
            var applicable: [BoundExpression] = []
            pending.removeAll { p in
                if p.1.isSubset(of: nowJoined) { applicable.append(p.0); return true }
                return false
            }
            var newPosition = position
            for k in 0..<rel.columns.count { newPosition[rel.offset + k] = currentWidth + k }
            let remapped = applicable.map { $0.remapColumns { newPosition[$0] } }
            if let lookup = lookupJoin(root, rel, leftWidth: currentWidth, conjuncts: remapped) {
                root = lookup
            } else {
                root = try buildJoin(root, rel.op!, leftWidth: currentWidth, kind: .inner, conjuncts: remapped, fallback: nil)
            }
            position = newPosition
            currentWidth += rel.columns.count
            joined.append(next)
        }
        if !pending.isEmpty {
            // Predicates reading no column (constant, correlated): on the final row.
            let remapped = pending.map { $0.0.remapColumns { position[$0] } }
            root = FilterOperator(child: root, predicate: remapped.count == 1 ? remapped[0] : .and(remapped))
        }
        if position != Array(0..<width) {
            root = ProjectOperator(child: root, expressions: position.map { .column($0) })
        }
        return root
    }

    /// An index lookup join when `relation` is a base table without predicates of its own and the
    /// conjuncts equate each of its primary key columns with an expression over the left row.
    func lookupJoin(_ left: any Operator, _ relation: Relation, leftWidth: Int, conjuncts: [BoundExpression]) -> (any Operator)? {
        guard let table = relation.table, !table.hasRowID, relation.filters.isEmpty else { return nil }
        var keyFor: [Int: BoundExpression] = [:]
        var residual: [BoundExpression] = []
        for c in conjuncts {
            if case .comparison(.equal, let a, let b) = c, !containsCorrelatedSubquery(c) {
                func leftOnly(_ e: BoundExpression) -> Bool {
                    var cols = Set<Int>()
                    e.collectColumns(into: &cols)
                    return !cols.isEmpty && cols.allSatisfy { $0 < leftWidth }
                }
                if case .column(let rc) = b, rc >= leftWidth, table.primaryKey.contains(rc - leftWidth), leftOnly(a),
                   keyFor[rc - leftWidth] == nil {
                    keyFor[rc - leftWidth] = a
                    continue
                }
                if case .column(let rc) = a, rc >= leftWidth, table.primaryKey.contains(rc - leftWidth), leftOnly(b),
                   keyFor[rc - leftWidth] == nil {
                    keyFor[rc - leftWidth] = b
                    continue
                }
            }
            residual.append(c)
        }
        guard keyFor.count == table.primaryKey.count else { return nil }
        let keys = table.primaryKey.map { keyFor[$0]! }
        return IndexLookupJoinOperator(left: left, table: table, keys: keys,
                                       residual: residual.isEmpty ? nil : residual.count == 1 ? residual[0] : .and(residual),
                                       read: relation.read)
    }

    /// A join of `left` (columns 0..<leftWidth of the pair) and `right` with `conjuncts` over the
    /// pair: a hash join on the equalities that split across the sides, the rest as a residual;
    /// without such an equality, a nested loop join.
    func buildJoin(_ left: any Operator, _ right: any Operator, leftWidth: Int, kind: BasaltExecution.JoinKind,
                   conjuncts: [BoundExpression], fallback: BoundExpression?) throws -> any Operator {
        var leftKeys: [BoundExpression] = [], rightKeys: [BoundExpression] = []
        var residual: [BoundExpression] = []
        for c in conjuncts {
            if case .comparison(.equal, let a, let b) = c, !containsCorrelatedSubquery(c) {
                var ca = Set<Int>(), cb = Set<Int>()
                a.collectColumns(into: &ca)
                b.collectColumns(into: &cb)
                let aLeft = !ca.isEmpty && ca.allSatisfy { $0 < leftWidth }
                let aRight = !ca.isEmpty && ca.allSatisfy { $0 >= leftWidth }
                let bLeft = !cb.isEmpty && cb.allSatisfy { $0 < leftWidth }
                let bRight = !cb.isEmpty && cb.allSatisfy { $0 >= leftWidth }
                if aLeft && bRight {
                    leftKeys.append(a)
                    rightKeys.append(b.remapColumns { $0 - leftWidth })
                    continue
                }
                if aRight && bLeft {
                    leftKeys.append(b)
                    rightKeys.append(a.remapColumns { $0 - leftWidth })
                    continue
                }
            }
            residual.append(c)
        }
        let rest: BoundExpression? = residual.isEmpty ? nil : residual.count == 1 ? residual[0] : .and(residual)
        if !leftKeys.isEmpty {
            return HashJoinOperator(left: left, right: right, kind: kind, leftKeys: leftKeys, rightKeys: rightKeys, residual: rest)
        }
        return NestedLoopJoinOperator(left: left, right: right, kind: kind, condition: rest ?? fallback)
    }
}

/// A predicate `column op value` usable as a key bound, and which filter it came from.
struct Sargable {
    var op: BoundExpression.ComparisonOperator
    var value: BoundExpression
    var filter: Int
}
