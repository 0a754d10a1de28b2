/// SQL arithmetic on run-time values, with PostgreSQL's semantics and error codes.
///
/// Shared rules:
/// - NULL in, NULL out (checked before anything else, so `NULL / 0` is NULL).
/// - integer ∘ integer → integer in 64 bits; overflow is 22003 "bigint out of range". Division truncates
///   toward zero; `%` takes the dividend's sign; `Int64.min / -1` overflows (22003) and
///   `Int64.min % -1` is 0.
/// - integer ∘ numeric → numeric (see `SQLDecimal` for scales); numeric ∘ double and any double operand
///   → double.
/// - Division and remainder by zero are 22012 for integers, numerics and doubles (PostgreSQL raises it
///   for float8 too, instead of producing infinity).
/// - A double result that is infinite or NaN although no operand was is 22003 "value out of range:
///   overflow"; a zero product or quotient of non-zero finite operands is 22003 "value out of range:
///   underflow" (PostgreSQL's check_float8_val).
/// - date + integer and integer + date → date (days), date - integer → date, date - date → integer.
/// - Anything else (text, boolean, blob operands) is 42883 "operator does not exist"; the binder casts
///   untyped literals before they get here.
extension SQLValue {
    /// `a + b`.
    public static func add(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case let (.integer(x), .integer(y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw .numericOutOfRange("bigint") }
            return .integer(r)
        case let (.date(d), .integer(n)), let (.integer(n), .date(d)):
            return .date(try addDays(d, n))
        default:
            return try numericOperation("+", a, b, decimal: SQLDecimal.adding) { $0 + $1 }
        }
    }

    /// `a - b`.
    public static func subtract(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case let (.integer(x), .integer(y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw .numericOutOfRange("bigint") }
            return .integer(r)
        case let (.date(d), .integer(n)):
            if n == Int64.min { throw ExecutionError("22008", "date out of range") }
            return .date(try addDays(d, -n))
        case let (.date(x), .date(y)):
            return .integer(Int64(x) - Int64(y))
        default:
            return try numericOperation("-", a, b, decimal: SQLDecimal.subtracting) { $0 - $1 }
        }
    }

    /// `a * b`.
    public static func multiply(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case let (.integer(x), .integer(y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw .numericOutOfRange("bigint") }
            return .integer(r)
        default:
            return try numericOperation("*", a, b, decimal: SQLDecimal.multiplying, checkUnderflow: true) { $0 * $1 }
        }
    }

