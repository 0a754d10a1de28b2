/// Shared pieces of the built-in functions: signature checks for `returnType` closures and argument
/// conversions for bodies.
///
/// Argument classes accept `.unknown` (an untyped literal or NULL), which the binder resolves; bodies
/// therefore accept a text value where a number is expected and parse it (22P02 when it is no number).
enum FunctionSupport {
    /// 42883 for `name` applied to `types`.
    static func noMatch(_ name: String, _ types: [SQLType]) -> ExecutionError {
        .undefinedFunction("\(name)(\(types.map(\.name).joined(separator: ", ")))")
    }

    /// The argument types a built-in accepts at one position. Every class accepts `.unknown`.
    enum ArgumentClass: Sendable {
        case text, number, integer, dateTime, boolean, any

        func accepts(_ t: SQLType) -> Bool {
            if t == .unknown { return true }
            switch self {
            case .text: return t.isText
            case .number: return t.isNumeric
            case .integer: return t.isInteger
            case .dateTime: return t.isDateTime
            case .boolean: return t == .boolean
            case .any: return true
            }
        }
    }

    /// A `returnType` closure: argument i must be of class `classes[min(i, last)]` (the last class repeats
    /// for variadic tails); the result is `result`.
    static func signature(_ name: String, _ classes: [ArgumentClass], returns result: SQLType)
        -> @Sendable ([SQLType]) throws(ExecutionError) -> SQLType {
        return { (types: [SQLType]) throws(ExecutionError) -> SQLType in
            try check(name, types, classes)
            return result
        }
    }

    /// Throws 42883 unless every argument type is of its position's class.
    static func check(_ name: String, _ types: [SQLType], _ classes: [ArgumentClass]) throws(ExecutionError) {
        for (i, t) in types.enumerated() {
            guard !classes.isEmpty, classes[min(i, classes.count - 1)].accepts(t) else { throw noMatch(name, types) }
        }
    }

    // MARK: Argument conversions (for bodies; NULLs were filtered out for strict functions)

    static func text(_ v: SQLValue) -> String {
        if case let .text(s) = v { return s }
        return v.textValue
    }

    static func integer(_ v: SQLValue, _ what: String = "integer") throws(ExecutionError) -> Int64 {
        switch v {
        case let .integer(i): return i
        case .double, .numeric, .text:
            guard case let .integer(i) = try v.cast(to: .bigint, explicit: true) else { return 0 }
            return i
        default: throw .datatypeMismatch("argument of type \(v.storageTypeName) is not an \(what)")
        }
    }

    static func double(_ v: SQLValue) throws(ExecutionError) -> Double {
        switch v {
        case let .integer(i): return Double(i)
        case let .double(d): return d
        case let .numeric(n): return n.doubleValue
        case .text:
            guard case let .double(d) = try v.cast(to: .double, explicit: true) else { return 0 }
            return d
        default: throw .datatypeMismatch("argument of type \(v.storageTypeName) is not a number")
        }
    }

    static func decimal(_ v: SQLValue) throws(ExecutionError) -> SQLDecimal {
        guard case let .numeric(n) = try v.cast(to: .numeric(precision: nil, scale: nil), explicit: true) else {
            return SQLDecimal(0)
        }
        return n
    }

    /// Checks a double result like PostgreSQL's check_float8_val (22003 overflow/underflow).
    static func checked(_ r: Double, inputs: Double...) throws(ExecutionError) -> Double {
        let finiteInputs = inputs.allSatisfy(\.isFinite)
        if r.isInfinite && finiteInputs { throw ExecutionError("22003", "value out of range: overflow") }
        if r.isNaN && finiteInputs && !inputs.contains(where: \.isNaN) {
            throw ExecutionError("22003", "value out of range: overflow")
        }
        return r
    }

    /// A scalar-count guard for functions that build strings (repeat, lpad): 54000 past 256 MiB.
    static func checkLength(_ n: Int64) throws(ExecutionError) {
        if n > 256 << 20 { throw ExecutionError("54000", "requested length too large") }
    }
}
