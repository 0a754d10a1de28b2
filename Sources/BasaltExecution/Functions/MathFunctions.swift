#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The built-in mathematical functions, with PostgreSQL's semantics and error codes:
/// - abs, sign, ceil/ceiling, floor, round(x), trunc(x) keep numeric as numeric and double as double;
///   integer arguments resolve to double precision, as PostgreSQL's preferred numeric type makes them
///   (abs keeps integers: PostgreSQL has abs(int8)).
/// - round(double) rounds half to even (rint), round(numeric) half away from zero.
/// - round(x, n) and trunc(x, n) work in numeric (PostgreSQL defines them only for numeric; a double
///   argument is converted like a cast to numeric) and return numeric with max(n, 0) fraction digits.
/// - sqrt, exp, ln, log, power return double precision (numeric when every argument is numeric,
///   converted from the double result with 15 significant digits).
/// - mod(a, b) is the `%` operator.
/// - Errors: sqrt of a negative 2201F; ln/log of zero or a negative 2201E; 0 ^ negative and
///   negative ^ non-integer 2201F; results out of range 22003; mod by zero 22012.
enum MathFunctions {
    typealias S = FunctionSupport

    /// The result type of a function that keeps numeric and double, turning integers into double.
    static func keepsNumeric(_ name: String, keepIntegers: Bool = false) -> @Sendable ([SQLType]) throws(ExecutionError) -> SQLType {
        { (types: [SQLType]) throws(ExecutionError) -> SQLType in
            try S.check(name, types, [.number])
            switch types[0] {
            case .numeric: return .numeric(precision: nil, scale: nil)
            case .real: return keepIntegers ? .real : .double
            case .smallint, .integer, .bigint: return keepIntegers ? types[0] : .double
            case .unknown: return .double
            default: return .double
            }
        }
    }

    /// The result type of a function computed in double that returns numeric when all arguments are.
    static func floating(_ name: String, _ classes: [S.ArgumentClass]) -> @Sendable ([SQLType]) throws(ExecutionError) -> SQLType {
        { (types: [SQLType]) throws(ExecutionError) -> SQLType in
            try S.check(name, types, classes)
            let allNumeric = types.allSatisfy { if case .numeric = $0 { return true } else { return false } }
            return allNumeric && !types.isEmpty ? .numeric(precision: nil, scale: nil) : .double
        }
    }

    /// Wraps a double computation: numeric in → numeric out (via 15 significant digits), else double.
    static func floatingBody(_ compute: @escaping @Sendable ([Double]) throws(ExecutionError) -> Double)
        -> @Sendable ([SQLValue], FunctionContext) throws(ExecutionError) -> SQLValue {
        { (args, _) throws(ExecutionError) -> SQLValue in
            var inputs: [Double] = []
            inputs.reserveCapacity(args.count)
            var allNumeric = !args.isEmpty
            for a in args {
                inputs.append(try S.double(a))
                if case .numeric = a {} else { allNumeric = false }
            }
            let r = try compute(inputs)
            return allNumeric ? .numeric(try SQLValue.decimal(fromDouble: r)) : .double(r)
        }
    }

