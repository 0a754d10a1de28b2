import BasaltExecution
import BasaltSQL

/// A bound expression with its static type. `untyped` marks string literals, NULL and parameters
/// whose type context decides (PostgreSQL's "unknown"), so `int_col = '5'` casts the literal.
struct Bound {
    var expression: BoundExpression
    var type: SQLType
    var untyped = false
    var stringLiteral: String?
}

/// How expressions of a clause may use aggregates.
enum BindMode {
    /// No aggregates (WHERE, ON, GROUP BY, aggregate arguments): `clause` names it in errors.
    case plain(clause: String)
    /// Above a grouping: group keys and aggregate calls become columns of the aggregate's output.
    case aggregated(AggregateBinding)
}

/// Collects what the expressions above a GROUP BY need from the aggregate operator: group keys (fixed
/// up front) and the aggregate calls found while binding, each one output column.
final class AggregateBinding {
    let groupKeys: [Expression]
    let keyBounds: [Bound]
    /// The FROM scope aggregate arguments bind in.
    let inputScope: Scope
    var aggregates: [HashAggregateOperator.Aggregate] = []
    var aggregateTypes: [SQLType] = []
    var aggregateASTs: [Expression] = []

    init(groupKeys: [Expression], keyBounds: [Bound], inputScope: Scope) {
        self.groupKeys = groupKeys
        self.keyBounds = keyBounds
        self.inputScope = inputScope
    }
}

/// Names of the aggregate functions.
let aggregateNames: Set<String> = ["count", "sum", "avg", "min", "max", "string_agg", "group_concat", "bool_and",
                                   "bool_or", "every", "total"]

extension QueryPlanner {
    // MARK: Entry points

    func bind(_ e: Expression, _ scope: Scope, _ mode: BindMode) throws -> Bound {
        if case .aggregated(let binding) = mode {
            if let k = binding.groupKeys.firstIndex(of: e) {
                return Bound(expression: .column(k), type: binding.keyBounds[k].type)
            }
            if case .function(let call) = e.kind, isAggregateCall(call) {
                return try bindAggregate(call, e, binding)
            }
            if case .columnRef(let table, let column) = e.kind {
                // A column not grouped: PostgreSQL's 42803, or SQLite's value from the group's last row.
                if try scope.resolveLocal(table: table?.name, column: column, location: e.location) != nil {
                    guard options.lenient else { throw PlanError.grouping(column, e.location) }
                    return try bindBareColumn(e, binding)
                }
            }
        }
        return try bindKind(e, scope, mode)
    }

    /// Binds a condition (WHERE, HAVING, ON, CASE WHEN): boolean, or with `lenient` a number.
    func bindCondition(_ e: Expression, _ scope: Scope, _ mode: BindMode) throws -> BoundExpression {
        try asCondition(bind(e, scope, mode), e.location)
    }

    func asCondition(_ b: Bound, _ location: SourceLocation) throws -> BoundExpression {
        switch b.type {
        case .boolean: return b.expression
        case .unknown:
            if let s = b.stringLiteral {
                return .constant(try SQLValue.text(s).cast(to: .boolean, explicit: false))
            }
            return .cast(b.expression, .boolean, explicit: false)
        default:
            if options.lenient && (b.type.isNumeric || b.type.isText) { return .truthy(b.expression) }
            throw PlanError.datatype("argument of WHERE must be type boolean, not type \(b.type.name)", location)
        }
    }

    // MARK: Coercion

