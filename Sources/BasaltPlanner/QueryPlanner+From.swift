import BasaltExecution
import BasaltSQL

/// One input of a join: an operator and its columns; base tables keep their descriptor so an access
/// path can be chosen once the predicates on them are known.
struct Relation {
    var columns: [ScopeColumn]
    var table: TableDescriptor?
    var op: (any Operator)?
    /// Predicates on this relation alone, over its own column positions.
    var filters: [BoundExpression] = []
    var offset = 0
    /// The relation's columns the query reads (nil: unknown, all); a base table's others need not be
    /// decoded.
    var read: Set<Int>?
}

extension QueryPlanner {
    /// Plans FROM and WHERE: the rows of the FROM layout (every relation's columns, in FROM order)
    /// that satisfy WHERE, and the scope describing them.
    func planFrom(_ from: [TableReference], where whereClause: Expression?, parent: Scope?, level: Int,
                  usedColumns: Set<String>? = nil) throws -> (any Operator, Scope)
    {
        var relations: [Relation] = []
        var onConditions: [Expression] = []
        for item in from { try flatten(item, into: &relations, conditions: &onConditions, parent: parent, level: level) }
        var offset = 0
        for i in relations.indices {
            relations[i].offset = offset
            offset += relations[i].columns.count
        }
        let scope = Scope(columns: relations.flatMap(\.columns), parent: parent, level: level)
        if relations.isEmpty {
            var root: any Operator = ValuesOperator(width: 0, rows: [[]])
            if let whereClause { root = FilterOperator(child: root, predicate: try bindCondition(whereClause, scope, .plain(clause: "WHERE"))) }
            return (root, scope)
        }
        var conjuncts: [BoundExpression] = []
        for condition in onConditions + (whereClause.map { [$0] } ?? []) {
            let clause = condition == whereClause ? "WHERE" : "JOIN conditions"
            split(try bindCondition(condition, scope, .plain(clause: clause)), into: &conjuncts)
        }
        // Relation of each FROM-layout column.
        var owner: [Int] = []
        for (r, relation) in relations.enumerated() { owner += Array(repeating: r, count: relation.columns.count) }
        var remaining: [(BoundExpression, Set<Int>)] = []
        for c in conjuncts {
            var columns = Set<Int>()
            c.collectColumns(into: &columns)
            let rels = Set(columns.map { owner[$0] })
            if rels.count == 1, !containsCorrelatedSubquery(c), let r = rels.first {
                let offset = relations[r].offset
                relations[r].filters.append(c.remapColumns { $0 - offset })
            } else {
                remaining.append((c, rels))
            }
        }
        // Access paths (a lone base table may be answered by a covering index).
        for r in relations.indices {
            var covered: Set<Int>?
            if relations.count == 1, let table = relations[r].table, let used = usedColumns {
                covered = Set(used.compactMap { table.columnIndex($0) })
                if covered!.count != used.count { covered = nil }
            }
            if relations.count > 1, relations[r].table != nil, let used = usedColumns {
                // By bare name, whatever the qualifier: a superset of what is read.
                relations[r].read = Set(relations[r].columns.indices.filter { used.contains(relations[r].columns[$0].name) })
            }
            relations[r].op = try accessPath(relations[r], usedColumns: covered)
        }
        if relations.count == 1 {
            var root = relations[0].op!
            let rest = remaining.map(\.0)
            if !rest.isEmpty { root = FilterOperator(child: root, predicate: rest.count == 1 ? rest[0] : .and(rest)) }
            return (root, scope)
        }
        return (try orderJoins(relations, remaining, owner: owner, width: offset), scope)
    }

    /// Splits nested ANDs into conjuncts.
    func split(_ e: BoundExpression, into out: inout [BoundExpression]) {
        if case .and(let items) = e {
            for item in items { split(item, into: &out) }
        } else {
            out.append(e)
        }
    }