    static var all: [ScalarFunction] {
        var list: [ScalarFunction] = []
        list.append(ScalarFunction(name: "abs", arity: 1...1, returnType: keepsNumeric("abs", keepIntegers: true)) {
            (a, _) throws(ExecutionError) -> SQLValue in
            switch a[0] {
            case let .integer(i):
                if i == .min { throw .numericOutOfRange("bigint") }
                return .integer(Swift.abs(i))
            case let .numeric(n): return n.significand < 0 ? .numeric(try SQLDecimal.negating(n)) : a[0]
            default: return .double(Swift.abs(try S.double(a[0])))
            }
        })
        list.append(ScalarFunction(name: "sign", arity: 1...1, returnType: keepsNumeric("sign")) {
            (a, _) throws(ExecutionError) -> SQLValue in
            if case let .numeric(n) = a[0] { return .numeric(SQLDecimal(Int64(n.significand.signum()))) }
            let d = try S.double(a[0])
            return .double(d > 0 ? 1 : (d < 0 ? -1 : 0))
        })
        for name in ["ceil", "ceiling"] {
            list.append(ScalarFunction(name: name, arity: 1...1, returnType: keepsNumeric(name)) {
                (a, _) throws(ExecutionError) -> SQLValue in
                if case let .numeric(n) = a[0] { return .numeric(try integral(n, rule: .up)) }
                return .double(try S.double(a[0]).rounded(.up))
            })
        }
        list.append(ScalarFunction(name: "floor", arity: 1...1, returnType: keepsNumeric("floor")) {
            (a, _) throws(ExecutionError) -> SQLValue in
            if case let .numeric(n) = a[0] { return .numeric(try integral(n, rule: .down)) }
            return .double(try S.double(a[0]).rounded(.down))
        })
        list.append(ScalarFunction(
            name: "round", arity: 1...2,
            returnType: { (types: [SQLType]) throws(ExecutionError) -> SQLType in
                if types.count == 2 {
                    try S.check("round", types, [.number, .integer])
                    return .numeric(precision: nil, scale: nil)
                }
                return try keepsNumeric("round")(types)
            },
            body: { (a, _) throws(ExecutionError) -> SQLValue in
                if a.count == 2 {
                    return .numeric(try roundDecimal(try S.decimal(a[0]), digits: try S.integer(a[1]), rule: .toNearestOrAwayFromZero))
                }
                if case let .numeric(n) = a[0] { return .numeric(try integral(n, rule: .toNearestOrAwayFromZero)) }
                return .double(try S.double(a[0]).rounded(.toNearestOrEven))  // rint
            }))
        list.append(ScalarFunction(
            name: "trunc", arity: 1...2,
            returnType: { (types: [SQLType]) throws(ExecutionError) -> SQLType in
                if types.count == 2 {
                    try S.check("trunc", types, [.number, .integer])
                    return .numeric(precision: nil, scale: nil)
                }
                return try keepsNumeric("trunc")(types)
            },
            body: { (a, _) throws(ExecutionError) -> SQLValue in
                if a.count == 2 {
                    return .numeric(try roundDecimal(try S.decimal(a[0]), digits: try S.integer(a[1]), rule: .towardZero))
                }
                if case let .numeric(n) = a[0] { return .numeric(try integral(n, rule: .towardZero)) }
                return .double(try S.double(a[0]).rounded(.towardZero))
            }))
        list.append(ScalarFunction(name: "sqrt", arity: 1...1, returnType: floating("sqrt", [.number]), body: floatingBody {
            (x) throws(ExecutionError) -> Double in
            if x[0] < 0 { throw ExecutionError("2201F", "cannot take square root of a negative number") }
            return x[0].squareRoot()
        }))
        list.append(ScalarFunction(name: "cbrt", arity: 1...1, returnType: floating("cbrt", [.number]), body: floatingBody {
            (x) throws(ExecutionError) -> Double in cbrt(x[0])
        }))
        for name in ["power", "pow"] {
            list.append(ScalarFunction(name: name, arity: 2...2, returnType: floating(name, [.number]), body: floatingBody {
                (x) throws(ExecutionError) -> Double in try power(x[0], x[1])
            }))
        }
        list.append(ScalarFunction(name: "exp", arity: 1...1, returnType: floating("exp", [.number]), body: floatingBody {
            (x) throws(ExecutionError) -> Double in
            let r = exp(x[0])
            if r == 0 && x[0].isFinite { throw ExecutionError("22003", "value out of range: underflow") }
            return try S.checked(r, inputs: x[0])
        }))
        list.append(ScalarFunction(name: "ln", arity: 1...1, returnType: floating("ln", [.number]), body: floatingBody {
            (x) throws(ExecutionError) -> Double in try logarithm(x[0], { log($0) })
        }))
        list.append(ScalarFunction(name: "log10", arity: 1...1, returnType: floating("log10", [.number]), body: floatingBody {
            (x) throws(ExecutionError) -> Double in try logarithm(x[0], { log10($0) })
        }))
        list.append(ScalarFunction(name: "log", arity: 1...2, returnType: floating("log", [.number]), body: floatingBody {
            (x) throws(ExecutionError) -> Double in
            if x.count == 1 { return try logarithm(x[0], { log10($0) }) }
            // log(b, x) = ln x / ln b
            let lb = try logarithm(x[0], { log($0) }), lx = try logarithm(x[1], { log($0) })
            if lb == 0 { throw .divisionByZero }
            return lx / lb
        }))
        list.append(ScalarFunction(
            name: "mod", arity: 2...2,
            returnType: { (types: [SQLType]) throws(ExecutionError) -> SQLType in
                try S.check("mod", types, [.number])
                if types.allSatisfy({ $0.isInteger || $0 == .unknown }) {
                    return types.contains(.bigint) ? .bigint : (types.contains(.integer) ? .integer : (types.contains(.smallint) ? .smallint : .bigint))
                }
                if types.contains(where: \.isFloatingPoint) { return .double }
                return .numeric(precision: nil, scale: nil)
            },
            body: { (a, _) throws(ExecutionError) -> SQLValue in try SQLValue.remainder(a[0], a[1]) }))
        list.append(ScalarFunction(name: "pi", arity: 0...0, returnType: S.signature("pi", [], returns: .double)) {
            (_, _) throws(ExecutionError) -> SQLValue in .double(Double.pi)
        })
        list.append(ScalarFunction(name: "random", arity: 0...0, isVolatile: true,
                                   returnType: S.signature("random", [], returns: .double)) {
            (_, _) throws(ExecutionError) -> SQLValue in .double(Double.random(in: 0..<1))
        })
        return list
    }