    /// `b` converted to `type` for an operator or assignment: untyped literals are cast (at bind time
    /// for string literals, so a bad literal fails before execution, as in PostgreSQL).
    func coerce(_ b: Bound, to type: SQLType) throws -> Bound {
        if b.type == type || type == .unknown { return b }
        if case .constant(.null) = b.expression { return Bound(expression: .constant(.null), type: type) }
        if let s = b.stringLiteral {
            return Bound(expression: .constant(try SQLValue.text(s).cast(to: type, explicit: false)), type: type)
        }
        if case .parameter(let i) = b.expression {
            noteParameter(i, type)
            return Bound(expression: .cast(b.expression, type, explicit: false), type: type)
        }
        if b.type.isNumeric && type.isNumeric {
            // Numbers compare and combine across widths without conversion.
            return b
        }
        if b.type.isText && type.isText { return Bound(expression: b.expression, type: type) }
        return Bound(expression: .cast(b.expression, type, explicit: false), type: type)
    }

    /// The type two operands are compared or combined in; nil when they cannot be.
    func unify(_ a: Bound, _ b: Bound) -> SQLType? {
        if a.untyped && b.untyped { return .text }
        if a.untyped { return b.type }
        if b.untyped { return a.type }
        if a.type.isNumeric && b.type.isNumeric { return SQLType.commonSupertype(a.type, b.type) ?? .double }
        if let t = SQLType.commonSupertype(a.type, b.type) { return t }
        if a.type.isDateTime && b.type.isDateTime { return .timestamp }
        return nil
    }

    /// Both operands coerced to a comparable type, or 42883.
    func comparable(_ a: Bound, _ b: Bound, op: String, _ location: SourceLocation) throws -> (Bound, Bound) {
        if let t = unify(a, b) { return (try coerce(a, to: t), try coerce(b, to: t)) }
        if options.lenient && ((a.type.isNumeric && b.type.isText) || (a.type.isText && b.type.isNumeric)) {
            // SQLite compares a number with text by its numeric affinity.
            return (try coerce(a, to: .double).castIfText(a), try coerce(b, to: .double).castIfText(b))
        }
        throw PlanError.operatorMissing(op, a.type, b.type, location)
    }

    // MARK: Expression kinds

