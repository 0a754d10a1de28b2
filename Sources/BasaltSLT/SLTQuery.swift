/// A `query <types> [<sort>] [<label>]` record.
public struct SLTQuery: Sendable, Equatable {
    /// The type string as written, e.g. `"IIT"`.
    public var typeString: String
    /// One column type per letter of the type string.
    public var columnTypes: [SLTColumnType]
    /// How printed values are ordered before comparison.
    public var sortMode: SLTSortMode
    /// The label (4th token), if any: every query with the same label must give the same result.
    public var label: String?
    /// The SQL: the lines up to `----` or the end of the record, joined with `\n`.
    public var sql: String
    /// The lines after `----` (one value per line, one row per line in old files, or one
    /// `N values hashing to <md5>` line), or nil when the record has no `----` line.
    public var expected: [String]?

    /// Creates a query record body.
    public init(
        typeString: String, sortMode: SLTSortMode = .nosort, label: String? = nil,
        sql: String, expected: [String]?
    ) {
        self.typeString = typeString
        self.columnTypes = SLTColumnType.parse(typeString)
        self.sortMode = sortMode
        self.label = label
        self.sql = sql
        self.expected = expected
    }
}
