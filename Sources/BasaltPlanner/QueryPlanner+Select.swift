import BasaltExecution
import BasaltSQL

extension QueryPlanner {
    /// Plans a query at the top level or as a derived table: `parent` is the enclosing level for
    /// correlated references, `level` the run-time nesting (see `Scope.level`).
    package func planQuery(_ statement: SelectStatement) throws -> PlannedQuery {
        try planSelect(statement, parent: nil, level: 0)
    }

    func planSelect(_ statement: SelectStatement, parent: Scope?, level: Int) throws -> PlannedQuery {
        var pushed = false
        if let with = statement.with {
            var frame: [String: CTEDefinition] = [:]
            for cte in with.tables {
                frame[cte.name] = CTEDefinition(name: cte.name, columnNames: cte.columns, query: cte.query,
                                                recursive: with.recursive)
            }
            cteFrames.append(frame)
            pushed = true
        }
        defer { if pushed { cteFrames.removeLast() } }

        // A single SELECT core plans ORDER BY itself (it may sort by columns it does not output).
        if case .select(let core) = statement.body {
            var planned = try planCore(core, orderBy: statement.orderBy, parent: parent, level: level)
            planned.root = try applyLimit(planned.root, statement, parent: parent, level: level)
            return planned
        }
        var planned = try planSetExpression(statement.body, parent: parent, level: level)
        if !statement.orderBy.isEmpty {
            let scope = Scope(columns: planned.columns.map { ScopeColumn(relation: nil, name: $0.name, type: $0.type) },
                              parent: parent, level: level)
            var keys: [SortOperator.Key] = []
            for item in statement.orderBy {
                let expression: BoundExpression
                if case .integerLiteral(let k) = item.expression.kind {
                    guard k >= 1, k <= planned.columns.count else {
                        throw PlanError.at(ExecutionError("42P10", "ORDER BY position \(k) is not in select list"), item.expression.location)
                    }
                    expression = .column(Int(k) - 1)
                } else {
                    expression = try bind(item.expression, scope, .plain(clause: "ORDER BY")).expression
                }
                keys.append(SortOperator.Key(expression: expression, ascending: item.ascending, nullsFirst: item.nullsFirst))
            }
            planned.root = SortOperator(child: planned.root, keys: keys)
        }
        planned.root = try applyLimit(planned.root, statement, parent: parent, level: level)
        return planned
    }

    func applyLimit(_ root: any Operator, _ statement: SelectStatement, parent: Scope?, level: Int) throws -> any Operator {
        guard statement.limit != nil || statement.offset != nil else { return root }
        let scope = Scope(columns: [], parent: parent, level: level)
        let limit = try statement.limit.map { try coerce(try bind($0, scope, .plain(clause: "LIMIT")), to: .bigint).expression }
        let offset = try statement.offset.map { try coerce(try bind($0, scope, .plain(clause: "OFFSET")), to: .bigint).expression }
        return LimitOperator(child: root, limit: limit, offset: offset)
    }