    func containsCorrelatedSubquery(_ e: BoundExpression) -> Bool {
        switch e {
        case .inSubquery(let x, let s, _), .quantified(_, let x, let s, _): return s.correlated || containsCorrelatedSubquery(x)
        case .exists(let s, _), .scalarSubquery(let s): return s.correlated
        case .negate(let x), .bitNot(let x), .not(let x), .isNull(let x, _), .isBoolean(let x, _, _), .cast(let x, _, _), .truthy(let x):
            return containsCorrelatedSubquery(x)
        case .arithmetic(_, let a, let b), .comparison(_, let a, let b), .isDistinctFrom(let a, let b, _), .nullIf(let a, let b):
            return containsCorrelatedSubquery(a) || containsCorrelatedSubquery(b)
        case .and(let xs), .or(let xs), .coalesce(let xs), .function(_, let xs):
            return xs.contains(where: containsCorrelatedSubquery)
        case .inList(let x, let xs, _):
            return containsCorrelatedSubquery(x) || xs.contains(where: containsCorrelatedSubquery)
        case .like(let x, let p, let esc, _, _):
            return containsCorrelatedSubquery(x) || containsCorrelatedSubquery(p) || (esc.map(containsCorrelatedSubquery) ?? false)
        case .caseWhen(let op, let branches, let otherwise):
            return (op.map(containsCorrelatedSubquery) ?? false) || branches.contains { containsCorrelatedSubquery($0.0) || containsCorrelatedSubquery($0.1) }
                || (otherwise.map(containsCorrelatedSubquery) ?? false)
        case .constant, .column, .outerColumn, .parameter: return false
        }
    }

    /// Adds the relations of one FROM item: inner and cross joins dissolve into relations plus
    /// conditions (so the join order is free); outer joins stay one relation.
    func flatten(_ ref: TableReference, into relations: inout [Relation], conditions: inout [Expression],
                 parent: Scope?, level: Int) throws {
        switch ref.kind {
        case .join(let left, let right, let kind, let condition) where kind == .inner || kind == .cross:
            let before = relations.count
            try flatten(left, into: &relations, conditions: &conditions, parent: parent, level: level)
            let middle = relations.count
            try flatten(right, into: &relations, conditions: &conditions, parent: parent, level: level)
            try joinCondition(condition, leftColumns: relations[before..<middle].flatMap(\.columns),
                              right: &relations[middle...], into: &conditions, location: ref.location)
        case .join(let left, let right, let kind, let condition):
            // An outer join: both sides planned as their own FROM lists, joined here.
            var leftRelations: [Relation] = [], rightRelations: [Relation] = []
            var leftConditions: [Expression] = [], rightConditions: [Expression] = []
            try flatten(left, into: &leftRelations, conditions: &leftConditions, parent: parent, level: level)
            try flatten(right, into: &rightRelations, conditions: &rightConditions, parent: parent, level: level)
            var on: [Expression] = []
            let usingNames = try joinCondition(condition, leftColumns: leftRelations.flatMap(\.columns), right: &rightRelations[...],
                                               into: &on, location: ref.location)
            let (leftOp, leftScope) = try planRelations(leftRelations, leftConditions, parent: parent, level: level)
            let (rightOp, rightScope) = try planRelations(rightRelations, rightConditions, parent: parent, level: level)
            let scope = Scope(columns: leftScope.columns + rightScope.columns, parent: parent, level: level)
            var predicate: BoundExpression?
            var conjuncts: [BoundExpression] = []
            for c in on { split(try bindCondition(c, scope, .plain(clause: "JOIN conditions")), into: &conjuncts) }
            if !conjuncts.isEmpty { predicate = conjuncts.count == 1 ? conjuncts[0] : .and(conjuncts) }
            let joinKind: BasaltExecution.JoinKind = kind == .left ? .left : kind == .right ? .right : .full
            var op = try buildJoin(leftOp, rightOp, leftWidth: leftScope.columns.count, kind: joinKind, conjuncts: conjuncts,
                                   fallback: predicate)
            if !usingNames.isEmpty && joinKind != .left {
                // The merged USING column is COALESCE(left, right): a right-only row has its key on the right.
                var expressions = (0..<scope.columns.count).map { BoundExpression.column($0) }
                for name in usingNames {
                    guard let l = leftScope.columns.lastIndex(where: { $0.name == name && !$0.hidden }),
                          let r = rightScope.columns.firstIndex(where: { $0.name == name && $0.hidden }) else { continue }
                    expressions[l] = .coalesce([.column(l), .column(leftScope.columns.count + r)])
                }
                op = ProjectOperator(child: op, expressions: expressions)
            }
            relations.append(Relation(columns: scope.columns, table: nil, op: op))
        case .table(let name, let alias, let columnAliases):
            relations.append(try tableRelation(name, alias: alias, columnAliases: columnAliases, parent: parent,
                                               level: level, location: ref.location))
        case .derived(let query, let alias, let columnAliases):
            let planned = try planSelect(query, parent: parent, level: level)
            var columns = planned.columns.map { ScopeColumn(relation: alias, name: $0.name, type: $0.type) }
            for (i, name) in columnAliases.enumerated() where i < columns.count { columns[i].name = name }
            relations.append(Relation(columns: columns, table: nil, op: planned.root))
        case .function:
            throw PlanError.notSupported("functions in FROM", ref.location)
        }
    }

