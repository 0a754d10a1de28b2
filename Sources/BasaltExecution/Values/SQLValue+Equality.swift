/// Grouping equality and hashing (GROUP BY, DISTINCT, UNION, hash joins' key identity).
///
/// Contract (differs from SQL `=`, which is `SQLValue.compare` and yields NULL on NULL):
/// - NULL equals NULL.
/// - Numbers are equal when `SQLValue.compare` says so, across `.integer`, `.double` and `.numeric`
///   (1 == 1.0 == numeric 1.00; -0.0 == 0.0; NaN == NaN, as PostgreSQL's float order has it).
/// - Text is equal when the UTF-8 bytes are (PostgreSQL's "C" collation), not by Swift's canonical
///   equivalence: "é" and "e\u{301}" are different values.
/// - Blobs by bytes, booleans by value, dates and timestamps by the instant (a date equals the
///   timestamp of its midnight, as PostgreSQL compares them).
/// - Values of different classes (text vs integer) are unequal.
///
/// Hashing is consistent with this equality: every number hashes through its `Double` image with -0
/// folded into 0 and every NaN into one NaN (equal numbers have equal images; see `compare` for the
/// numeric-vs-double rule), dates hash as their midnight timestamp.
extension SQLValue: Hashable {
    public static func == (a: SQLValue, b: SQLValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case let (.text(x), .text(y)): return SQLValue.utf8Equal(x, y)
        case let (.blob(x), .blob(y)): return x == y
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        default: return SQLValue.compare(a, b) == 0
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case let .boolean(v):
            hasher.combine(1 as UInt8)
            hasher.combine(v)
        case let .integer(v):
            hasher.combine(2 as UInt8)
            hasher.combine(SQLValue.hashImage(Double(v)))
        case let .double(v):
            hasher.combine(2 as UInt8)
            hasher.combine(SQLValue.hashImage(v))
        case let .numeric(v):
            hasher.combine(2 as UInt8)
            hasher.combine(SQLValue.hashImage(v.doubleValue))
        case let .text(v):
            hasher.combine(3 as UInt8)
            var s = v
            s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(0xFF as UInt8)  // terminator: ("a","b") and ("ab","") hash differently in tuples
        case let .blob(v):
            hasher.combine(4 as UInt8)
            v.withUnsafeBytes { hasher.combine(bytes: $0) }
            hasher.combine(v.count)
        case let .date(d):
            hasher.combine(5 as UInt8)
            hasher.combine(Int64(d) &* SQLValue.microsecondsPerDay)
        case let .timestamp(t):
            hasher.combine(5 as UInt8)
            hasher.combine(t)
        }
    }

    /// The bits a number hashes as: -0 becomes +0 and every NaN one canonical NaN.
    @inline(__always)
    static func hashImage(_ d: Double) -> UInt64 {
        if d.isNaN { return 0x7FF8_0000_0000_0000 }
        if d == 0 { return 0 }
        return d.bitPattern
    }

    /// Byte equality of the UTF-8 forms (no Unicode normalization).
    @inline(__always)
    static func utf8Equal(_ a: String, _ b: String) -> Bool {
        var a = a, b = b  // withUTF8 is mutating only to make bridged strings contiguous; native: no copy
        return a.withUTF8 { x in
            b.withUTF8 { y in
                x.count == y.count && (x.count == 0 || memcmpBytes(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
    }

    /// `memcmp` without importing Glibc/Darwin: sign of the first differing byte, 0 if equal.
    @inline(__always)
    static func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var i = 0
        // Eight bytes at a time while equal; big-endian loads make the word order the byte order.
        while i + 8 <= count {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self)
            let y = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
            if x != y {
                let bx = x.bigEndian, by = y.bigEndian
                return bx < by ? -1 : 1
            }
            i += 8
        }
        while i < count {
            if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
            i += 1
        }
        return 0
    }

    /// Microseconds in a day: a date's midnight as a timestamp is `days × microsecondsPerDay`.
    public static let microsecondsPerDay: Int64 = 86_400_000_000
}