    func bindKind(_ e: Expression, _ scope: Scope, _ mode: BindMode) throws -> Bound {
        let location = e.location
        switch e.kind {
        case .integerLiteral(let v):
            return Bound(expression: .constant(.integer(v)), type: Int32(exactly: v) != nil ? .integer : .bigint)
        case .numericLiteral(let text), .decimalLiteral(let text):
            if let d = try? SQLDecimal(parsing: text) {
                return Bound(expression: .constant(.numeric(d)), type: .numeric(precision: nil, scale: nil))
            }
            guard let d = Double(text) else {
                throw PlanError.at(ExecutionError.invalidText("numeric", text), location)
            }
            return Bound(expression: .constant(.double(d)), type: .double)
        case .stringLiteral(let s):
            return Bound(expression: .constant(.text(s)), type: .unknown, untyped: true, stringLiteral: s)
        case .blobLiteral(let bytes):
            return Bound(expression: .constant(.blob(bytes)), type: .bytea)
        case .booleanLiteral(let b):
            return Bound(expression: .constant(.boolean(b)), type: .boolean)
        case .null:
            return Bound(expression: .constant(.null), type: .unknown, untyped: true)
        case .defaultValue:
            throw PlanError.at(ExecutionError("42601", "DEFAULT is not allowed in this context"), location)
        case .parameter(let n):
            let index = n - 1
            if let t = parameterTypes[index], t != .unknown {
                return Bound(expression: .cast(.parameter(index), t, explicit: false), type: t)
            }
            return Bound(expression: .parameter(index), type: .unknown, untyped: true)
        case .columnRef(let table, let column):
            return try resolveColumn(table: table?.name, column: column, scope, location)
        case .unary(let op, let operand):
            let b = try bind(operand, scope, mode)
            switch op {
            case .plus:
                return b.untyped ? try coerce(b, to: .double) : b
            case .minus:
                var v = b.untyped ? try coerce(b, to: .double) : b
                if case .constant(let c) = v.expression, !c.isNull {
                    v.expression = .constant(try SQLValue.negate(c))
                } else {
                    v.expression = .negate(v.expression)
                }
                // -2147483648 is an integer, not a bigint.
                if case .constant(.integer(let i)) = v.expression, Int32(exactly: i) != nil { v.type = .integer }
                guard v.type.isNumeric || v.type == .unknown else {
                    throw PlanError.operatorMissing("-", .unknown, v.type, location)
                }
                return v
            case .not:
                return Bound(expression: .not(try asCondition(b, operand.location)), type: .boolean)
            case .bitNot:
                let v = try coerce(b, to: .bigint)
                return Bound(expression: .bitNot(v.expression), type: v.type)
            }
        case .binary(let op, let lhs, let rhs):
            return try bindBinary(op, lhs, rhs, scope, mode, location)
        case .isNull(let operand, let negated):
            return Bound(expression: .isNull(try bind(operand, scope, mode).expression, negated: negated), type: .boolean)
        case .isDistinctFrom(let lhs, let rhs, let negated):
            let (a, b) = try comparable(try bind(lhs, scope, mode), try bind(rhs, scope, mode), op: "IS DISTINCT FROM", location)
            return Bound(expression: .isDistinctFrom(a.expression, b.expression, negated: negated), type: .boolean)
        case .isTruth(let operand, let truth, let negated):
            let b = try asCondition(try bind(operand, scope, mode), operand.location)
            switch truth {
            case .true: return Bound(expression: .isBoolean(b, value: true, negated: negated), type: .boolean)
            case .false: return Bound(expression: .isBoolean(b, value: false, negated: negated), type: .boolean)
            case .unknown: return Bound(expression: .isNull(b, negated: negated), type: .boolean)
            }
        case .between(let operand, let low, let high, let negated, let symmetric):
            let x = try bind(operand, scope, mode)
            let (x1, lo) = try comparable(x, try bind(low, scope, mode), op: ">=", location)
            let (x2, hi) = try comparable(x, try bind(high, scope, mode), op: "<=", location)
            var inRange = BoundExpression.and([.comparison(.greaterOrEqual, x1.expression, lo.expression),
                                               .comparison(.lessOrEqual, x2.expression, hi.expression)])
            if symmetric {
                inRange = .or([inRange, .and([.comparison(.greaterOrEqual, x1.expression, hi.expression),
                                              .comparison(.lessOrEqual, x2.expression, lo.expression)])])
            }
            return Bound(expression: negated ? .not(inRange) : inRange, type: .boolean)
        case .inList(let operand, let list, let negated):
            var x = try bind(operand, scope, mode)
            var items = try list.map { try bind($0, scope, mode) }
            var type = x.untyped ? nil : x.type
            for item in items where !item.untyped {
                type = type.map { unify(Bound(expression: .constant(.null), type: $0), item) ?? $0 } ?? item.type
            }
            let target = type ?? .text
            for i in items.indices {
                items[i] = try comparable(Bound(expression: .constant(.null), type: target), items[i], op: "=", location).1
            }
            x = try comparable(x, Bound(expression: .constant(.null), type: target), op: "=", location).0
            return Bound(expression: .inList(x.expression, items.map(\.expression), negated: negated), type: .boolean)
        case .inSubquery(let operand, let query, let negated):
            var x = try bind(operand, scope, mode)
            let (sub, columns) = try planSubquery(query, scope)
            guard columns.count == 1 else {
                throw PlanError.at(ExecutionError("42601", "subquery has too many columns"), location)
            }
            x = try comparable(x, Bound(expression: .constant(.null), type: columns[0].type), op: "=", location).0
            return Bound(expression: .inSubquery(x.expression, sub, negated: negated), type: .boolean)
        case .exists(let query, let negated):
            let (sub, _) = try planSubquery(query, scope)
            return Bound(expression: .exists(sub, negated: negated), type: .boolean)
        case .scalarSubquery(let query):
            let (sub, columns) = try planSubquery(query, scope)
            guard columns.count == 1 else {
                throw PlanError.at(ExecutionError("42601", "subquery must return only one column"), location)
            }
            return Bound(expression: .scalarSubquery(sub), type: columns[0].type)
        case .quantified(let operand, let op, let quantifier, let query):
            // x = ANY (q) is x IN (q); x <> ALL (q) is x NOT IN (q); others are not supported yet.
            if op == .equal && quantifier == .any {
                return try bindKind(Expression(.inSubquery(operand, query, negated: false), location: location), scope, mode)
            }
            if op == .notEqual && quantifier == .all {
                return try bindKind(Expression(.inSubquery(operand, query, negated: true), location: location), scope, mode)
            }
            guard op.isComparison else { throw PlanError.notSupported("\(op.rawValue) \(quantifier.rawValue) (subquery)", location) }
            var x = try bind(operand, scope, mode)
            let (sub, columns) = try planSubquery(query, scope)
            guard columns.count == 1 else {
                throw PlanError.at(ExecutionError("42601", "subquery has too many columns"), location)
            }
            x = try comparable(x, Bound(expression: .constant(.null), type: columns[0].type), op: op.rawValue, location).0
            let cmp = comparisonOperator(op)
            return Bound(expression: .quantified(cmp, x.expression, sub, all: quantifier == .all), type: .boolean)
        case .like(let operand, let pattern, let escape, let caseInsensitive, let negated):
            let x = try coerce(try bind(operand, scope, mode), to: .text)
            let p = try coerce(try bind(pattern, scope, mode), to: .text)
            let esc = try escape.map { try coerce(try bind($0, scope, mode), to: .text).expression }
            return Bound(expression: .like(x.expression, pattern: p.expression, escape: esc,
                                           caseInsensitive: caseInsensitive, negated: negated), type: .boolean)
        case .caseWhen(let c):
            return try bindCase(c, scope, mode, location)
        case .cast(let operand, let typeName):
            let target = try resolveType(typeName)
            let b = try bind(operand, scope, mode)
            if let s = b.stringLiteral {
                return Bound(expression: .constant(try SQLValue.text(s).cast(to: target, explicit: true)), type: target)
            }
            if case .constant(let v) = b.expression {
                return Bound(expression: .constant(try PlanError.wrap(location) { try v.cast(to: target, explicit: true) }), type: target)
            }
            return Bound(expression: .cast(b.expression, target, explicit: true), type: target)
        case .function(let call):
            return try bindFunction(call, scope, mode, location)
        case .row:
            throw PlanError.notSupported("row constructors", location)
        case .collate(let operand, _):
            return try bind(operand, scope, mode)
        }
    }