    /// Plans a list of relations with their conditions (one side of an outer join).
    func planRelations(_ relations: [Relation], _ conditions: [Expression], parent: Scope?, level: Int) throws -> (any Operator, Scope) {
        var rels = relations
        var offset = 0
        for i in rels.indices {
            rels[i].offset = offset
            offset += rels[i].columns.count
        }
        let scope = Scope(columns: rels.flatMap(\.columns), parent: parent, level: level)
        var conjuncts: [BoundExpression] = []
        for c in conditions { split(try bindCondition(c, scope, .plain(clause: "JOIN conditions")), into: &conjuncts) }
        var owner: [Int] = []
        for (r, relation) in rels.enumerated() { owner += Array(repeating: r, count: relation.columns.count) }
        var remaining: [(BoundExpression, Set<Int>)] = []
        for c in conjuncts {
            var columns = Set<Int>()
            c.collectColumns(into: &columns)
            let rs = Set(columns.map { owner[$0] })
            if rs.count == 1, let r = rs.first, !containsCorrelatedSubquery(c) {
                let o = rels[r].offset
                rels[r].filters.append(c.remapColumns { $0 - o })
            } else {
                remaining.append((c, rs))
            }
        }
        for r in rels.indices { rels[r].op = try accessPath(rels[r]) }
        if rels.count == 1 {
            var root = rels[0].op!
            if !remaining.isEmpty { root = FilterOperator(child: root, predicate: .and(remaining.map(\.0))) }
            return (root, scope)
        }
        return (try orderJoins(rels, remaining, owner: owner, width: offset), scope)
    }

    /// Adds the condition of an inner join: ON as is; USING and NATURAL as equalities (the right-hand
    /// copies of the joined columns become hidden).
    @discardableResult
    func joinCondition(_ condition: JoinCondition, leftColumns: [ScopeColumn], right: inout ArraySlice<Relation>,
                       into conditions: inout [Expression], location: SourceLocation) throws -> [String] {
        var names: [String] = []
        switch condition {
        case .on(let e): conditions.append(e); return []
        case .none: return []
        case .using(let columns): names = columns
        case .natural:
            let rightNames = Set(right.flatMap(\.columns).filter { !$0.hidden }.map(\.name))
            names = leftColumns.filter { !$0.hidden && rightNames.contains($0.name) }.map(\.name)
        }
        for name in names {
            guard let l = leftColumns.last(where: { $0.name == name && !$0.hidden }) else {
                throw PlanError.at(ExecutionError("42703", "column \"\(name)\" specified in USING clause does not exist in left table"), location)
            }
            var found: ScopeColumn?
            for r in right.indices {
                for c in right[r].columns.indices where right[r].columns[c].name == name && !right[r].columns[c].hidden {
                    found = right[r].columns[c]
                    right[r].columns[c].hidden = true
                }
            }
            guard let rc = found else {
                throw PlanError.at(ExecutionError("42703", "column \"\(name)\" specified in USING clause does not exist in right table"), location)
            }
            conditions.append(Expression(.binary(.equal,
                                                 Expression(.columnRef(table: l.relation.map { ObjectName(name: $0) }, column: name)),
                                                 Expression(.columnRef(table: rc.relation.map { ObjectName(name: $0) }, column: name)))))
        }
        return names
    }

