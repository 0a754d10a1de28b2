/// A `statement ok` or `statement error` record.
public struct SLTStatement: Sendable, Equatable {
    /// True for `statement error`: the SQL must fail (any error matches).
    public var expectsError: Bool
    /// The text after `statement error`, if any. Kept for reports only; any error matches it.
    public var errorPattern: String?
    /// The SQL: every non-comment line of the record after the first, joined with `\n`.
    public var sql: String

    /// Creates a statement record body.
    public init(expectsError: Bool, errorPattern: String? = nil, sql: String) {
        self.expectsError = expectsError
        self.errorPattern = errorPattern
        self.sql = sql
    }
}
