import BasaltStorage

/// A range over the leading columns of a key (a table's primary key or an index), as expressions
/// evaluated at open: `equal` values for the first columns, then optionally a lower and/or upper bound
/// on the next one. Values are cast to the key columns' types; a NULL anywhere makes the range empty.
package struct KeyRange {
    package var equal: [BoundExpression]
    package var lower: (BoundExpression, inclusive: Bool)?
    package var upper: (BoundExpression, inclusive: Bool)?

    package init(equal: [BoundExpression] = [], lower: (BoundExpression, inclusive: Bool)? = nil,
                upper: (BoundExpression, inclusive: Bool)? = nil) {
        self.equal = equal
        self.lower = lower
        self.upper = upper
    }

    package var isFull: Bool { equal.isEmpty && lower == nil && upper == nil }

    /// The [lower, upper) byte bounds under `prefix` for key columns of `types` (ascending unless
    /// `descending` says otherwise), or nil when the range is empty (a NULL bound, or a bound that cannot
    /// be represented in the column's type).
    func bounds(prefix: [UInt8], types: [SQLType], descending: [Bool], _ context: ExecutionContext) throws
        -> (lower: [UInt8], upper: [UInt8])?
    {
        try bounds(prefix: prefix, types: types, descending: descending) { try ExpressionEvaluator.evaluateConstant($0, context) }
    }

    /// Whether every bound is a constant, a parameter or a cast of one (`bounds(parameters:)` applies).
    package var isParameterized: Bool {
        equal.allSatisfy(ExpressionEvaluator.isParameterOrConstant)
            && (lower.map { ExpressionEvaluator.isParameterOrConstant($0.0) } ?? true)
            && (upper.map { ExpressionEvaluator.isParameterOrConstant($0.0) } ?? true)
    }

    /// `bounds` of a range whose expressions are all parameters or constants (`isParameterized`),
    /// computed from `parameters` alone, with no execution context.
    func bounds(prefix: [UInt8], types: [SQLType], descending: [Bool], parameters: [SQLValue]) throws
        -> (lower: [UInt8], upper: [UInt8])?
    {
        try bounds(prefix: prefix, types: types, descending: descending) { try PointGet.value(of: $0, parameters) }
    }

    private func bounds(prefix: [UInt8], types: [SQLType], descending: [Bool],
                        value: (BoundExpression) throws -> SQLValue) throws -> (lower: [UInt8], upper: [UInt8])? {
        var base: [UInt8] = []
        base.reserveCapacity(prefix.count + 10 * equal.count + 10)   // one allocation for typical keys
        base.append(contentsOf: prefix)
        for (i, e) in equal.enumerated() {
            let v = try value(e)
            guard !v.isNull, let converted = try? v.cast(to: types[i], explicit: false),
                  SQLValue.compare(converted, v) == 0 else { return nil }
            KeyCodec.append(converted, type: types[i], descending: descending[i], to: &base)
        }
        let next = equal.count
        var hi = base
        hi.append(0xFF)
        // Equality on leading columns only (the common lookup): [base, base + 0xFF), one copy.
        if lower == nil && upper == nil { return (base, hi) }
        var lo = base
        // Bounds on a descending column swap ends.
        let desc = next < descending.count ? descending[next] : false
        func encode(_ bound: (BoundExpression, inclusive: Bool)?, isLower: Bool) throws -> Bool {
            guard let bound else { return true }
            let v = try value(bound.0)
            guard !v.isNull else { return false }
            var inclusive = bound.inclusive
            var converted: SQLValue
            if let c = try? v.cast(to: types[next], explicit: false), SQLValue.compare(c, v) == 0 {
                converted = c
            } else if let c = try? v.cast(to: types[next], explicit: true) {
                // Rounded (2.5 into an integer column): widen to an inclusive bound on the safe side.
                converted = c
                let order = SQLValue.compare(c, v) ?? 0
                if isLower && order < 0 { inclusive = false }
                if isLower && order > 0 { inclusive = true }
                if !isLower && order > 0 { inclusive = false }
                if !isLower && order < 0 { inclusive = true }
            } else {
                return false
            }
            var key = base
            KeyCodec.append(converted, type: types[next], descending: desc, to: &key)
            // A bound on the lower end of the byte range (lower on ascending, upper on descending).
            let atLowEnd = isLower != desc
            if atLowEnd {
                let candidate = inclusive ? key : key + [0xFF]
                if compareBytes(candidate, lo) > 0 { lo = candidate }
            } else {
                let candidate = inclusive ? key + [0xFF] : key
                if compareBytes(candidate, hi) < 0 { hi = candidate }
            }
            return true
        }
        guard try encode(lower, isLower: true), try encode(upper, isLower: false) else { return nil }
        // NULLs sort first ascending (last descending) and never satisfy a range bound.
        if (lower != nil || upper != nil) {
            var nullKey = base
            KeyCodec.append(.null, type: types[next], descending: desc, to: &nullKey)
            if desc {
                let cap = nullKey
                if compareBytes(cap, hi) < 0 { hi = cap }
            } else {
                let floor = nullKey + [0xFF]
                if compareBytes(floor, lo) > 0 { lo = floor }
            }
        }
        return compareBytes(lo, hi) < 0 ? (lo, hi) : nil
    }
}

/// memcmp order of two byte strings (shorter prefix first).
func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBytes { x in b.withUnsafeBytes { y in compareKeys(x, y) } }
}