    func resolveType(_ typeName: TypeName) throws -> SQLType {
        guard typeName.arrayDimensions == 0 else { throw PlanError.notSupported("array types", typeName.location) }
        do {
            return try SQLType.named(typeName.name, modifiers: typeName.modifiers)
        } catch {
            throw PlanError.at(error, typeName.location)
        }
    }

    func resolveColumn(table: String?, column: String, _ scope: Scope, _ location: SourceLocation) throws -> Bound {
        var current: Scope? = scope
        while let s = current {
            if let i = try s.resolveLocal(table: table, column: column, location: location) {
                if s === scope { return Bound(expression: .column(i), type: s.columns[i].type) }
                // A correlated reference: every subquery being planned below `s` reads an outer row.
                for k in correlationStack.indices { correlationStack[k] = min(correlationStack[k], s.level) }
                return Bound(expression: .outerColumn(depth: scope.level - s.level - 1, index: i), type: s.columns[i].type)
            }
            current = s.parent
        }
        if let table {
            var s: Scope? = scope
            while let x = s {
                if x.hasRelation(table) { throw PlanError.undefinedColumn("\(table).\(column)", location) }
                s = x.parent
            }
            throw PlanError.missingFromEntry(table, location)
        }
        throw PlanError.undefinedColumn(column, location)
    }