    func planSetExpression(_ body: SetExpression, parent: Scope?, level: Int) throws -> PlannedQuery {
        switch body {
        case .select(let core):
            return try planCore(core, orderBy: [], parent: parent, level: level)
        case .parenthesized(let statement):
            return try planSelect(statement, parent: parent, level: level)
        case .values(let rows):
            let scope = Scope(columns: [], parent: parent, level: level)
            guard let width = rows.first?.count else { throw PlanError.notSupported("empty VALUES") }
            var bound = try rows.map { row -> [Bound] in
                guard row.count == width else {
                    throw ExecutionError("42601", "VALUES lists must all be the same length")
                }
                return try row.map { try bind($0, scope, .plain(clause: "VALUES")) }
            }
            var types: [SQLType] = []
            for c in 0..<width {
                let type = try commonType(bound.map { $0[c] }, "VALUES", .unknown)
                types.append(type)
                for r in bound.indices { bound[r][c] = try coerce(bound[r][c], to: type) }
            }
            let op = ValuesOperator(width: width, rows: bound.map { $0.map(\.expression) })
            return PlannedQuery(root: op, columns: types.enumerated().map { ResultColumn(name: "column\($0.offset + 1)", type: $0.element) })
        case .setOperation(let op, let all, let lhs, let rhs):
            var left = try planSetExpression(lhs, parent: parent, level: level)
            var right = try planSetExpression(rhs, parent: parent, level: level)
            guard left.columns.count == right.columns.count else {
                throw ExecutionError("42601", "each \(op.rawValue) query must have the same number of columns")
            }
            var columns = left.columns
            var castLeft: [BoundExpression] = [], castRight: [BoundExpression] = []
            var needCast = false
            for i in columns.indices {
                let l = left.columns[i].type, r = right.columns[i].type
                var type = l
                if l != r {
                    if l == .unknown { type = r } else if r == .unknown { type = l } else if let t = SQLType.commonSupertype(l, r) {
                        type = t
                    } else if l.isNumeric && r.isNumeric {
                        type = .double
                    } else if options.lenient {
                        type = l
                    } else {
                        throw ExecutionError("42804", "\(op.rawValue) types \(l.name) and \(r.name) cannot be matched")
                    }
                }
                columns[i].type = type
                let lc = l == type || (l.isNumeric && type.isNumeric) || l == .unknown
                let rc = r == type || (r.isNumeric && type.isNumeric) || r == .unknown
                castLeft.append(lc ? .column(i) : .cast(.column(i), type, explicit: false))
                castRight.append(rc ? .column(i) : .cast(.column(i), type, explicit: false))
                if !lc || !rc { needCast = true }
            }
            if needCast {
                left.root = ProjectOperator(child: left.root, expressions: castLeft)
                right.root = ProjectOperator(child: right.root, expressions: castRight)
            }
            let kind: SetOperationOperator.Kind = op == .union ? .union : op == .intersect ? .intersect : .except
            return PlannedQuery(root: SetOperationOperator(left: left.root, right: right.root, kind: kind, all: all),
                                columns: columns)
        }
    }

    /// Plans a subquery used in an expression of `scope`'s level.
    func planSubquery(_ statement: SelectStatement, _ scope: Scope) throws -> (Subquery, [ResultColumn]) {
        let level = scope.level + 1
        correlationStack.append(Int.max)
        let planned: PlannedQuery
        do {
            planned = try planSelect(statement, parent: scope, level: level)
        } catch {
            correlationStack.removeLast()
            throw error
        }
        let lowest = correlationStack.removeLast()
        return (Subquery(plan: planned.root, correlated: lowest < level), planned.columns)
    }

    // MARK: SELECT core

