/// Conversions between SQL types with PostgreSQL's semantics.
///
/// `explicit` distinguishes `CAST(x AS t)` / `x::t` (true) from assignment to a column (false, via
/// `checkAssignable`). The differences, as in PostgreSQL:
/// - text longer than varchar(n)/char(n): explicit casts truncate; assignment raises 22001 unless the
///   characters beyond n are all spaces (then they are dropped).
/// - integer ↔ boolean exists only as an explicit cast (assignment raises 42804).
/// Values of storage class `.text` convert to every type in both modes, because untyped string
/// literals reach this layer as text (PostgreSQL's "unknown" input); the binder rejects text-typed
/// expressions where PostgreSQL would.
///
/// Error codes: 22P02 malformed number/boolean/bytea text; 22007 malformed date/time text; 22008
/// date/time field or result out of range; 22003 number out of range ("integer out of range",
/// "numeric field overflow", "value out of range: overflow"); 22001 string too long; 42846 no cast
/// between the types; 42804 cast exists only explicitly.
extension SQLValue {
    /// This value converted to `type`. NULL stays NULL for every type; `.unknown` returns the value as is.
    public func cast(to type: SQLType, explicit: Bool) throws(ExecutionError) -> SQLValue {
        if case .null = self { return .null }
        switch type {
        case .unknown: return self
        case .boolean: return try castToBoolean(explicit: explicit)
        case .smallint: return try castToInteger(bits: 16, typeName: "smallint", explicit: explicit)
        case .integer: return try castToInteger(bits: 32, typeName: "integer", explicit: explicit)
        case .bigint: return try castToInteger(bits: 64, typeName: "bigint", explicit: explicit)
        case .real: return try castToFloat(real: true)
        case .double: return try castToFloat(real: false)
        case let .numeric(p, s): return try castToNumeric(precision: p, scale: s)
        case .text: return .text(castTextValue)
        case let .varchar(n): return .text(try SQLValue.fitText(castTextValue, length: n, pad: false, explicit: explicit, type: type))
        case let .char(n): return .text(try SQLValue.fitText(castTextValue, length: n, pad: true, explicit: explicit, type: type))
        case .bytea: return try castToBytea()
        case .date: return try castToDate()
        case .timestamp: return try castToTimestamp()
        }
    }

    /// The value as stored into a column of `type`: `cast(to: type, explicit: false)`.
    public func checkAssignable(to type: SQLType) throws(ExecutionError) -> SQLValue {
        try cast(to: type, explicit: false)
    }

    // MARK: Targets

    private func noCast(_ type: SQLType) -> ExecutionError {
        .cannotCast(storageTypeName, type.name)
    }

    private func castToBoolean(explicit: Bool) throws(ExecutionError) -> SQLValue {
        switch self {
        case .boolean: return self
        case let .integer(v):
            guard explicit else {
                throw .datatypeMismatch("expression of type \(storageTypeName) cannot be assigned to type boolean",
                                        hint: "You will need to rewrite or cast the expression.")
            }
            return .boolean(v != 0)
        case let .text(s):
            guard let b = SQLValue.parseBoolean(s) else { throw .invalidText("boolean", s) }
            return .boolean(b)
        default: throw noCast(.boolean)
        }
    }

    /// PostgreSQL's boolin: trimmed, case-insensitive t/true/y/yes/on/1 and f/false/n/no/off/0 (any unique
    /// prefix of true/false/yes/no, "on"/"of"… as PostgreSQL accepts them).
    static func parseBoolean(_ text: String) -> Bool? {
        let s = FloatText.trimASCIIWhitespace(text).lowercased()
        if s.isEmpty { return nil }
        if "true".hasPrefix(s) || "yes".hasPrefix(s) || s == "on" || s == "1" { return true }
        if "false".hasPrefix(s) || "no".hasPrefix(s) || s == "off" || s == "of" || s == "0" { return false }
        return nil
    }