    /// A table, view or CTE named in FROM.
    func tableRelation(_ name: ObjectName, alias: String?, columnAliases: [String], parent: Scope?, level: Int,
                       location: SourceLocation) throws -> Relation {
        let relationName = alias ?? name.name
        func named(_ columns: [ScopeColumn]) -> [ScopeColumn] {
            var out = columns
            for (i, n) in columnAliases.enumerated() where i < out.count { out[i].name = n }
            return out
        }
        if name.schema == nil, let cte = cteFrames.reversed().lazy.compactMap({ $0[name.name] }).first {
            if let work = cte.workTable {
                let op = WorkTableScanOperator(table: work.table, width: work.types.count)
                let columns = zip(work.names, work.types).map { ScopeColumn(relation: relationName, name: $0, type: $1) }
                return Relation(columns: named(columns), table: nil, op: op)
            }
            let planned = try planCTE(cte, level: level)
            let columns = planned.columns.map { ScopeColumn(relation: relationName, name: $0.name, type: $0.type) }
            return Relation(columns: named(columns), table: nil, op: planned.root)
        }
        if let table = schema.table(name.name) {
            let columns = table.columns.map { ScopeColumn(relation: relationName, name: $0.name, type: $0.type) }
            return Relation(columns: named(columns), table: table, op: nil)
        }
        if let view = schema.view(name.name) {
            guard !expandingViews.contains(view.name) else {
                throw PlanError.at(ExecutionError("42P17", "infinite recursion detected in view \"\(view.name)\""), location)
            }
            expandingViews.insert(view.name)
            defer { expandingViews.remove(view.name) }
            let query = try parseViewQuery(view)
            let planned = try planSelect(query, parent: nil, level: level)
            var columns = planned.columns.map { ScopeColumn(relation: relationName, name: $0.name, type: $0.type) }
            for (i, n) in view.columnNames.enumerated() where i < columns.count { columns[i].name = n }
            return Relation(columns: named(columns), table: nil, op: planned.root)
        }
        throw PlanError.undefinedTable(name.name, location)
    }

    func planCTE(_ cte: CTEDefinition, level: Int) throws -> PlannedQuery {
        func rename(_ p: PlannedQuery) -> PlannedQuery {
            var p = p
            for (i, n) in cte.columnNames.enumerated() where i < p.columns.count { p.columns[i].name = n }
            return p
        }
        guard cte.recursive, case .setOperation(.union, let all, let base, let recursive) = cte.query.body,
              references(recursive, cte.name) else {
            return rename(try planSelect(cte.query, parent: nil, level: level))
        }
        let basePlan = rename(try planSetExpression(base, parent: nil, level: level))
        let work = WorkTable(width: basePlan.columns.count)
        cte.workTable = (work, basePlan.columns.map(\.type), basePlan.columns.map(\.name))
        defer { cte.workTable = nil }
        let recursivePlan = try planSetExpression(recursive, parent: nil, level: level)
        guard recursivePlan.columns.count == basePlan.columns.count else {
            throw ExecutionError("42601", "each UNION query must have the same number of columns")
        }
        return PlannedQuery(root: RecursiveUnionOperator(base: basePlan.root, recursive: recursivePlan.root, workTable: work, all: all),
                            columns: basePlan.columns)
    }

    /// Whether a set expression names table `name` (a recursive reference) in its FROM lists, derived
    /// tables and nested queries included.
    func references(_ body: SetExpression, _ name: String) -> Bool {
        func inReference(_ ref: TableReference) -> Bool {
            switch ref.kind {
            case .table(let table, _, _): return table.schema == nil && table.name == name
            case .derived(let query, _, _): return inStatement(query)
            case .function: return false
            case .join(let left, let right, _, _): return inReference(left) || inReference(right)
            }
        }
        func inStatement(_ statement: SelectStatement) -> Bool { inBody(statement.body) }
        func inBody(_ body: SetExpression) -> Bool {
            switch body {
            case .select(let core): return core.from.contains(where: inReference)
            case .values: return false
            case .setOperation(_, _, let l, let r): return inBody(l) || inBody(r)
            case .parenthesized(let statement): return inStatement(statement)
            }
        }
        return inBody(body)
    }
}

extension QueryPlanner {
    /// The stored query of a view.
    func parseViewQuery(_ view: ViewDescriptor) throws -> SelectStatement {
        guard case .select(let query) = try Parser.parseStatement(view.sql) else {
            throw ExecutionError("XX001", "view \"\(view.name)\" has a corrupted definition")
        }
        return query
    }
}
