/// Rows given as expressions (`VALUES (…), (…)`, or one empty row for a SELECT without FROM),
/// evaluated at each open so parameters and outer references take their current values.
package final class ValuesOperator: Operator {
    package let width: Int
    let rows: [[BoundExpression]]
    var done = false

    /// Whether every value is a constant, a parameter or a cast of one (`constantRow` applies).
    let constantOnly: Bool

    /// Where `constantRow` takes one value from, decided once at planning: a prepared INSERT runs
    /// `constantRow` per row, and walking the expression (an indirect enum: a retain and release per
    /// level) cost more than the value itself.
    enum ConstantSource {
        case constant(SQLValue)
        case parameter(Int)
        /// A parameter cast to a column's type (how `$n` in an INSERT's VALUES is bound).
        case castParameter(Int, SQLType, explicit: Bool)
        /// Any other form `ExpressionEvaluator.parameterOrConstant` evaluates (nested casts, casts of constants).
        case expression(BoundExpression)

        init(_ expression: BoundExpression) {
            switch expression {
            case .constant(let value): self = .constant(value)
            case .parameter(let index): self = .parameter(index)
            case .cast(.parameter(let index), let type, let explicit): self = .castParameter(index, type, explicit: explicit)
            default: self = .expression(expression)
            }
        }
    }

    /// `rows` as sources, when `constantOnly` (else empty).
    let sources: [[ConstantSource]]

    /// When the only row is the parameters in order, `($1, $2, …, $n)`, each perhaps cast to its
    /// column's type: the cast of each (nil: none). Then `parameterRow` can return the parameter array
    /// itself as the row, with no array built per execution.
    private let parameterCasts: [(type: SQLType, explicit: Bool)?]?

    package init(width: Int, rows: [[BoundExpression]]) {
        self.width = width
        self.rows = rows
        constantOnly = width > 0 && rows.allSatisfy { $0.allSatisfy(ExpressionEvaluator.isParameterOrConstant) }
        sources = constantOnly ? rows.map { $0.map(ConstantSource.init) } : []
        var casts: [(type: SQLType, explicit: Bool)?]? = nil
        if sources.count == 1 {
            casts = []
            for (position, source) in sources[0].enumerated() {
                switch source {
                case .parameter(let index) where index == position: casts?.append(nil)
                case .castParameter(let index, let type, let explicit) where index == position: casts?.append((type, explicit))
                default: casts = nil
                }
                if casts == nil { break }
            }
        }
        parameterCasts = casts
    }

    /// The only row's values when it is the parameters in order (see `parameterCasts`) and exactly
    /// `width` parameters are given; nil otherwise (use `constantRow`). Same values and errors as
    /// `constantRow(0, parameters)`. A value that already is of its column's type is kept as is, so
    /// the common execution returns `parameters` itself, unchanged and uncopied.
    package func parameterRow(_ parameters: [SQLValue]) throws -> [SQLValue]? {
        guard let casts = parameterCasts, parameters.count == casts.count else { return nil }
        var row = parameters
        for i in casts.indices {
            guard let cast = casts[i], let converted = try Self.converted(row[i], to: cast.type, explicit: cast.explicit) else {
                continue
            }
            row[i] = converted
        }
        return row
    }

    /// A parameter cast to a column's `type`, or nil when it is kept as it is: NULL, or already what
    /// the cast yields (`RowValidator.fits`), the common case of a value bound with the column's type.
    @inline(__always)
    private static func converted(_ value: SQLValue, to type: SQLType, explicit: Bool) throws -> SQLValue? {
        value.isNull || RowValidator.fits(value, type) ? nil : try value.cast(to: type, explicit: explicit)
    }

    /// Row `r`'s values, computed without building a batch (a prepared INSERT's VALUES), when
    /// `constantOnly` holds; same values and errors as `next`. A fresh array, so a caller that
    /// consumes it owns it uniquely and can change it in place.
    package func constantRow(_ r: Int, _ parameters: [SQLValue]) throws -> [SQLValue] {
        precondition(constantOnly, "constantRow of VALUES with expressions that need evaluation")
        var row: [SQLValue] = []
        row.reserveCapacity(width)
        for source in sources[r] {
            switch source {
            case .constant(let value):
                row.append(value)
            case .parameter(let index):
                guard index < parameters.count else { throw ExpressionEvaluator.missingParameter(index) }
                row.append(parameters[index])
            case .castParameter(let index, let type, let explicit):
                guard index < parameters.count else { throw ExpressionEvaluator.missingParameter(index) }
                let value = parameters[index]
                row.append(try Self.converted(value, to: type, explicit: explicit) ?? value)
            case .expression(let expression):
                guard let value = try ExpressionEvaluator.parameterOrConstant(expression, parameters) else {
                    preconditionFailure("constantOnly admitted an expression parameterOrConstant does not evaluate")
                }
                row.append(value)
            }
        }
        return row
    }

    /// The number of VALUES rows.
    package var rowCount: Int { rows.count }

    package func open(_ context: ExecutionContext) throws { done = false }

    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        guard !done, !rows.isEmpty else { return nil }
        done = true
        var batch = RowBatch(width: width, reservingRows: rows.count)
        for row in rows {
            if width == 0 {
                batch.appendEmptyRow()
            } else {
                batch.append(row: try row.map { try ExpressionEvaluator.evaluateConstant($0, context) })
            }
        }
        return batch
    }

    package func close() {}
    package var explainLabel: String { rows.count == 1 && width == 0 ? "Result" : "Values (\(rows.count) rows)" }
    package var children: [any Operator] { [] }
}