    /// The numeric rounded to an integer value (scale 0) by `rule`.
    static func integral(_ n: SQLDecimal, rule: FloatingPointRoundingRule) throws(ExecutionError) -> SQLDecimal {
        try roundDecimal(n, digits: 0, rule: rule)
    }

    /// `n` rounded to `digits` fraction digits (negative: to tens, hundreds, …) by `rule` (half away from
    /// zero, toward zero, up, down); the result has scale max(digits, 0), like PostgreSQL's round/trunc.
    static func roundDecimal(_ n: SQLDecimal, digits: Int64, rule: FloatingPointRoundingRule) throws(ExecutionError) -> SQLDecimal {
        let scale = Int(n.scale)
        let target = Int(max(-40, min(digits, Int64(SQLDecimal.maxScale))))
        if target >= scale { return try n.rescaled(to: max(target, 0)) }
        // Drop (scale - target) digits from the significand in 128 bits.
        let drop = scale - target
        if drop > 38 { return SQLDecimal(significand: 0, scale: Int8(max(target, 0))) }
        let unit = SQLDecimal.pow10Wide(drop)
        let wide = Int128(n.significand)
        var (q, r) = wide.quotientAndRemainder(dividingBy: unit)
        if r != 0 {
            switch rule {
            case .towardZero: break
            case .up: if wide > 0 { q += 1 }
            case .down: if wide < 0 { q -= 1 }
            default:
                if r.magnitude * 2 >= unit.magnitude { q += wide < 0 ? -1 : 1 }
            }
        }
        // q is in units of 10^-target; bring it to scale max(target, 0).
        if target < 0 { q *= SQLDecimal.pow10Wide(-target) }
        guard let v = Int64(exactly: q) else { throw SQLDecimal.overflow }
        return SQLDecimal(significand: v, scale: Int8(max(target, 0)))
    }

    static func power(_ x: Double, _ y: Double) throws(ExecutionError) -> Double {
        if x == 0 && y < 0 { throw ExecutionError("2201F", "zero raised to a negative power is undefined") }
        if x < 0 && y.rounded(.towardZero) != y && y.isFinite {
            throw ExecutionError("2201F", "a negative number raised to a non-integer power yields a complex result")
        }
        let r = pow(x, y)
        if r == 0 && x.isFinite && y.isFinite && x != 0 {
            throw ExecutionError("22003", "value out of range: underflow")
        }
        return try S.checked(r, inputs: x, y)
    }

    static func logarithm(_ x: Double, _ f: (Double) -> Double) throws(ExecutionError) -> Double {
        if x == 0 { throw ExecutionError("2201E", "cannot take logarithm of zero") }
        if x < 0 { throw ExecutionError("2201E", "cannot take logarithm of a negative number") }
        return f(x)
    }
}

