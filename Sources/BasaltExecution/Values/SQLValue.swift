/// One SQL value at run time.
///
/// The case is the value's storage class; the static `SQLType` (from the catalog or the binder) says how
/// it is constrained. Integers of every width are `.integer`, `real` and `double precision` are
/// `.double`. Equality and hashing are *grouping* equality: NULL equals NULL (GROUP BY, DISTINCT,
/// set operations), while SQL comparison (`=` yields NULL on NULL) is `SQLValue.compare`.
public enum SQLValue: Sendable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case double(Double)
    case numeric(SQLDecimal)
    case text(String)
    case blob([UInt8])
    /// Days since 1970-01-01 (proleptic Gregorian).
    case date(Int32)
    /// Microseconds since 1970-01-01 00:00:00 UTC, without time zone.
    case timestamp(Int64)

    @inlinable
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