    func planCore(_ core: SelectCore, orderBy: [OrderItem], parent: Scope?, level: Int) throws -> PlannedQuery {
        if let asOf = core.asOf, level == 0, asOfExpression == nil {
            asOfExpression = try bind(asOf, Scope(columns: [], parent: nil, level: 0), .plain(clause: "AS OF SYSTEM TIME")).expression
        }
        // FROM and WHERE.
        let (root, scope) = try planFrom(core.from, where: core.whereClause, parent: parent, level: level,
                                         usedColumns: usedColumnNames(core, orderBy: orderBy))

        let aggregated = !core.groupBy.isEmpty || core.having != nil
            || core.items.contains { if case .expression(let e, _) = $0 { return containsAggregate(e) } else { return false } }
            || (!orderBy.isEmpty && orderBy.contains { containsAggregate($0.expression) } && !core.groupBy.isEmpty)
        var mode: BindMode = .plain(clause: "SELECT")
        if aggregated {
            // Group keys: expressions, select-list positions, or output names (PostgreSQL's rules).
            var keys: [Expression] = []
            for g in core.groupBy {
                if case .integerLiteral(let k) = g.kind {
                    guard k >= 1, k <= core.items.count, case .expression(let e, _) = core.items[Int(k) - 1] else {
                        throw PlanError.at(ExecutionError("42P10", "GROUP BY position \(k) is not in select list"), g.location)
                    }
                    keys.append(e)
                } else if case .columnRef(nil, let name) = g.kind, try scope.resolveLocal(table: nil, column: name, location: g.location) == nil,
                          let item = core.items.first(where: { if case .expression(_, let alias) = $0 { return alias == name } else { return false } }),
                          case .expression(let e, _) = item {
                    keys.append(e)
                } else {
                    keys.append(g)
                }
            }
            let keyBounds = try keys.map { try bind($0, scope, .plain(clause: "GROUP BY")) }
            let binding = AggregateBinding(groupKeys: keys, keyBounds: keyBounds, inputScope: scope)
            mode = .aggregated(binding)
            var items: [(Bound, String)] = []
            for item in core.items {
                switch item {
                case .wildcard, .qualifiedWildcard:
                    for c in scope.columns where !c.hidden {
                        if case .qualifiedWildcard(let t, _) = item, c.relation != t.name { continue }
                        let e = Expression(.columnRef(table: c.relation.map { ObjectName(name: $0) }, column: c.name))
                        items.append((try bind(e, scope, mode), c.name))
                    }
                case .expression(let e, let alias):
                    items.append((try bind(e, scope, mode), alias ?? outputName(e)))
                }
            }
            let having = try core.having.map { try bindCondition($0, scope, mode) }
            let orderKeys = try bindOrderBy(orderBy, items: items, core: core, scope: scope, mode: mode)
            let aggregate = HashAggregateOperator(child: root, groupKeys: keyBounds.map(\.expression),
                                                  aggregates: binding.aggregates)
            var top: any Operator = aggregate
            if let having { top = FilterOperator(child: top, predicate: having) }
            return try finishCore(top, items: items, orderKeys: orderKeys, distinct: core.distinct)
        }
        var items: [(Bound, String)] = []
        for item in core.items {
            switch item {
            case .wildcard(let location):
                let visible = scope.columns.enumerated().filter { !$0.element.hidden }
                if visible.isEmpty && core.from.isEmpty {
                    throw PlanError.at(ExecutionError("42601", "SELECT * with no tables specified is not valid"), location)
                }
                for (i, c) in visible { items.append((Bound(expression: .column(i), type: c.type), c.name)) }
            case .qualifiedWildcard(let table, let location):
                let matching = scope.columns.enumerated().filter { $0.element.relation == table.name }
                if matching.isEmpty { throw PlanError.missingFromEntry(table.name, location) }
                for (i, c) in matching { items.append((Bound(expression: .column(i), type: c.type), c.name)) }
            case .expression(let e, let alias):
                items.append((try bind(e, scope, mode), alias ?? outputName(e)))
            }
        }
        let orderKeys = try bindOrderBy(orderBy, items: items, core: core, scope: scope, mode: mode)
        return try finishCore(root, items: items, orderKeys: orderKeys, distinct: core.distinct)
    }

    /// Sort keys as (expression over the core's input or aggregate output, or an output position).
    func bindOrderBy(_ orderBy: [OrderItem], items: [(Bound, String)], core: SelectCore, scope: Scope,
                     mode: BindMode) throws -> [(OrderTarget, OrderItem)] {
        var keys: [(OrderTarget, OrderItem)] = []
        for item in orderBy {
            let e = item.expression
            if case .integerLiteral(let k) = e.kind {
                guard k >= 1, k <= items.count else {
                    throw PlanError.at(ExecutionError("42P10", "ORDER BY position \(k) is not in select list"), e.location)
                }
                keys.append((.output(Int(k) - 1), item))
                continue
            }
            if case .columnRef(nil, let name) = e.kind, let k = items.firstIndex(where: { $0.1 == name }),
               (try? scope.resolveLocal(table: nil, column: name, location: e.location)) == nil
                || core.items.indices.contains(k) && isAlias(core.items, name) {
                keys.append((.output(k), item))
                continue
            }
            if let k = core.items.firstIndex(where: { if case .expression(let x, _) = $0 { return x == e } else { return false } }),
               k < items.count, !core.items.contains(where: { if case .wildcard = $0 { return true } else { return false } }) {
                keys.append((.output(k), item))
                continue
            }
            keys.append((.expression(try bind(e, scope, mode).expression), item))
        }
        return keys
    }

    func isAlias(_ items: [SelectItem], _ name: String) -> Bool {
        items.contains { if case .expression(_, let alias) = $0 { return alias == name } else { return false } }
    }

