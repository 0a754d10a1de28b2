import Foundation

/// Evaluates `BoundExpression`s a batch at a time: each node produces one value per selected row, so
/// dispatch costs one switch per node per batch and the per-row work is a tight loop over values.
///
/// `rows` selects the batch rows to evaluate (nil: all, in order); the result has one value per
/// selected row, in selection order. Conditional forms (AND, OR, CASE, COALESCE) evaluate later operands
/// only on the rows still undecided, so `x <> 0 AND 10 / x > 1` never divides by zero, as in PostgreSQL.
package enum ExpressionEvaluator {
    /// One value per selected row of `batch`.
    package static func evaluate(_ expression: BoundExpression, _ batch: RowBatch, rows: [Int]? = nil,
                                _ context: ExecutionContext) throws -> [SQLValue] {
        let n = rows?.count ?? batch.count
        switch expression {
        case .constant(let value):
            return Array(repeating: value, count: n)
        case .column(let index):
            let width = batch.width
            var out = [SQLValue]()
            out.reserveCapacity(n)
            batch.values.withUnsafeBufferPointer { values in
                if let rows {
                    for r in rows { out.append(values[r &* width &+ index]) }
                } else {
                    var i = index
                    for _ in 0..<n {
                        out.append(values[i])
                        i &+= width
                    }
                }
            }
            return out
        case .outerColumn(let depth, let index):
            let stack = context.outerRows
            guard depth < stack.count else {
                throw ExecutionError("XX000", "outer reference outside its subquery")
            }
            let row = stack[stack.count - 1 - depth]
            return Array(repeating: row[row.startIndex + index], count: n)
        case .parameter(let index):
            guard index < context.parameters.count else { throw missingParameter(index) }
            return Array(repeating: context.parameters[index], count: n)
        case .negate(let operand):
            var values = try evaluate(operand, batch, rows: rows, context)
            for i in values.indices { values[i] = try SQLValue.negate(values[i]) }
            return values
        case .bitNot(let operand):
            var values = try evaluate(operand, batch, rows: rows, context)
            for i in values.indices { values[i] = try SQLValue.bitNot(values[i]) }
            return values
        case .arithmetic(let op, let lhs, let rhs):
            var left = try evaluate(lhs, batch, rows: rows, context)
            let right = try evaluate(rhs, batch, rows: rows, context)
            try applyArithmetic(op, &left, right)
            return left
        case .comparison(let op, let lhs, let rhs):
            let left = try evaluate(lhs, batch, rows: rows, context)
            let right = try evaluate(rhs, batch, rows: rows, context)
            var out = [SQLValue]()
            out.reserveCapacity(n)
            for i in 0..<n {
                if let order = SQLValue.compare(left[i], right[i]) {
                    out.append(.boolean(op.holds(order)))
                } else {
                    out.append(.null)
                }
            }
            return out
        case .and(let operands):
            return try evaluateConnective(operands, isAnd: true, batch, rows: rows, context)
        case .or(let operands):
            return try evaluateConnective(operands, isAnd: false, batch, rows: rows, context)
        case .not(let operand):
            var values = try evaluate(operand, batch, rows: rows, context)
            for i in values.indices {
                if case .boolean(let b) = values[i] { values[i] = .boolean(!b) }
            }
            return values
        case .truthy(let operand):
            var values = try evaluate(operand, batch, rows: rows, context)
            for i in values.indices { values[i] = truth(values[i]) }
            return values
        case .isNull(let operand, let negated):
            let values = try evaluate(operand, batch, rows: rows, context)
            return values.map { .boolean($0.isNull != negated) }
        case .isBoolean(let operand, let value, let negated):
            let values = try evaluate(operand, batch, rows: rows, context)
            return values.map { v in
                if case .boolean(let b) = truth(v) { return .boolean((b == value) != negated) }
                return .boolean(negated)
            }
        case .isDistinctFrom(let lhs, let rhs, let negated):
            let left = try evaluate(lhs, batch, rows: rows, context)
            let right = try evaluate(rhs, batch, rows: rows, context)
            var out = [SQLValue]()
            out.reserveCapacity(n)
            for i in 0..<n {
                let distinct: Bool
                switch (left[i].isNull, right[i].isNull) {
                case (true, true): distinct = false
                case (true, false), (false, true): distinct = true
                case (false, false): distinct = SQLValue.compare(left[i], right[i]) != 0
                }
                out.append(.boolean(distinct != negated))
            }
            return out
        case .inList(let operand, let list, let negated):
            let values = try evaluate(operand, batch, rows: rows, context)
            // 0: no match yet, 1: matched, 2: no match but compared with a NULL.
            var state = [UInt8](repeating: 0, count: n)
            for item in list {
                let candidates = try evaluate(item, batch, rows: rows, context)
                for i in 0..<n where state[i] != 1 {
                    if let order = SQLValue.compare(values[i], candidates[i]) {
                        if order == 0 { state[i] = 1 }
                    } else {
                        state[i] = 2
                    }
                }
            }
            var result = [SQLValue]()
            result.reserveCapacity(n)
            for i in 0..<n {
                if values[i].isNull && !list.isEmpty {
                    result.append(.null)
                } else {
                    switch state[i] {
                    case 1: result.append(.boolean(!negated))
                    case 2: result.append(.null)
                    default: result.append(.boolean(negated))
                    }
                }
            }
            return result
        case .inSubquery(let operand, let subquery, let negated):
            let values = try evaluate(operand, batch, rows: rows, context)
            var result = [SQLValue]()
            result.reserveCapacity(n)
            for i in 0..<n {
                let set: SubqueryResult
                if subquery.correlated {
                    set = try runSubquery(subquery, batch, row: rows?[i] ?? i, context, needSet: true)
                } else {
                    set = try cachedSubquery(subquery, context, needSet: true)
                }
                let v = values[i]
                if v.isNull {
                    result.append(set.rows.count == 0 ? .boolean(false) : .null)
                } else if set.set!.contains(v) {
                    result.append(.boolean(true))
                } else {
                    result.append(set.hasNull ? .null : .boolean(false))
                }
            }
            if negated { negate(&result) }
            return result
        case .quantified(let op, let operand, let subquery, let all):
            let values = try evaluate(operand, batch, rows: rows, context)
            var result = [SQLValue]()
            result.reserveCapacity(n)
            for i in 0..<n {
                let set = subquery.correlated
                    ? try runSubquery(subquery, batch, row: rows?[i] ?? i, context, needSet: false)
                    : try cachedSubquery(subquery, context, needSet: false)
                // ANY: true on the first true comparison; ALL: false on the first false one.
                var sawNull = false
                var decided: Bool?
                for r in 0..<set.rows.count {
                    guard let order = SQLValue.compare(values[i], set.rows[r, 0]) else { sawNull = true; continue }
                    let holds = op.holds(order)
                    if all && !holds { decided = false; break }
                    if !all && holds { decided = true; break }
                }
                if let decided {
                    result.append(.boolean(decided))
                } else {
                    result.append(sawNull ? .null : .boolean(all))
                }
            }
            return result
        case .exists(let subquery, let negated):
            if !subquery.correlated {
                let found = try cachedSubquery(subquery, context, needSet: false).rows.count > 0
                return Array(repeating: .boolean(found != negated), count: n)
            }
            var result = [SQLValue]()
            result.reserveCapacity(n)
            for i in 0..<n {
                context.outerRows.append(batch.row(rows?[i] ?? i))
                defer { context.outerRows.removeLast() }
                try subquery.plan.open(context)
                defer { subquery.plan.close() }
                let found = try subquery.plan.next(context) != nil
                result.append(.boolean(found != negated))
            }
            return result
        case .scalarSubquery(let subquery):
            if !subquery.correlated {
                return Array(repeating: try scalar(cachedSubquery(subquery, context, needSet: false).rows), count: n)
            }
            var result = [SQLValue]()
            result.reserveCapacity(n)
            for i in 0..<n {
                result.append(try scalar(runSubquery(subquery, batch, row: rows?[i] ?? i, context, needSet: false).rows))
            }
            return result
        case .like(let operand, let patternExpression, let escapeExpression, let caseInsensitive, let negated):
            let values = try evaluate(operand, batch, rows: rows, context)
            let patterns = try evaluate(patternExpression, batch, rows: rows, context)
            let escapes = try escapeExpression.map { try evaluate($0, batch, rows: rows, context) }
            var compiled: LikePattern?
            var compiledFor: (String, String?)?
            var out = [SQLValue]()
            out.reserveCapacity(n)
            for i in 0..<n {
                guard case .text(let text) = textual(values[i]), case .text(let pattern) = textual(patterns[i]) else {
                    out.append(.null)
                    continue
                }
                var escape: String? = "\\"
                if let escapes {
                    guard case .text(let e) = textual(escapes[i]) else { out.append(.null); continue }
                    escape = e
                }
                if compiledFor == nil || compiledFor!.0 != pattern || compiledFor!.1 != escape {
                    let escapeCharacter: Character?
                    if let escape {
                        guard escape.count <= 1 else {
                            throw ExecutionError("22019", "invalid escape string",
                                                 hint: "Escape string must be empty or one character.")
                        }
                        escapeCharacter = escape.first
                    } else {
                        escapeCharacter = nil
                    }
                    compiled = try LikePattern(pattern: pattern, escape: escapeCharacter, caseInsensitive: caseInsensitive)
                    compiledFor = (pattern, escape)
                }
                out.append(.boolean(compiled!.matches(text) != negated))
            }
            return out
        case .caseWhen(let operandExpression, let branches, let otherwise):
            var result = [SQLValue](repeating: .null, count: n)
            // Positions (into the selection) still without a branch.
            var pending = Array(0..<n)
            let operand = try operandExpression.map { try evaluate($0, batch, rows: rows, context) }
            for (condition, value) in branches where !pending.isEmpty {
                let pendingRows = rows.map { r in pending.map { r[$0] } } ?? pending
                let conditions = try evaluate(condition, batch, rows: pendingRows, context)
                var taken: [Int] = []
                var still: [Int] = []
                for (k, position) in pending.enumerated() {
                    let holds: Bool
                    if let operand {
                        holds = SQLValue.compare(operand[position], conditions[k]) == 0
                    } else {
                        holds = truth(conditions[k]) == .boolean(true)
                    }
                    if holds { taken.append(position) } else { still.append(position) }
                }
                if !taken.isEmpty {
                    let takenRows = rows.map { r in taken.map { r[$0] } } ?? taken
                    let values = try evaluate(value, batch, rows: takenRows, context)
                    for (k, position) in taken.enumerated() { result[position] = values[k] }
                }
                pending = still
            }
            if let otherwise, !pending.isEmpty {
                let pendingRows = rows.map { r in pending.map { r[$0] } } ?? pending
                let values = try evaluate(otherwise, batch, rows: pendingRows, context)
                for (k, position) in pending.enumerated() { result[position] = values[k] }
            }
            return result
        case .cast(let operand, let type, let explicit):
            var values = try evaluate(operand, batch, rows: rows, context)
            for i in values.indices where !values[i].isNull {
                values[i] = try values[i].cast(to: type, explicit: explicit)
            }
            return values
        case .function(let function, let arguments):
            let columns = try arguments.map { try evaluate($0, batch, rows: rows, context) }
            var out = [SQLValue]()
            out.reserveCapacity(n)
            var args = [SQLValue](repeating: .null, count: columns.count)
            rowLoop: for i in 0..<n {
                for a in 0..<columns.count {
                    let v = columns[a][i]
                    if function.isStrict && v.isNull {
                        out.append(.null)
                        continue rowLoop
                    }
                    args[a] = v
                }
                out.append(try function.body(args, context.functionContext))
            }
            return out
        case .coalesce(let operands):
            guard let first = operands.first else { return Array(repeating: .null, count: n) }
            var result = try evaluate(first, batch, rows: rows, context)
            for operand in operands.dropFirst() {
                let pending = result.indices.filter { result[$0].isNull }
                if pending.isEmpty { break }
                let pendingRows = rows.map { r in pending.map { r[$0] } } ?? pending
                let values = try evaluate(operand, batch, rows: pendingRows, context)
                for (k, position) in pending.enumerated() { result[position] = values[k] }
            }
            return result
        case .nullIf(let lhs, let rhs):
            var left = try evaluate(lhs, batch, rows: rows, context)
            let right = try evaluate(rhs, batch, rows: rows, context)
            for i in 0..<n where SQLValue.compare(left[i], right[i]) == 0 { left[i] = .null }
            return left
        }
    }

    /// Evaluates `expression` for one row given as values (DML constraint checks, RETURNING).
    package static func evaluate(_ expression: BoundExpression, row: [SQLValue], _ context: ExecutionContext) throws -> SQLValue {
        let batch = RowBatch(width: row.count, count: 1, values: row)
        return try evaluate(expression, batch, rows: nil, context)[0]
    }

    /// Evaluates a constant expression (no input row).
    package static func evaluateConstant(_ expression: BoundExpression, _ context: ExecutionContext) throws -> SQLValue {
        if let value = try parameterOrConstant(expression, context.parameters) { return value }
        return try evaluate(expression, RowBatch(width: 0, count: 1, values: []), rows: nil, context)[0]
    }

    /// The value of a constant, a parameter or a cast of one, computed without building a batch (the
    /// VALUES of a prepared INSERT, the key of a point get); nil for any other expression. Same result
    /// and errors as `evaluate`: 08P01 for a parameter that was not bound, the cast's own errors.
    package static func parameterOrConstant(_ expression: BoundExpression, _ parameters: [SQLValue]) throws -> SQLValue? {
        switch expression {
        case .constant(let value):
            return value
        case .parameter(let index):
            guard index < parameters.count else { throw missingParameter(index) }
            return parameters[index]
        case .cast(let operand, let type, let explicit):
            guard let value = try parameterOrConstant(operand, parameters) else { return nil }
            return value.isNull ? value : try value.cast(to: type, explicit: explicit)
        default:
            return nil
        }
    }

    /// Whether `parameterOrConstant` evaluates `expression` (a constant, a parameter or a cast of one).
    package static func isParameterOrConstant(_ expression: BoundExpression) -> Bool {
        switch expression {
        case .constant, .parameter: return true
        case .cast(let operand, _, _): return isParameterOrConstant(operand)
        default: return false
        }
    }

    static func missingParameter(_ index: Int) -> ExecutionError {
        ExecutionError("08P01", "there is no parameter $\(index + 1)", hint: "Bind a value for every parameter of the statement.")
    }

    /// The rows of `batch` (or of `rows`) where `predicate` is TRUE.
    package static func filter(_ predicate: BoundExpression, _ batch: RowBatch, _ context: ExecutionContext) throws -> [Int] {
        let values = try evaluate(predicate, batch, rows: nil, context)
        var selected: [Int] = []
        selected.reserveCapacity(values.count)
        for i in values.indices {
            if case .boolean(true) = values[i] { selected.append(i) }
        }
        return selected
    }

    // MARK: Pieces

    /// SQLite's truth of a value used as a condition: booleans as they are, numbers by non-zero, text by
    /// its numeric prefix; NULL stays NULL.
    static func truth(_ value: SQLValue) -> SQLValue {
        switch value {
        case .null, .boolean: return value
        case .integer(let i): return .boolean(i != 0)
        case .double(let d): return .boolean(d != 0)
        case .numeric(let d): return .boolean(d.significand != 0)
        case .text(let s): return .boolean((Double(s.trimmingCharacters(in: .whitespaces)) ?? 0) != 0)
        default: return .boolean(true)
        }
    }

    static func textual(_ value: SQLValue) -> SQLValue {
        switch value {
        case .null, .text: return value
        default: return .text(value.textValue)
        }
    }

    static func negate(_ values: inout [SQLValue]) {
        for i in values.indices {
            if case .boolean(let b) = values[i] { values[i] = .boolean(!b) }
        }
    }

    static func applyArithmetic(_ op: BoundExpression.ArithmeticOperator, _ left: inout [SQLValue],
                                _ right: [SQLValue]) throws {
        for i in left.indices {
            let a = left[i], b = right[i]
            // Fast path: both integers, no overflow (the common case in every benchmark and test).
            if case .integer(let x) = a, case .integer(let y) = b {
                switch op {
                case .add:
                    let (r, o) = x.addingReportingOverflow(y)
                    if !o { left[i] = .integer(r); continue }
                case .subtract:
                    let (r, o) = x.subtractingReportingOverflow(y)
                    if !o { left[i] = .integer(r); continue }
                case .multiply:
                    let (r, o) = x.multipliedReportingOverflow(by: y)
                    if !o { left[i] = .integer(r); continue }
                default: break
                }
            }
            switch op {
            case .add: left[i] = try SQLValue.add(a, b)
            case .subtract: left[i] = try SQLValue.subtract(a, b)
            case .multiply: left[i] = try SQLValue.multiply(a, b)
            case .divide: left[i] = try SQLValue.divide(a, b)
            case .remainder: left[i] = try SQLValue.remainder(a, b)
            case .concatenate: left[i] = try SQLValue.concatenate(a, b)
            case .bitAnd: left[i] = try SQLValue.bitAnd(a, b)
            case .bitOr: left[i] = try SQLValue.bitOr(a, b)
            case .bitXor: left[i] = try SQLValue.bitXor(a, b)
            case .shiftLeft: left[i] = try SQLValue.shiftLeft(a, b)
            case .shiftRight: left[i] = try SQLValue.shiftRight(a, b)
            }
        }
    }

    static func evaluateConnective(_ operands: [BoundExpression], isAnd: Bool, _ batch: RowBatch, rows: [Int]?,
                                   _ context: ExecutionContext) throws -> [SQLValue] {
        let n = rows?.count ?? batch.count
        // Decided rows hold the dominating value (false for AND, true for OR).
        var result = [SQLValue](repeating: .boolean(isAnd), count: n)
        var pending = Array(0..<n)
        for operand in operands where !pending.isEmpty {
            let pendingRows = rows.map { r in pending.map { r[$0] } } ?? pending
            let values = try evaluate(operand, batch, rows: pendingRows, context)
            var still: [Int] = []
            still.reserveCapacity(pending.count)
            for (k, position) in pending.enumerated() {
                switch truth(values[k]) {
                case .boolean(let b):
                    if b != isAnd {
                        result[position] = .boolean(b)   // decided
                    } else {
                        still.append(position)
                    }
                default:
                    result[position] = .null
                    still.append(position)
                }
            }
            pending = still
        }
        return result
    }

    static func scalar(_ rows: RowBatch) throws -> SQLValue {
        guard rows.count > 0 else { return .null }
        guard rows.count == 1 else {
            throw ExecutionError("21000", "more than one row returned by a subquery used as an expression")
        }
        return rows.width > 0 ? rows[0, 0] : .null
    }

    static func buildResult(_ rows: RowBatch, needSet: Bool) -> SubqueryResult {
        var result = SubqueryResult(rows: rows)
        if needSet {
            var set = Set<SQLValue>()
            var hasNull = false
            for r in 0..<rows.count {
                let v = rows[r, 0]
                if v.isNull { hasNull = true } else { set.insert(v) }
            }
            result.set = set
            result.hasNull = hasNull
        }
        return result
    }

    static func cachedSubquery(_ subquery: Subquery, _ context: ExecutionContext, needSet: Bool) throws -> SubqueryResult {
        let key = ObjectIdentifier(subquery)
        if let cached = context.subqueryResults[key], !needSet || cached.set != nil { return cached }
        let rows = try subquery.plan.collect(context)
        let result = buildResult(rows, needSet: needSet)
        context.subqueryResults[key] = result
        return result
    }

    static func runSubquery(_ subquery: Subquery, _ batch: RowBatch, row: Int, _ context: ExecutionContext,
                            needSet: Bool) throws -> SubqueryResult {
        context.outerRows.append(batch.row(row))
        defer { context.outerRows.removeLast() }
        return buildResult(try subquery.plan.collect(context), needSet: needSet)
    }
}