    /// `a / b`: integer division truncates toward zero; 22012 on a zero divisor of any numeric type.
    public static func divide(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case let (.integer(x), .integer(y)):
            if y == 0 { throw .divisionByZero }
            if y == -1 {
                if x == .min { throw .numericOutOfRange("bigint") }
                return .integer(-x)
            }
            return .integer(x / y)
        default:
            if b.isNumericZero && a.isNumber { throw .divisionByZero }
            return try numericOperation("/", a, b, decimal: SQLDecimal.dividing, checkUnderflow: true) { $0 / $1 }
        }
    }

    /// `a % b`: the result has the dividend's sign; 22012 on a zero divisor.
    public static func remainder(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case let (.integer(x), .integer(y)):
            if y == 0 { throw .divisionByZero }
            if y == -1 { return .integer(0) }  // avoids the trap on Int64.min % -1
            return .integer(x % y)
        default:
            if b.isNumericZero && a.isNumber { throw .divisionByZero }
            return try numericOperation("%", a, b, decimal: SQLDecimal.remainder) { $0.truncatingRemainder(dividingBy: $1) }
        }
    }

    /// Unary minus.
    public static func negate(_ a: SQLValue) throws(ExecutionError) -> SQLValue {
        switch a {
        case .null: return .null
        case let .integer(x):
            if x == .min { throw .numericOutOfRange("bigint") }
            return .integer(-x)
        case let .double(x): return .double(-x)
        case let .numeric(x): return .numeric(try SQLDecimal.negating(x))
        default: throw ExecutionError("42883", "operator does not exist: - \(a.storageTypeName)")
        }
    }

    /// `a || b`: text with anything non-NULL gives text (the other side in its output form, "t" for true, as
    /// PostgreSQL's anynonarray || text); bytea || bytea gives bytea; NULL propagates. Other pairs are
    /// 42883.
    public static func concatenate(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case let (.text(x), .text(y)): return .text(x + y)
        case let (.blob(x), .blob(y)): return .blob(x + y)
        case let (.text(x), _): return .text(x + b.textValue)
        case let (_, .text(y)): return .text(a.textValue + y)
        default: throw operatorError("||", a, b)
        }
    }

    /// `a & b` on integers.
    public static func bitAnd(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        try integerBitwise("&", a, b) { $0 & $1 }
    }

    /// `a | b` on integers.
    public static func bitOr(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        try integerBitwise("|", a, b) { $0 | $1 }
    }

    /// `a # b` (exclusive or) on integers.
    public static func bitXor(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        try integerBitwise("#", a, b) { $0 ^ $1 }
    }

    /// `a << b` on integers. The shift count is taken modulo 64, as PostgreSQL's C shift does on x86-64.
    public static func shiftLeft(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        try integerBitwise("<<", a, b) { $0 &<< $1 }
    }

    /// `a >> b` on integers, arithmetic (sign-extending); the count is taken modulo 64.
    public static func shiftRight(_ a: SQLValue, _ b: SQLValue) throws(ExecutionError) -> SQLValue {
        try integerBitwise(">>", a, b) { $0 &>> $1 }
    }

    /// `~a` on an integer.
    public static func bitNot(_ a: SQLValue) throws(ExecutionError) -> SQLValue {
        switch a {
        case .null: return .null
        case let .integer(x): return .integer(~x)
        default: throw ExecutionError("42883", "operator does not exist: ~ \(a.storageTypeName)")
        }
    }

    // MARK: Helpers

    /// The PostgreSQL name of the value's storage class, for error messages.
    public var storageTypeName: String {
        switch self {
        case .null: return "unknown"
        case .boolean: return "boolean"
        case .integer: return "bigint"
        case .double: return "double precision"
        case .numeric: return "numeric"
        case .text: return "text"
        case .blob: return "bytea"
        case .date: return "date"
        case .timestamp: return "timestamp without time zone"
        }
    }

    var isNumber: Bool {
        switch self {
        case .integer, .double, .numeric: return true
        default: return false
        }
    }

    var isNumericZero: Bool {
        switch self {
        case let .integer(x): return x == 0
        case let .double(x): return x == 0
        case let .numeric(x): return x.significand == 0
        default: return false
        }
    }

    static func operatorError(_ op: String, _ a: SQLValue, _ b: SQLValue) -> ExecutionError {
        ExecutionError("42883", "operator does not exist: \(a.storageTypeName) \(op) \(b.storageTypeName)",
                       hint: "No operator matches the given name and argument types. You might need to add explicit type casts.")
    }

    static func addDays(_ d: Int32, _ n: Int64) throws(ExecutionError) -> Int32 {
        let (r, o) = Int64(d).addingReportingOverflow(n)
        guard !o, let days = Int32(exactly: r) else { throw ExecutionError("22008", "date out of range") }
        return days
    }

    /// Mixed numeric operation: numeric when both sides are integer/numeric, else double.
    @inline(__always)
    static func numericOperation(
        _ op: String, _ a: SQLValue, _ b: SQLValue,
        decimal: (SQLDecimal, SQLDecimal) throws(ExecutionError) -> SQLDecimal,
        checkUnderflow: Bool = false,
        double: (Double, Double) -> Double
    ) throws(ExecutionError) -> SQLValue {
        switch (a, b) {
        case let (.numeric(x), .numeric(y)): return .numeric(try decimal(x, y))
        case let (.integer(x), .numeric(y)): return .numeric(try decimal(SQLDecimal(x), y))
        case let (.numeric(x), .integer(y)): return .numeric(try decimal(x, SQLDecimal(y)))
        default:
            guard let x = a.numberAsDouble, let y = b.numberAsDouble else { throw operatorError(op, a, b) }
            if (op == "/" || op == "%") && y == 0 { throw .divisionByZero }
            let r = double(x, y)
            return .double(try checkedDouble(r, x, y, checkUnderflow: checkUnderflow))
        }
    }

    /// PostgreSQL's check_float8_val: an infinite or NaN result from finite, non-NaN operands is an
    /// overflow; a zero from non-zero operands (multiplication, division) an underflow.
    @inline(__always)
    static func checkedDouble(_ r: Double, _ x: Double, _ y: Double, checkUnderflow: Bool) throws(ExecutionError) -> Double {
        if !r.isFinite && x.isFinite && y.isFinite {
            throw ExecutionError("22003", "value out of range: overflow")
        }
        if checkUnderflow && r == 0 && x != 0 && !x.isInfinite && y.isFinite && (y != 0) {
            // x / inf is a legitimate 0; x * y with both non-zero finite underflowed.
            throw ExecutionError("22003", "value out of range: underflow")
        }
        return r
    }

    /// The value as a double when it is a number.
    var numberAsDouble: Double? {
        switch self {
        case let .integer(x): return Double(x)
        case let .double(x): return x
        case let .numeric(x): return x.doubleValue
        default: return nil
        }
    }

    @inline(__always)
    static func integerBitwise(_ op: String, _ a: SQLValue, _ b: SQLValue,
                               _ f: (Int64, Int64) -> Int64) throws(ExecutionError) -> SQLValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case let (.integer(x), .integer(y)): return .integer(f(x, y))
        default: throw operatorError(op, a, b)
        }
    }
}
