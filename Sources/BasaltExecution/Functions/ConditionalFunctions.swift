/// The built-in functions that choose among their arguments. (COALESCE, NULLIF and CASE are expressions
/// the executor evaluates lazily; they are not functions.)
///
/// - greatest(v, …), least(v, …): the largest/smallest non-NULL argument by `SQLValue.compare`, NULL when
///   all are NULL (PostgreSQL ignores NULLs here). The result type is the arguments' common supertype
///   (42804 when there is none); mixed numeric values are returned in the widest class present (double
///   over numeric over integer).
/// - num_nulls(v, …), num_nonnulls(v, …): counts of NULL and non-NULL arguments.
enum ConditionalFunctions {
    static var all: [ScalarFunction] {
        var list: [ScalarFunction] = []
        for (name, wantLarger) in [("greatest", true), ("least", false)] {
            list.append(ScalarFunction(
                name: name, arity: 1...255, isStrict: false,
                returnType: { (types: [SQLType]) throws(ExecutionError) -> SQLType in
                    var result = SQLType.unknown
                    for t in types {
                        guard let common = SQLType.commonSupertype(result, t) else {
                            throw .datatypeMismatch("\(name.uppercased()) types \(result.name) and \(t.name) cannot be matched")
                        }
                        result = common
                    }
                    return result
                },
                body: { (args, _) throws(ExecutionError) -> SQLValue in
                    var best = SQLValue.null
                    var hasDouble = false, hasNumeric = false
                    for v in args where !v.isNull {
                        if case .double = v { hasDouble = true }
                        if case .numeric = v { hasNumeric = true }
                        if best.isNull {
                            best = v
                        } else if let c = SQLValue.compare(v, best), wantLarger ? c > 0 : c < 0 {
                            best = v
                        }
                    }
                    if hasDouble, let d = best.numberAsDouble { return .double(d) }
                    if hasNumeric, case let .integer(i) = best { return .numeric(SQLDecimal(i)) }
                    return best
                }))
        }
        for (name, countNulls) in [("num_nulls", true), ("num_nonnulls", false)] {
            list.append(ScalarFunction(
                name: name, arity: 1...255, isStrict: false,
                returnType: { (_: [SQLType]) throws(ExecutionError) -> SQLType in .integer },
                body: { (args, _) throws(ExecutionError) -> SQLValue in
                    .integer(Int64(args.filter { $0.isNull == countNulls }.count))
                }))
        }
        return list
    }
}
