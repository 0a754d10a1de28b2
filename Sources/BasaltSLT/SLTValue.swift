/// A value as an engine returns it; the runner formats it by the query's type letter.
///
/// The runner never looks at the engine's declared column types: like SQLite's harness, it
/// converts each value to the representation the query's type string asks for
/// (see ``SLTValueFormatter``).
public enum SLTValue: Sendable, Equatable {
    /// SQL NULL; printed as `NULL` whatever the column's type letter.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// A double-precision floating point value.
    case real(Double)
    /// A text value (UTF-8).
    case text(String)
    /// A binary value.
    case blob([UInt8])
}