    private func castToInteger(bits: Int, typeName: String, explicit: Bool) throws(ExecutionError) -> SQLValue {
        let minValue: Int64 = bits == 64 ? .min : -(1 << (bits - 1))
        let maxValue: Int64 = bits == 64 ? .max : (1 << (bits - 1)) - 1
        @inline(__always) func checked(_ v: Int64) throws(ExecutionError) -> SQLValue {
            guard v >= minValue && v <= maxValue else { throw .numericOutOfRange(typeName) }
            return .integer(v)
        }
        switch self {
        case let .integer(v): return try checked(v)
        case let .double(d):
            // PostgreSQL rounds with rint (half to even) and rejects values outside the range.
            let r = d.rounded(.toNearestOrEven)
            guard r.isFinite, r >= -9_223_372_036_854_775_808.0, r < 9_223_372_036_854_775_808.0 else {
                throw .numericOutOfRange(typeName)
            }
            return try checked(Int64(r))
        case let .numeric(n):
            guard let v = n.roundedToInteger else { throw .numericOutOfRange(typeName) }
            return try checked(v)
        case let .boolean(b):
            guard explicit else {
                throw .datatypeMismatch("expression of type boolean cannot be assigned to type \(typeName)",
                                        hint: "You will need to rewrite or cast the expression.")
            }
            return .integer(b ? 1 : 0)
        case let .text(s):
            switch SQLValue.parseInteger(s) {
            case let .some(.some(v)): return try checked(v)
            case .some(.none): throw .numericOutOfRange(typeName)
            case .none: throw .invalidText(typeName, s)
            }
        default: throw noCast(SQLType.bigint)
        }
    }

    /// Parses trimmed `[+-]digits`: nil when malformed, `.some(nil)` when it does not fit in Int64.
    static func parseInteger(_ text: String) -> Int64?? {
        let s = FloatText.trimASCIIWhitespace(text).utf8
        var i = s.startIndex
        guard i < s.endIndex else { return nil }
        var negative = false
        if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            negative = s[i] == UInt8(ascii: "-")
            i = s.index(after: i)
        }
        guard i < s.endIndex else { return nil }
        var value: Int64 = 0
        var overflow = false
        while i < s.endIndex {
            let c = s[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            // Accumulate negatively so Int64.min parses.
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (r, o2) = m.subtractingReportingOverflow(Int64(c - 0x30))
            if o1 || o2 { overflow = true } else { value = r }
            i = s.index(after: i)
        }
        if overflow { return .some(nil) }
        if negative { return .some(value) }
        if value == .min { return .some(nil) }
        return .some(-value)
    }

    private func castToFloat(real: Bool) throws(ExecutionError) -> SQLValue {
        let d: Double
        switch self {
        case let .integer(v): d = Double(v)
        case let .double(v): d = v
        case let .numeric(n): d = n.doubleValue
        case let .text(s):
            switch FloatText.parse(s) {
            case let .value(v): d = v
            case .syntax: throw .invalidText(real ? "real" : "double precision", s)
            case .outOfRange:
                throw ExecutionError("22003", "\"\(s)\" is out of range for type \(real ? "real" : "double precision")")
            }
        default: throw noCast(real ? .real : .double)
        }
        guard real else { return .double(d) }
        let f = Float(d)
        if f.isInfinite && d.isFinite { throw ExecutionError("22003", "value out of range: overflow") }
        if f == 0 && d != 0 { throw ExecutionError("22003", "value out of range: underflow") }
        return .double(Double(f))
    }

    private func castToNumeric(precision: Int?, scale: Int?) throws(ExecutionError) -> SQLValue {
        var n: SQLDecimal
        switch self {
        case let .integer(v): n = SQLDecimal(v)
        case let .numeric(v): n = v
        case let .double(d): n = try SQLValue.decimal(fromDouble: d)
        case let .text(s): n = try SQLDecimal(parsing: s)
        default: throw noCast(.numeric(precision: precision, scale: scale))
        }
        return .numeric(try SQLValue.applyTypmod(n, precision: precision, scale: scale))
    }

