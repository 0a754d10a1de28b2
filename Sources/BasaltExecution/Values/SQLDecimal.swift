/// A fixed-point decimal, the run-time value of SQL `numeric(p, s)`: `significand × 10^-scale`.
///
/// Invariants: `0 ≤ scale ≤ SQLDecimal.maxScale` (18) and the significand is any `Int64`, so at most 18
/// significant digits are always representable (19 when they fit in an Int64). PostgreSQL's numeric is
/// arbitrary-precision; Basalt's is bounded, and a result that does not fit raises 22003 instead of
/// silently losing digits.
///
/// The scale is part of the value's *display* (`12.50` keeps two digits, like PostgreSQL) but not of
/// its identity: `1.0 == 1.00`, they order equal and hash equally.
///
/// Arithmetic (all `throws(ExecutionError)`, 22003 "numeric field overflow" when the result does not fit,
/// 22012 on zero divisors):
/// - `+` `-`: result scale `max(s1, s2)` (PostgreSQL's rule).
/// - `*`: result scale `s1 + s2` (PostgreSQL's rule), capped at 18; when the exact product does not fit
///   in 64 bits the scale is reduced (rounding half away from zero) as far as needed, down to 0, before
///   giving up with 22003.
/// - `/`: PostgreSQL's `select_div_scale`: at least 16 significant digits and at least `max(s1, s2)`
///   fraction digits, capped at 18 fraction digits and reduced further (rounding) when the quotient
///   would not fit; 1/3 is 0.333333333333333333, 10/4 is 2.5000000000000000.
/// - `%`: result scale `max(s1, s2)`; the sign follows the dividend.
public struct SQLDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The unscaled digits, with sign.
    public var significand: Int64
    /// The number of digits after the decimal point, `0...maxScale`.
    public var scale: Int8

    /// The largest scale (fraction digits) a decimal carries.
    public static let maxScale = 18
    /// The largest precision a `numeric(p, s)` column may declare.
    public static let maxPrecision = 18

    /// The decimal `significand × 10^-scale`. Precondition: `0 ≤ scale ≤ maxScale`.
    public init(significand: Int64, scale: Int8) {
        precondition(scale >= 0 && Int(scale) <= SQLDecimal.maxScale, "decimal scale out of range")
        self.significand = significand
        self.scale = scale
    }

    /// The integer `value` with scale 0.
    public init(_ value: Int64) {
        self.significand = value
        self.scale = 0
    }

    static let overflow = ExecutionError("22003", "numeric field overflow")

    /// Powers of ten that fit in an Int64: `pow10[k] == 10^k` for `k` in 0...18.
    static let pow10: [Int64] = {
        var table: [Int64] = [1]
        for _ in 1...18 { table.append(table.last! * 10) }
        return table
    }()

    /// `10^k` as Int128, for k in 0...38.
    @inline(__always)
    static func pow10Wide(_ k: Int) -> Int128 {
        var result: Int128 = 1
        if k >= 18 {
            result = Int128(pow10[18])
            for _ in 18..<k { result *= 10 }
            return result
        }
        return Int128(pow10[k])
    }

    // MARK: Parsing

    /// Parses PostgreSQL numeric input: optional surrounding whitespace, optional sign, digits with an
    /// optional decimal point (`12.50`, `.5`, `5.`), and an optional exponent (`1e3`, `1.5E-2`). The scale
    /// is the number of fraction digits written (after applying the exponent; never below 0), so
    /// `12.50` has scale 2 and `1e3` is 1000 with scale 0. Fraction digits beyond 18 are rounded half
    /// away from zero.
    ///
    /// Throws 22P02 `invalid input syntax for type numeric` for malformed text (also `NaN`/`Infinity`,
    /// which this fixed-point type cannot hold) and 22003 when the value does not fit.
    public init(parsing text: String) throws(ExecutionError) {
        var utf8 = Array(text.utf8)
        let invalid = ExecutionError.invalidText("numeric", text)
        // Trim ASCII whitespace like PostgreSQL.
        while let last = utf8.last, last == 0x20 || (0x09...0x0D).contains(last) { utf8.removeLast() }
        var i = 0
        while i < utf8.count, utf8[i] == 0x20 || (0x09...0x0D).contains(utf8[i]) { i += 1 }
        var negative = false
        if i < utf8.count, utf8[i] == UInt8(ascii: "+") || utf8[i] == UInt8(ascii: "-") {
            negative = utf8[i] == UInt8(ascii: "-")
            i += 1
        }
        // Collect the digits without leading zeros, remembering where the point was.
        var digits: [UInt8] = []
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        while i < utf8.count {
            let c = utf8[i]
            if c >= 0x30 && c <= 0x39 {
                sawDigit = true
                if !(digits.isEmpty && c == 0x30) { digits.append(c - 0x30) }
                if sawPoint { fractionDigits += 1 }
            } else if c == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { throw invalid }
        var exponent = 0
        if i < utf8.count, utf8[i] == UInt8(ascii: "e") || utf8[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < utf8.count, utf8[i] == UInt8(ascii: "+") || utf8[i] == UInt8(ascii: "-") {
                expNegative = utf8[i] == UInt8(ascii: "-")
                i += 1
            }
            var sawExpDigit = false
            while i < utf8.count, utf8[i] >= 0x30 && utf8[i] <= 0x39 {
                sawExpDigit = true
                exponent = exponent * 10 + Int(utf8[i] - 0x30)
                if exponent > 1000 { throw SQLDecimal.overflow }
                i += 1
            }
            guard sawExpDigit else { throw invalid }
            if expNegative { exponent = -exponent }
        }
        guard i == utf8.count else { throw invalid }
        // value = digits × 10^(exponent - fractionDigits)
        var scale = fractionDigits - exponent
        // Leading zeros were not collected, so `digits` holds only significant digits (and trailing
        // zeros). A fraction with an all-zero digit string is zero at that scale.
        if scale < 0 {
            digits.append(contentsOf: repeatElement(0, count: -scale))
            scale = 0
        }
        var roundUp = false
        if scale > SQLDecimal.maxScale {
            let drop = scale - SQLDecimal.maxScale
            if drop >= digits.count {
                roundUp = drop == digits.count && digits.first.map { $0 >= 5 } == true
                digits = []
            } else {
                roundUp = digits[digits.count - drop] >= 5
                digits.removeLast(drop)
            }
            scale = SQLDecimal.maxScale
        }
        var value: Int64 = 0
        for d in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { throw SQLDecimal.overflow }
            value = s
        }
        if roundUp {
            let (s, o) = value.addingReportingOverflow(1)
            if o { throw SQLDecimal.overflow }
            value = s
        }
        self.significand = negative ? -value : value
        self.scale = Int8(scale)
    }

    // MARK: Conversions

    /// The nearest `Double` (two roundings at most; deterministic per mathematical value, because it is
    /// computed from the normalized form, so equal decimals give equal doubles).
    public var doubleValue: Double {
        let n = normalized
        if n.scale == 0 { return Double(n.significand) }
        return Double(n.significand) / Double(SQLDecimal.pow10[Int(n.scale)])
    }

    /// The same value with trailing fraction zeros removed (smallest scale).
    public var normalized: SQLDecimal {
        var s = significand, k = scale
        while k > 0 && s % 10 == 0 { s /= 10; k -= 1 }
        return SQLDecimal(significand: s, scale: k)
    }

    /// The same value with `newScale` fraction digits, rounding half away from zero (PostgreSQL's numeric
    /// rounding) when digits are dropped. Throws 22003 when the rescaled significand does not fit.
    /// Precondition: `0 ≤ newScale ≤ maxScale`.
    public func rescaled(to newScale: Int) throws(ExecutionError) -> SQLDecimal {
        precondition(newScale >= 0 && newScale <= SQLDecimal.maxScale, "decimal scale out of range")
        let current = Int(scale)
        if newScale == current { return self }
        if newScale > current {
            let (v, o) = significand.multipliedReportingOverflow(by: SQLDecimal.pow10[newScale - current])
            if o { throw SQLDecimal.overflow }
            return SQLDecimal(significand: v, scale: Int8(newScale))
        }
        let v = SQLDecimal.divideRounded(Int128(significand), by: Int128(SQLDecimal.pow10[current - newScale]))
        guard let narrow = Int64(exactly: v) else { throw SQLDecimal.overflow }
        return SQLDecimal(significand: narrow, scale: Int8(newScale))
    }

    /// The value rounded half away from zero to an integer, or nil when it does not fit in Int64.
    public var roundedToInteger: Int64? {
        if scale == 0 { return significand }
        return Int64(exactly: SQLDecimal.divideRounded(Int128(significand), by: Int128(SQLDecimal.pow10[Int(scale)])))
    }

    /// The number of digits before the decimal point (0 for |value| < 1).
    public var integerDigits: Int {
        var ip = significand.magnitude / UInt64(SQLDecimal.pow10[Int(scale)])
        var n = 0
        while ip > 0 { ip /= 10; n += 1 }
        return n
    }

    /// `a / b` rounded half away from zero. Precondition: `b != 0`.
    @inline(__always)
    static func divideRounded(_ a: Int128, by b: Int128) -> Int128 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        if r == 0 { return q }
        // |2r| >= |b| rounds away from zero; r has the sign of a.
        if r.magnitude * 2 >= b.magnitude {
            return (a < 0) != (b < 0) ? q - 1 : q + 1
        }
        return q
    }

    /// The significand as an Int128 at `scale` (≥ self.scale; exact, no overflow for scale ≤ 18).
    @inline(__always)
    func wide(atScale target: Int) -> Int128 {
        Int128(significand) * SQLDecimal.pow10Wide(target - Int(scale))
    }

    @inline(__always)
    static func narrow(_ value: Int128, scale: Int) throws(ExecutionError) -> SQLDecimal {
        guard let v = Int64(exactly: value) else { throw overflow }
        return SQLDecimal(significand: v, scale: Int8(scale))
    }

    // MARK: Arithmetic

    /// `a + b` at scale `max(a.scale, b.scale)`; 22003 on overflow.
    public static func adding(_ a: SQLDecimal, _ b: SQLDecimal) throws(ExecutionError) -> SQLDecimal {
        let s = max(Int(a.scale), Int(b.scale))
        return try narrow(a.wide(atScale: s) + b.wide(atScale: s), scale: s)
    }

    /// `a - b` at scale `max(a.scale, b.scale)`; 22003 on overflow.
    public static func subtracting(_ a: SQLDecimal, _ b: SQLDecimal) throws(ExecutionError) -> SQLDecimal {
        let s = max(Int(a.scale), Int(b.scale))
        return try narrow(a.wide(atScale: s) - b.wide(atScale: s), scale: s)
    }

    /// `a × b` at scale `a.scale + b.scale` (capped at 18, reduced as far as needed to fit); 22003 when
    /// even the integer part does not fit.
    public static func multiplying(_ a: SQLDecimal, _ b: SQLDecimal) throws(ExecutionError) -> SQLDecimal {
        var product = Int128(a.significand) * Int128(b.significand)  // |product| < 2^126: exact
        var s = Int(a.scale) + Int(b.scale)
        if s > maxScale {
            product = divideRounded(product, by: pow10Wide(s - maxScale))
            s = maxScale
        }
        while Int64(exactly: product) == nil && s > 0 {
            product = divideRounded(product, by: 10)
            s -= 1
        }
        return try narrow(product, scale: s)
    }

    /// `a / b` (see the type's comment for the result scale); 22012 when `b` is zero, 22003 when the
    /// quotient does not fit.
    public static func dividing(_ a: SQLDecimal, _ b: SQLDecimal) throws(ExecutionError) -> SQLDecimal {
        if b.significand == 0 { throw ExecutionError.divisionByZero }
        var r = min(divisionScale(a, b), maxScale)
        let lowest = 0
        while true {
            if let q = quotient(a, b, scale: r) { return q }
            if r <= lowest { throw overflow }
            r -= 1
        }
    }

    /// `round(a / b)` at `scale` fraction digits, or nil when it does not fit in Int64.
    static func quotient(_ a: SQLDecimal, _ b: SQLDecimal, scale r: Int) -> SQLDecimal? {
        // a/b = (sa × 10^-s1) / (sb × 10^-s2); Q = sa × 10^(r - s1 + s2) / sb.
        let e = r - Int(a.scale) + Int(b.scale)
        let numerator = Int128(a.significand)
        var denominator = Int128(b.significand)
        if e <= 0 {
            denominator *= pow10Wide(-e)  // -e ≤ 18: |denominator| < 2^63 × 10^18 < 2^127
            guard let v = Int64(exactly: divideRounded(numerator, by: denominator)) else { return nil }
            return SQLDecimal(significand: v, scale: Int8(r))
        }
        // Long division, one decimal digit at a time, so nothing overflows even for e up to 36.
        var (q, rem) = numerator.quotientAndRemainder(dividingBy: denominator)
        let limit = Int128(Int64.max)
        for _ in 0..<e {
            q = q * 10
            rem = rem * 10  // |rem| < |denominator| < 2^63
            let (digit, next) = rem.quotientAndRemainder(dividingBy: denominator)
            q += digit
            rem = next
            if q.magnitude > limit.magnitude * 10 { return nil }
        }
        if rem.magnitude * 2 >= denominator.magnitude {
            q += (numerator < 0) != (denominator < 0) ? -1 : 1
        }
        guard let v = Int64(exactly: q) else { return nil }
        return SQLDecimal(significand: v, scale: Int8(r))
    }

    /// PostgreSQL's `select_div_scale`, computed on base-10000 digit groups like its NumericVar.
    static func divisionScale(_ a: SQLDecimal, _ b: SQLDecimal) -> Int {
        func leading(_ d: SQLDecimal) -> (weight: Int, first: Int) {
            if d.significand == 0 { return (0, 0) }
            let pad = (4 - Int(d.scale) % 4) % 4
            var x = UInt128(d.significand.magnitude) * UInt128(pow10[pad])
            let fractionGroups = (Int(d.scale) + pad) / 4
            var groups = 0
            var first: UInt128 = 0
            while x > 0 {
                first = x % 10000
                x /= 10000
                groups += 1
            }
            // `first` is the most significant group, but it may be zero only if x was zero.
            return (groups - 1 - fractionGroups, Int(first))
        }
        let (w1, f1) = leading(a)
        let (w2, f2) = leading(b)
        var qweight = w1 - w2
        if f1 <= f2 { qweight -= 1 }
        var r = 16 - qweight * 4
        r = max(r, Int(a.scale), Int(b.scale), 0)
        return r
    }

    /// `a mod b` at scale `max(a.scale, b.scale)`, sign of `a`; 22012 when `b` is zero.
    public static func remainder(_ a: SQLDecimal, _ b: SQLDecimal) throws(ExecutionError) -> SQLDecimal {
        if b.significand == 0 { throw ExecutionError.divisionByZero }
        let s = max(Int(a.scale), Int(b.scale))
        let r = a.wide(atScale: s) % b.wide(atScale: s)  // Swift's % truncates: sign of the dividend
        return try narrow(r, scale: s)
    }

    /// `-a`; 22003 for the one significand with no negation.
    public static func negating(_ a: SQLDecimal) throws(ExecutionError) -> SQLDecimal {
        let (v, o) = Int64(0).subtractingReportingOverflow(a.significand)
        if o { throw overflow }
        return SQLDecimal(significand: v, scale: a.scale)
    }

    // MARK: Equality, order, hashing

    /// -1, 0 or 1 as `a` is below, equal to or above `b`, compared exactly across scales.
    public static func compare(_ a: SQLDecimal, _ b: SQLDecimal) -> Int {
        let s = max(Int(a.scale), Int(b.scale))
        let x = a.wide(atScale: s), y = b.wide(atScale: s)
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    public static func == (a: SQLDecimal, b: SQLDecimal) -> Bool { compare(a, b) == 0 }
    public static func < (a: SQLDecimal, b: SQLDecimal) -> Bool { compare(a, b) < 0 }

    /// Hashes the normalized form, so equal values of different scales hash alike.
    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.significand)
        hasher.combine(n.scale)
    }

    // MARK: Text

    /// PostgreSQL's output: all `scale` fraction digits, e.g. "12.50", "-0.05", "3".
    public var description: String {
        let magnitude = significand.magnitude
        let digits = String(magnitude)
        let k = Int(scale)
        var result = significand < 0 ? "-" : ""
        if k == 0 {
            result += digits
        } else if digits.count <= k {
            result += "0." + String(repeating: "0", count: k - digits.count) + digits
        } else {
            let cut = digits.index(digits.endIndex, offsetBy: -k)
            result += digits[..<cut] + "." + digits[cut...]
        }
        return result
    }
}
