/// The static type of a column, parameter or expression, in PostgreSQL's terms.
///
/// Lengths and precisions are type modifiers: `varchar(n)` and `char(n)` bound the character count,
/// `numeric(p, s)` the digits. `nil` means unconstrained. `.unknown` is the type of an untyped NULL
/// literal or parameter until context decides it (PostgreSQL's "unknown").
public enum SQLType: Sendable, Hashable, Codable {
    case unknown
    case boolean
    case smallint
    case integer
    case bigint
    case real
    case double
    /// Fixed-point decimal; `precision` ≤ 18 (stored as a scaled 64-bit integer).
    case numeric(precision: Int?, scale: Int?)
    case text
    case varchar(Int?)
    case char(Int?)
    case bytea
    case date
    case timestamp
}