    func bindBinary(_ op: BinaryOperator, _ lhs: Expression, _ rhs: Expression, _ scope: Scope, _ mode: BindMode,
                    _ location: SourceLocation) throws -> Bound {
        switch op {
        case .and, .or:
            // Flatten chains so evaluation short-circuits across the whole chain.
            var operands: [BoundExpression] = []
            func collect(_ e: Expression) throws {
                if case .binary(let inner, let l, let r) = e.kind, inner == op {
                    try collect(l)
                    try collect(r)
                } else {
                    operands.append(try bindCondition(e, scope, mode))
                }
            }
            try collect(lhs)
            try collect(rhs)
            return Bound(expression: op == .and ? .and(operands) : .or(operands), type: .boolean)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            let (a, b) = try comparable(try bind(lhs, scope, mode), try bind(rhs, scope, mode), op: op.rawValue, location)
            let cmp = comparisonOperator(op)
            return Bound(expression: .comparison(cmp, a.expression, b.expression), type: .boolean)
        case .concat:
            let a = try bind(lhs, scope, mode), b = try bind(rhs, scope, mode)
            let x = a.untyped ? try coerce(a, to: .text) : a
            let y = b.untyped ? try coerce(b, to: .text) : b
            return Bound(expression: .arithmetic(.concatenate, x.expression, y.expression), type: .text)
        case .power:
            let a = try coerce(try bind(lhs, scope, mode), to: .double)
            let b = try coerce(try bind(rhs, scope, mode), to: .double)
            guard let power = functions.lookup("power") else { throw ExecutionError.undefinedFunction("power") }
            return Bound(expression: .function(power, [a.expression, b.expression]), type: .double)
        default:
            var a = try bind(lhs, scope, mode), b = try bind(rhs, scope, mode)
            let arithmetic: BoundExpression.ArithmeticOperator
            switch op {
            case .add: arithmetic = .add
            case .subtract: arithmetic = .subtract
            case .multiply: arithmetic = .multiply
            case .divide: arithmetic = .divide
            case .modulo: arithmetic = .remainder
            case .bitAnd: arithmetic = .bitAnd
            case .bitOr: arithmetic = .bitOr
            case .bitXor: arithmetic = .bitXor
            case .shiftLeft: arithmetic = .shiftLeft
            default: arithmetic = .shiftRight
            }
            // Untyped operands take the other side's type (both untyped: numbers).
            if a.untyped && b.untyped {
                a = try coerce(a, to: .double)
                b = try coerce(b, to: .double)
            } else if a.untyped {
                a = try coerce(a, to: b.type.isDateTime ? .integer : b.type)
            } else if b.untyped {
                b = try coerce(b, to: a.type.isDateTime ? .integer : a.type)
            }
            let type = try arithmeticType(arithmetic, a.type, b.type, location)
            if options.lenient, a.type.isText || b.type.isText {
                if a.type.isText { a = Bound(expression: .cast(a.expression, .double, explicit: true), type: .double) }
                if b.type.isText { b = Bound(expression: .cast(b.expression, .double, explicit: true), type: .double) }
            }
            return Bound(expression: .arithmetic(arithmetic, a.expression, b.expression), type: type)
        }
    }

    /// The executor's comparison for a parsed comparison operator (`op.isComparison`).
    func comparisonOperator(_ op: BinaryOperator) -> BoundExpression.ComparisonOperator {
        switch op {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessOrEqual: return .lessOrEqual
        case .greater: return .greater
        default: return .greaterOrEqual
        }
    }

