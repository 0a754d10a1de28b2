/// SQL comparison and the total sort order.
///
/// Numbers compare by mathematical value across `.integer`, `.double` and `.numeric`:
/// - integer vs integer, integer vs numeric, numeric vs numeric: exactly (128-bit arithmetic);
/// - integer vs double: exactly, never through a lossy conversion (2^53 + 1 > 2^53 as a double);
/// - numeric vs double: the numeric is converted to double first, as PostgreSQL's implicit
///   numeric → float8 cast does (so numeric 0.1 = float8 0.1). This one rule is not transitive at the
///   edges of double precision; hashing stays consistent with it (see SQLValue+Equality).
/// Doubles order as PostgreSQL's float8: -inf < … < -0 = +0 < … < +inf < NaN, and NaN = NaN.
/// Text orders by UTF-8 bytes (= code point order, the "C" collation), blobs by bytes (a proper prefix
/// first), booleans false < true, dates and timestamps by instant (a date is its midnight).
/// Values of classes that do not compare in SQL order by a fixed class rank, so sorting a mixed column
/// never traps: boolean < numbers < text < blob < date/timestamp.
extension SQLValue {
    /// SQL comparison: nil when either side is NULL (three-valued logic), else -1, 0 or 1.
    public static func compare(_ a: SQLValue, _ b: SQLValue) -> Int? {
        switch (a, b) {
        case (.null, _), (_, .null):
            return nil
        case let (.integer(x), .integer(y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        case let (.double(x), .double(y)):
            return compareDoubles(x, y)
        case let (.integer(x), .double(y)):
            return compareIntegerToDouble(x, y)
        case let (.double(x), .integer(y)):
            return -compareIntegerToDouble(y, x)
        case let (.numeric(x), .numeric(y)):
            return SQLDecimal.compare(x, y)
        case let (.integer(x), .numeric(y)):
            return SQLDecimal.compare(SQLDecimal(x), y)
        case let (.numeric(x), .integer(y)):
            return SQLDecimal.compare(x, SQLDecimal(y))
        case let (.numeric(x), .double(y)):
            return compareDoubles(x.doubleValue, y)
        case let (.double(x), .numeric(y)):
            return compareDoubles(x, y.doubleValue)
        case let (.text(x), .text(y)):
            return compareUTF8(x, y)
        case let (.blob(x), .blob(y)):
            return compareBytes(x, y)
        case let (.boolean(x), .boolean(y)):
            return x == y ? 0 : (x ? 1 : -1)
        case let (.date(x), .date(y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        case let (.timestamp(x), .timestamp(y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        case let (.date(x), .timestamp(y)):
            let t = Int128(x) * Int128(microsecondsPerDay), u = Int128(y)
            return t < u ? -1 : (t == u ? 0 : 1)
        case let (.timestamp(x), .date(y)):
            let t = Int128(x), u = Int128(y) * Int128(microsecondsPerDay)
            return t < u ? -1 : (t == u ? 0 : 1)
        default:
            let ra = a.classRank, rb = b.classRank
            return ra < rb ? -1 : (ra == rb ? 0 : 1)
        }
    }

    /// A total order for ORDER BY and sort-based operators: `compare`, with NULLs equal to each other and
    /// placed before (`nullsFirst`) or after every other value. Returns -1, 0 or 1.
    public static func sortCompare(_ a: SQLValue, _ b: SQLValue, nullsFirst: Bool) -> Int {
        switch (a.isNull, b.isNull) {
        case (true, true): return 0
        case (true, false): return nullsFirst ? -1 : 1
        case (false, true): return nullsFirst ? 1 : -1
        case (false, false): return compare(a, b)!
        }
    }

    /// The rank of the value's comparison class (see the extension's comment). NULL has none.
    var classRank: Int {
        switch self {
        case .null: return -1
        case .boolean: return 0
        case .integer, .double, .numeric: return 1
        case .text: return 2
        case .blob: return 3
        case .date, .timestamp: return 4
        }
    }

    /// PostgreSQL float order: NaN equals NaN and is above everything; -0 equals +0.
    @inline(__always)
    static func compareDoubles(_ x: Double, _ y: Double) -> Int {
        if x < y { return -1 }
        if x > y { return 1 }
        if x == y { return 0 }
        // At least one NaN.
        let xn = x.isNaN, yn = y.isNaN
        if xn && yn { return 0 }
        return xn ? 1 : -1
    }

    /// Exact comparison of an Int64 with a Double.
    @inline(__always)
    static func compareIntegerToDouble(_ i: Int64, _ d: Double) -> Int {
        if d.isNaN { return -1 }
        // 2^63 is exactly representable; every double ≥ it is above every Int64.
        if d >= 9_223_372_036_854_775_808.0 { return -1 }
        if d < -9_223_372_036_854_775_808.0 { return 1 }
        let t = d.rounded(.towardZero)  // in [-2^63, 2^63): converts exactly
        let ti = Int64(t)
        if i < ti { return -1 }
        if i > ti { return 1 }
        // Same integer part: the fraction decides.
        if d > t { return -1 }
        if d < t { return 1 }
        return 0
    }

    /// Order of UTF-8 bytes, then length.
    @inline(__always)
    static func compareUTF8(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in compareBuffers(x, y) }
        }
    }

    @inline(__always)
    static func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in compareBuffers(x, y) } }
    }

    @inline(__always)
    static func compareBuffers(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(x.count, y.count)
        if n > 0 {
            let c = memcmpBytes(x.baseAddress!, y.baseAddress!, n)
            if c != 0 { return c }
        }
        return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
    }
}
