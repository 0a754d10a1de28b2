/// The running state of one aggregate over one group.
///
/// SQL semantics: NULL inputs are ignored (except by count(*), which counts rows); over no non-NULL
/// input every aggregate but count is NULL and count is 0; DISTINCT first drops values equal under
/// grouping equality (`SQLValue ==`: NULL = NULL, 1 = 1.0). min/max order by `SQLValue.compare`.
///
/// Result types (`resultType`) and where they differ from PostgreSQL:
/// - count, count(*) → bigint.
/// - sum(smallint/integer/bigint) → bigint, summed in 64 bits with 22003 "bigint out of range" on
///   overflow (PostgreSQL returns numeric for sum(bigint) and cannot overflow).
/// - sum(real/double) → double precision; sum(numeric) → numeric (22003 when it leaves 64 bits).
/// - avg(integer types, real, double) → double precision (PostgreSQL returns numeric for integer
///   inputs); avg(numeric) → numeric, with the scale of numeric division.
/// - min/max → the argument type; string_agg → text; bool_and/bool_or/every → boolean.
/// - An untyped (unknown) argument is accepted: sum → bigint, avg → double, min/max/string_agg → text.
///
/// Without DISTINCT, `add` allocates nothing (string_agg's growing text and min/max holding a value aside).
public struct AggregateAccumulator: Sendable {
    public let kind: AggregateKind
    public let argumentType: SQLType
    public let distinct: Bool

    private var count: Int64 = 0
    private var integerSum: Int64 = 0
    private var wideSum: Int128 = 0        // avg over integers: exact
    private var doubleSum: Double = 0
    private var decimalSum = SQLDecimal(0)
    private var usesDecimal = false         // some input was numeric (sum/avg of a numeric column)
    private var usesDouble = false          // some input was a double
    private var extreme: SQLValue = .null   // min/max so far
    private var text = ""
    private var flag = false
    private var seen: Set<SQLValue>? = nil  // DISTINCT only

    /// The result type of `kind` over an argument of type `argument`; 42883 when the aggregate does not
    /// accept that type (sum(text), avg(boolean), bool_and(integer), …).
    public static func resultType(_ kind: AggregateKind, argument: SQLType) throws(ExecutionError) -> SQLType {
        let unsupported = ExecutionError.undefinedFunction("\(kind.name)(\(argument.name))")
        switch kind {
        case .countStar, .count: return .bigint
        case .sum:
            if argument.isInteger || argument == .unknown { return .bigint }
            if argument.isFloatingPoint { return .double }
            if case .numeric = argument { return .numeric(precision: nil, scale: nil) }
            throw unsupported
        case .avg:
            if argument.isInteger || argument.isFloatingPoint || argument == .unknown { return .double }
            if case .numeric = argument { return .numeric(precision: nil, scale: nil) }
            throw unsupported
        case .min, .max:
            return argument == .unknown ? .text : argument
        case .stringAgg:
            if argument.isText || argument == .unknown { return .text }
            throw unsupported
        case .boolAnd, .boolOr, .every:
            if argument == .boolean || argument == .unknown { return .boolean }
            throw unsupported
        }
    }

    /// A fresh accumulator (the state for an empty group).
    public init(kind: AggregateKind, argumentType: SQLType, distinct: Bool) {
        self.kind = kind
        self.argumentType = argumentType
        self.distinct = distinct && kind != .countStar
        if self.distinct { seen = [] }
        if kind == .boolAnd || kind == .every { flag = true }
        if case .numeric = argumentType { usesDecimal = true }
        if argumentType.isFloatingPoint { usesDouble = true }
    }