    func arithmeticType(_ op: BoundExpression.ArithmeticOperator, _ a: SQLType, _ b: SQLType,
                        _ location: SourceLocation) throws -> SQLType {
        if a == .unknown || b == .unknown { return a == .unknown ? b : a }
        if a.isInteger && b.isInteger { return .bigint }
        if a.isNumeric && b.isNumeric {
            if a.isFloatingPoint || b.isFloatingPoint { return .double }
            return .numeric(precision: nil, scale: nil)
        }
        switch (a, b) {
        case (.date, _) where b.isInteger && (op == .add || op == .subtract): return .date
        case (_, .date) where a.isInteger && op == .add: return .date
        case (.date, .date) where op == .subtract: return .integer
        default: break
        }
        if options.lenient && ((a.isText && b.isNumeric) || (a.isNumeric && b.isText) || (a.isText && b.isText)) {
            return .double
        }
        throw PlanError.operatorMissing(op.rawValue, a, b, location)
    }

    func bindCase(_ c: CaseExpression, _ scope: Scope, _ mode: BindMode, _ location: SourceLocation) throws -> Bound {
        var operand = try c.operand.map { try bind($0, scope, mode) }
        var conditions: [BoundExpression] = []
        var results = try c.whenClauses.map { try bind($0.result, scope, mode) }
        var otherwise = try c.elseResult.map { try bind($0, scope, mode) }
        if let op = operand {
            var whens = try c.whenClauses.map { try bind($0.condition, scope, mode) }
            var type: SQLType? = op.untyped ? nil : op.type
            for w in whens where !w.untyped { type = type.map { unify(Bound(expression: .constant(.null), type: $0), w) ?? $0 } ?? w.type }
            let target = type ?? .text
            operand = try comparable(op, Bound(expression: .constant(.null), type: target), op: "=", location).0
            for i in whens.indices {
                whens[i] = try comparable(Bound(expression: .constant(.null), type: target), whens[i], op: "=", location).1
            }
            conditions = whens.map(\.expression)
        } else {
            conditions = try c.whenClauses.map { try bindCondition($0.condition, scope, mode) }
        }
        // The result type: the common type of every branch (PostgreSQL's CASE resolution).
        var type: SQLType?
        for r in results + (otherwise.map { [$0] } ?? []) where !r.untyped {
            if let t = type {
                guard let u = unify(Bound(expression: .constant(.null), type: t), r) else {
                    throw PlanError.datatype("CASE types \(t.name) and \(r.type.name) cannot be matched", location)
                }
                type = u
            } else {
                type = r.type
            }
        }
        let target = type ?? .text
        for i in results.indices { results[i] = try coerce(results[i], to: target) }
        if let o = otherwise { otherwise = try coerce(o, to: target) }
        return Bound(expression: .caseWhen(operand: operand?.expression,
                                           branches: Array(zip(conditions, results.map(\.expression))),
                                           otherwise: otherwise?.expression),
                     type: target)
    }

    func isAggregateCall(_ call: FunctionCall) -> Bool {
        let name = call.name.name
        guard aggregateNames.contains(name) else { return false }
        if (name == "min" || name == "max") && call.arguments.count > 1 { return false }
        return true
    }