    /// Projection, DISTINCT, ORDER BY (with hidden sort columns) over `input`.
    func finishCore(_ input: any Operator, items: [(Bound, String)], orderKeys: [(OrderTarget, OrderItem)],
                    distinct: DistinctMode) throws -> PlannedQuery {
        var expressions = items.map { $0.0.expression }
        let visible = expressions.count
        var sortKeys: [SortOperator.Key] = []
        for (target, item) in orderKeys {
            switch target {
            case .output(let k):
                sortKeys.append(SortOperator.Key(expression: .column(k), ascending: item.ascending, nullsFirst: item.nullsFirst))
            case .expression(let e):
                expressions.append(e)
                sortKeys.append(SortOperator.Key(expression: .column(expressions.count - 1), ascending: item.ascending,
                                                 nullsFirst: item.nullsFirst))
            }
        }
        var root: any Operator = project(input, expressions)
        switch distinct {
        case .distinct:
            if !sortKeys.isEmpty && expressions.count > visible {
                root = SortOperator(child: root, keys: sortKeys)
                root = DistinctOperator(child: root, keyWidth: visible)
                sortKeys = []
            } else {
                root = DistinctOperator(child: root)
            }
        case .distinctOn:
            throw PlanError.notSupported("DISTINCT ON")
        case .none, .all:
            break
        }
        if !sortKeys.isEmpty { root = SortOperator(child: root, keys: sortKeys) }
        if expressions.count > visible {
            root = ProjectOperator(child: root, expressions: (0..<visible).map { .column($0) })
        }
        return PlannedQuery(root: root, columns: items.map { ResultColumn(name: $0.1, type: $0.0.type == .unknown ? .text : $0.0.type) })
    }

    /// `expressions` over `input`: a scan narrowed to the columns when every expression is a plain column
    /// of a table or index scan (the scan decodes only those, and no operator copies them again), else a
    /// `ProjectOperator`.
    func project(_ input: any Operator, _ expressions: [BoundExpression]) -> any Operator {
        var columns: [Int] = []
        for e in expressions {
            guard case .column(let i) = e else { return ProjectOperator(child: input, expressions: expressions) }
            columns.append(i)
        }
        if let scan = input as? TableScanOperator, let narrow = scan.narrowed(to: columns) { return narrow }
        if let scan = input as? IndexScanOperator, let narrow = scan.narrowed(to: columns) { return narrow }
        return ProjectOperator(child: input, expressions: expressions)
    }

    /// The column names a core reads anywhere (select list, WHERE, join conditions, GROUP BY, HAVING,
    /// ORDER BY), or nil when that cannot be known here: a `*`, a subquery (it may read outer columns),
    /// a USING or NATURAL join. Lets a covering index answer a single-table query alone, and the scans
    /// and lookups of a join skip decoding columns nothing reads.
    func usedColumnNames(_ core: SelectCore, orderBy: [OrderItem]) -> Set<String>? {
        var expressions: [Expression] = []
        // FROM items may be tables, derived tables and joins with ON conditions (whose names count as
        // read): every name read is then spelled out. USING and NATURAL read columns by implication.
        func collect(_ ref: TableReference) -> Bool {
            switch ref.kind {
            case .table, .derived: return true
            case .join(let left, let right, _, let condition):
                switch condition {
                case .on(let e): expressions.append(e)
                case .none: break
                case .using, .natural: return false
                }
                return collect(left) && collect(right)
            case .function: return false
            }
        }
        guard !core.from.isEmpty, core.from.allSatisfy(collect) else { return nil }
        for item in core.items {
            guard case .expression(let e, _) = item else { return nil }
            expressions.append(e)
        }
        expressions += [core.whereClause, core.having].compactMap { $0 } + core.groupBy + orderBy.map(\.expression)
        var names = Set<String>()
        var opaque = false
        for e in expressions {
            _ = e.rewritten { node in
                switch node.kind {
                case .exists, .scalarSubquery, .inSubquery, .quantified: opaque = true
                case .columnRef(_, let column): names.insert(column)
                default: break
                }
                return nil
            }
        }
        return opaque ? nil : names
    }

    /// PostgreSQL's name for an unnamed output column.
    func outputName(_ e: Expression) -> String {
        switch e.kind {
        case .columnRef(_, let column): return column
        case .function(let call): return call.name.name
        case .cast(let inner, let type):
            if case .columnRef(_, let column) = inner.kind { return column }
            return type.name
        case .caseWhen: return "case"
        case .exists: return "exists"
        default: return "?column?"
        }
    }
}

/// Where an ORDER BY key comes from.
enum OrderTarget {
    case output(Int)
    case expression(BoundExpression)
}