    /// Adds one input row's value (and, for string_agg, that row's separator). NULL values are skipped,
    /// except by count(*), which counts every call. Throws 22003 when a sum overflows, 42883 when the
    /// value's class does not fit the aggregate (text into sum).
    public mutating func add(_ value: SQLValue, separator: SQLValue = .null) throws(ExecutionError) {
        if kind == .countStar { count += 1; return }
        if value.isNull { return }
        if distinct {
            if seen!.insert(value).inserted == false { return }
        }
        switch kind {
        case .countStar, .count:
            count += 1
        case .sum, .avg:
            try addNumber(value)
        case .min:
            if extreme.isNull || (SQLValue.compare(value, extreme) ?? 0) < 0 { extreme = value }
            count += 1
        case .max:
            if extreme.isNull || (SQLValue.compare(value, extreme) ?? 0) > 0 { extreme = value }
            count += 1
        case .stringAgg:
            if count > 0, !separator.isNull { text += FunctionSupport.text(separator) }
            text += FunctionSupport.text(value)
            count += 1
        case .boolAnd, .every, .boolOr:
            guard case let .boolean(b) = value else {
                throw .undefinedFunction("\(kind.name)(\(value.storageTypeName))")
            }
            flag = kind == .boolOr ? (flag || b) : (flag && b)
            count += 1
        }
    }

    private mutating func addNumber(_ value: SQLValue) throws(ExecutionError) {
        switch value {
        case let .integer(i):
            if usesDouble {
                doubleSum += Double(i)
            } else if usesDecimal {
                decimalSum = try SQLDecimal.adding(decimalSum, SQLDecimal(i))
            } else if kind == .avg {
                wideSum += Int128(i)
            } else {
                let (s, o) = integerSum.addingReportingOverflow(i)
                if o { throw .numericOutOfRange("bigint") }
                integerSum = s
            }
        case let .double(d):
            if !usesDouble { switchToDouble() }
            doubleSum += d
        case let .numeric(n):
            if usesDouble {
                doubleSum += n.doubleValue
            } else {
                if !usesDecimal { try switchToDecimal() }
                decimalSum = try SQLDecimal.adding(decimalSum, n)
            }
        default:
            throw .undefinedFunction("\(kind.name)(\(value.storageTypeName))")
        }
        count += 1
    }

    /// A double arrived in an integer or numeric sum: continue in double.
    private mutating func switchToDouble() {
        doubleSum = Double(integerSum) + Double(wideSum) + decimalSum.doubleValue
        integerSum = 0; wideSum = 0; decimalSum = SQLDecimal(0)
        usesDouble = true
        usesDecimal = false
    }

    /// A numeric arrived in an integer sum: continue in numeric.
    private mutating func switchToDecimal() throws(ExecutionError) {
        guard let w = Int64(exactly: wideSum) else { throw SQLDecimal.overflow }
        decimalSum = try SQLDecimal.adding(SQLDecimal(integerSum), SQLDecimal(w))
        integerSum = 0; wideSum = 0
        usesDecimal = true
    }

    /// The aggregate's value over the values added so far.
    public func result() -> SQLValue {
        switch kind {
        case .countStar, .count:
            return .integer(count)
        case .sum:
            if count == 0 { return .null }
            if usesDouble { return .double(doubleSum) }
            if usesDecimal { return .numeric(decimalSum) }
            return .integer(integerSum)
        case .avg:
            if count == 0 { return .null }
            if usesDouble { return .double(doubleSum / Double(count)) }
            if usesDecimal {
                // |sum / count| ≤ |sum|, and division lowers its scale until the quotient fits.
                guard let q = try? SQLDecimal.dividing(decimalSum, SQLDecimal(count)) else { return .null }
                return .numeric(q)
            }
            // Exact integer sum: divide in 128 bits, then the remainder, for a correctly rounded mean.
            let (q, r) = wideSum.quotientAndRemainder(dividingBy: Int128(count))
            return .double(Double(q) + Double(r) / Double(count))
        case .min, .max:
            return extreme
        case .stringAgg:
            return count == 0 ? .null : .text(text)
        case .boolAnd, .every, .boolOr:
            return count == 0 ? .null : .boolean(flag)
        }
    }
}