    func bindFunction(_ call: FunctionCall, _ scope: Scope, _ mode: BindMode, _ location: SourceLocation) throws -> Bound {
        let name = call.name.name
        if isAggregateCall(call) {
            if case .plain(let clause) = mode {
                throw PlanError.at(ExecutionError("42803", "aggregate functions are not allowed in \(clause)"), location)
            }
            throw PlanError.at(ExecutionError("42803", "aggregate function calls cannot be nested"), location)
        }
        let args = try call.arguments.map { try bind($0, scope, mode) }
        switch name {
        case "coalesce", "ifnull":
            guard !args.isEmpty else { throw PlanError.at(ExecutionError.undefinedFunction("coalesce()"), location) }
            let type = try commonType(args, "COALESCE", location)
            return Bound(expression: .coalesce(try args.map { try coerce($0, to: type).expression }), type: type)
        case "nullif":
            guard args.count == 2 else { throw PlanError.at(ExecutionError.undefinedFunction("nullif"), location) }
            let (a, b) = try comparable(args[0], args[1], op: "=", location)
            return Bound(expression: .nullIf(a.expression, b.expression), type: a.type)
        case "min", "max":
            // SQLite's multi-argument min/max: least/greatest, NULL when any argument is NULL.
            let type = try commonType(args, name, location)
            let coerced = try args.map { try coerce($0, to: type).expression }
            guard let f = functions.lookup(name == "min" ? "least" : "greatest") else {
                throw PlanError.at(ExecutionError.undefinedFunction(name), location)
            }
            let anyNull = BoundExpression.or(coerced.map { .isNull($0, negated: false) })
            return Bound(expression: .caseWhen(operand: nil, branches: [(anyNull, .constant(.null))],
                                               otherwise: .function(f, coerced)), type: type)
        default:
            break
        }
        guard let function = functions.lookup(name) else {
            throw PlanError.at(ExecutionError.undefinedFunction("\(name)(\(args.map { $0.type.name }.joined(separator: ", ")))"), location)
        }
        guard function.arity.contains(args.count) else {
            throw PlanError.at(ExecutionError.undefinedFunction("\(name)(\(args.map { $0.type.name }.joined(separator: ", ")))"), location)
        }
        let type = try PlanError.wrap(location) { try function.returnType(args.map(\.type)) }
        return Bound(expression: .function(function, args.map(\.expression)), type: type)
    }

    func commonType(_ args: [Bound], _ what: String, _ location: SourceLocation) throws -> SQLType {
        var type: SQLType?
        for a in args where !a.untyped {
            if let t = type {
                guard let u = unify(Bound(expression: .constant(.null), type: t), a) else {
                    throw PlanError.datatype("\(what) types \(t.name) and \(a.type.name) cannot be matched", location)
                }
                type = u
            } else {
                type = a.type
            }
        }
        return type ?? .text
    }

    // MARK: Aggregates

    func bindAggregate(_ call: FunctionCall, _ e: Expression, _ binding: AggregateBinding) throws -> Bound {
        if let i = binding.aggregateASTs.firstIndex(of: e) {
            let position = BoundExpression.column(binding.groupKeys.count + i)
            if call.name.name == "total" { return Bound(expression: .coalesce([position, .constant(.double(0))]), type: .double) }
            return Bound(expression: position, type: binding.aggregateTypes[i])
        }
        var name = call.name.name
        let scope = binding.inputScope
        let kind: AggregateKind
        var argument: Bound?
        var separator: BoundExpression?
        if call.isStar || (name == "count" && call.arguments.isEmpty) {
            kind = .countStar
        } else {
            guard let first = call.arguments.first else {
                throw PlanError.at(ExecutionError.undefinedFunction("\(name)()"), e.location)
            }
            argument = try bind(first, scope, .plain(clause: "aggregate function calls"))
            if name == "group_concat" { name = "string_agg" }
            switch name {
            case "count": kind = .count
            case "sum": kind = .sum
            case "total": kind = .sum
            case "avg": kind = .avg
            case "min": kind = .min
            case "max": kind = .max
            case "string_agg":
                kind = .stringAgg
                argument = try coerce(argument!, to: .text)
                if call.arguments.count > 1 {
                    separator = try coerce(try bind(call.arguments[1], scope, .plain(clause: "aggregate function calls")), to: .text).expression
                } else {
                    separator = .constant(.text(","))
                }
            case "bool_and": kind = .boolAnd
            case "bool_or": kind = .boolOr
            default: kind = .every
            }
            if argument!.untyped {
                argument = try coerce(argument!, to: kind == .sum || kind == .avg ? .double : .text)
            }
        }
        let argumentType = argument?.type ?? .bigint
        var type = try PlanError.wrap(e.location) { try AggregateAccumulator.resultType(kind, argument: argumentType) }
        if call.name.name == "total" { type = .double }
        var argExpression = argument?.expression
        if call.name.name == "total", let a = argExpression { argExpression = .cast(a, .double, explicit: true) }
        if let filter = call.filter {
            // agg(x) FILTER (WHERE c): x where c holds, else NULL (ignored by every aggregate but count(*)).
            let condition = try bindCondition(filter, scope, .plain(clause: "FILTER"))
            let value = argExpression ?? .constant(.integer(1))
            argExpression = .caseWhen(operand: nil, branches: [(condition, value)], otherwise: .constant(.null))
        }
        let effectiveKind = (kind == .countStar && call.filter != nil) ? AggregateKind.count : kind
        binding.aggregates.append(HashAggregateOperator.Aggregate(kind: effectiveKind, argument: argExpression,
                                                                  argumentType: call.name.name == "total" ? .double : argumentType,
                                                                  distinct: call.isDistinct, separator: separator))
        binding.aggregateTypes.append(type)
        binding.aggregateASTs.append(e)
        let position = BoundExpression.column(binding.groupKeys.count + binding.aggregates.count - 1)
        // SQLite's total(): sum as a double, 0.0 (not NULL) over no rows.
        if call.name.name == "total" { return Bound(expression: .coalesce([position, .constant(.double(0))]), type: .double) }
        return Bound(expression: position, type: type)
    }