    /// Rounds `n` to the declared scale and checks the declared precision (22003 "numeric field
    /// overflow"). `numeric(p)` means scale 0; unconstrained numeric keeps the value.
    static func applyTypmod(_ n: SQLDecimal, precision: Int?, scale: Int?) throws(ExecutionError) -> SQLDecimal {
        guard precision != nil || scale != nil else { return n }
        let s = min(scale ?? 0, SQLDecimal.maxScale)
        let rounded = try n.rescaled(to: s)
        if let p = precision {
            let integerDigitsAllowed = p - s
            if rounded.integerDigits > integerDigitsAllowed {
                let bound = integerDigitsAllowed == 0 ? "1" : "10^\(integerDigitsAllowed)"
                throw ExecutionError("22003", "numeric field overflow",
                                     detail: "A field with precision \(p), scale \(s) must round to an absolute value less than \(bound).")
            }
        }
        return rounded
    }

    /// PostgreSQL's float8 → numeric: the double printed with 15 significant digits (DBL_DIG), parsed.
    /// NaN and infinities have no fixed-point form (22003).
    static func decimal(fromDouble d: Double) throws(ExecutionError) -> SQLDecimal {
        guard d.isFinite else {
            throw ExecutionError("22003", "cannot convert \(FloatText.format(d)) to numeric")
        }
        if d == 0 { return SQLDecimal(0) }
        // Shortest digits from Swift, then rounded to 15 significant digits.
        var text = Substring(d.description)
        var negative = false
        if text.first == "-" { negative = true; text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(of: "e") {
            exponent = Int(text[text.index(after: e)...])!
            text = text[..<e]
        }
        var digits: [UInt8] = []
        var point: Int? = nil
        for c in text.utf8 {
            if c == UInt8(ascii: ".") { point = digits.count } else { digits.append(c - 0x30) }
        }
        var pointPosition = (point ?? digits.count) + exponent
        while digits.count > 1, digits.first == 0 { digits.removeFirst(); pointPosition -= 1 }
        if digits.count > 15 {
            let roundUp = digits[15] >= 5
            digits.removeLast(digits.count - 15)
            if roundUp {
                var i = 14
                while i >= 0 {
                    if digits[i] == 9 { digits[i] = 0; i -= 1 } else { digits[i] += 1; break }
                }
                if i < 0 { digits.insert(1, at: 0); digits.removeLast(); pointPosition += 1 }
            }
        }
        var literal = negative ? "-0." : "0."
        for digit in digits { literal.append(Character(Unicode.Scalar(digit + 0x30))) }
        literal += "e\(pointPosition)"
        return try SQLDecimal(parsing: literal)
    }

    /// Applies a varchar(n)/char(n) length: truncation (explicit, or only trailing spaces beyond n) or
    /// 22001; char(n) pads with spaces to n. Lengths count Unicode scalars (PostgreSQL's characters).
    static func fitText(_ s: String, length: Int?, pad: Bool, explicit: Bool, type: SQLType) throws(ExecutionError) -> String {
        guard let n = length else { return s }
        let scalars = s.unicodeScalars
        // Fast path: UTF-8 byte count ≤ n implies scalar count ≤ n.
        var count = s.utf8.count
        if count > n {
            count = 0
            var cut = scalars.startIndex
            var i = scalars.startIndex
            while i < scalars.endIndex {
                if count == n { cut = i }
                count += 1
                i = scalars.index(after: i)
            }
            if count > n {
                if !explicit {
                    for scalar in scalars[cut...] where scalar != " " {
                        throw .stringTooLong(type.name)
                    }
                }
                let truncated = String(scalars[..<cut])
                return truncated  // exactly n characters: no padding needed
            }
        }
        if pad && count < n {
            return s + String(repeating: " ", count: n - count)
        }
        return s
    }

    private func castToBytea() throws(ExecutionError) -> SQLValue {
        switch self {
        case .blob: return self
        case let .text(s): return .blob(try SQLValue.parseBytea(s))
        default: throw noCast(.bytea)
        }
    }

    /// PostgreSQL bytea input: "\x" followed by hex digit pairs (whitespace between pairs allowed), or
    /// the escape format where "\\" is a backslash and "\ooo" an octal byte; other text is its UTF-8
    /// bytes.
    static func parseBytea(_ s: String) throws(ExecutionError) -> [UInt8] {
        let u = Array(s.utf8)
        let invalid = ExecutionError.invalidText("bytea", s)
        if u.count >= 2, u[0] == UInt8(ascii: "\\"), u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "X") {
            func nibble(_ c: UInt8) -> UInt8? {
                switch c {
                case 0x30...0x39: return c - 0x30
                case 0x61...0x66: return c - 0x61 + 10
                case 0x41...0x46: return c - 0x41 + 10
                default: return nil
                }
            }
            var out: [UInt8] = []
            out.reserveCapacity((u.count - 2) / 2)
            var i = 2
            while i < u.count {
                if u[i] == 0x20 || u[i] == 0x09 || u[i] == 0x0A || u[i] == 0x0D { i += 1; continue }
                guard let hi = nibble(u[i]) else {
                    throw ExecutionError("22P02", "invalid hexadecimal digit: \"\(Character(Unicode.Scalar(u[i])))\"")
                }
                guard i + 1 < u.count else { throw ExecutionError("22P02", "invalid hexadecimal data: odd number of digits") }
                guard let lo = nibble(u[i + 1]) else {
                    throw ExecutionError("22P02", "invalid hexadecimal digit: \"\(Character(Unicode.Scalar(u[i + 1])))\"")
                }
                out.append(hi << 4 | lo)
                i += 2
            }
            return out
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        while i < u.count {
            if u[i] != UInt8(ascii: "\\") { out.append(u[i]); i += 1; continue }
            if i + 1 < u.count, u[i + 1] == UInt8(ascii: "\\") { out.append(u[i]); i += 2; continue }
            guard i + 3 < u.count + 0, i + 3 <= u.count - 1 + 1,
                  (0x30...0x33).contains(u[i + 1]), (0x30...0x37).contains(u[i + 2]), (0x30...0x37).contains(u[i + 3])
            else { throw invalid }
            out.append((u[i + 1] - 0x30) << 6 | (u[i + 2] - 0x30) << 3 | (u[i + 3] - 0x30))
            i += 4
        }
        return out
    }

    private func castToDate() throws(ExecutionError) -> SQLValue {
        switch self {
        case .date: return self
        case let .timestamp(t): return .date(Int32(CivilCalendar.split(t).days))  // |t| / day fits Int32
        case let .text(s):
            do {
                let days = try CivilCalendar.parseDateText(s)
                guard let d = Int32(exactly: days) else { throw ExecutionError("22008", "date out of range: \"\(s)\"") }
                return .date(d)
            } catch let e as ExecutionError {
                throw e
            } catch CivilCalendar.ParseFailure.range {
                throw ExecutionError("22008", "date/time field value out of range: \"\(s)\"")
            } catch {
                throw ExecutionError("22007", "invalid input syntax for type date: \"\(s)\"")
            }
        default: throw noCast(.date)
        }
    }

    private func castToTimestamp() throws(ExecutionError) -> SQLValue {
        switch self {
        case .timestamp: return self
        case let .date(d):
            let (t, o) = Int64(d).multipliedReportingOverflow(by: CivilCalendar.microsecondsPerDay)
            if o { throw ExecutionError("22008", "timestamp out of range") }
            return .timestamp(t)
        case let .text(s):
            do throws(CivilCalendar.ParseFailure) {
                return .timestamp(try CivilCalendar.parseTimestampText(s))
            } catch .range {
                throw ExecutionError("22008", "date/time field value out of range: \"\(s)\"")
            } catch {
                throw ExecutionError("22007", "invalid input syntax for type timestamp: \"\(s)\"")
            }
        default: throw noCast(.timestamp)
        }
    }
}