    func bindBareColumn(_ e: Expression, _ binding: AggregateBinding) throws -> Bound {
        if let i = binding.aggregateASTs.firstIndex(of: e) {
            return Bound(expression: .column(binding.groupKeys.count + i), type: binding.aggregateTypes[i])
        }
        let b = try bind(e, binding.inputScope, .plain(clause: "GROUP BY"))
        binding.aggregates.append(HashAggregateOperator.Aggregate(kind: .max, argument: b.expression, argumentType: b.type,
                                                                  distinct: false, bare: true))
        binding.aggregateTypes.append(b.type)
        binding.aggregateASTs.append(e)
        return Bound(expression: .column(binding.groupKeys.count + binding.aggregates.count - 1), type: b.type)
    }
}

extension Bound {
    /// With lenient numeric/text comparison: text operands become numbers, as SQLite's affinity does.
    func castIfText(_ original: Bound) -> Bound {
        guard original.type.isText else { return self }
        return Bound(expression: .cast(original.expression, .double, explicit: true), type: .double)
    }
}

extension PlanError {
    /// Runs `body`, adding `location` to an `ExecutionError` it throws.
    static func wrap<T>(_ location: SourceLocation, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExecutionError {
            throw at(error, location)
        }
    }
}

/// Whether an expression (outside subqueries) calls an aggregate.
func containsAggregate(_ e: Expression) -> Bool {
    switch e.kind {
    case .function(let call):
        let name = call.name.name
        if aggregateNames.contains(name) && !((name == "min" || name == "max") && call.arguments.count > 1) { return true }
        return call.arguments.contains(where: containsAggregate)
    case .unary(_, let x), .isNull(let x, _), .isTruth(let x, _, _), .cast(let x, _), .collate(let x, _):
        return containsAggregate(x)
    case .binary(_, let a, let b), .isDistinctFrom(let a, let b, _):
        return containsAggregate(a) || containsAggregate(b)
    case .between(let x, let lo, let hi, _, _):
        return containsAggregate(x) || containsAggregate(lo) || containsAggregate(hi)
    case .inList(let x, let items, _):
        return containsAggregate(x) || items.contains(where: containsAggregate)
    case .inSubquery(let x, _, _), .quantified(let x, _, _, _):
        return containsAggregate(x)
    case .like(let x, let p, let esc, _, _):
        return containsAggregate(x) || containsAggregate(p) || (esc.map(containsAggregate) ?? false)
    case .caseWhen(let c):
        return (c.operand.map(containsAggregate) ?? false)
            || c.whenClauses.contains { containsAggregate($0.condition) || containsAggregate($0.result) }
            || (c.elseResult.map(containsAggregate) ?? false)
    case .row(let items):
        return items.contains(where: containsAggregate)
    default:
        return false
    }
}
