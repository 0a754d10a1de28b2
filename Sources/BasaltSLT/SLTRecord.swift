/// One record of a test script: a statement, a query or a control record, with the
/// `skipif`/`onlyif` conditions written in front of it.
public struct SLTRecord: Sendable, Equatable {
    /// What a record is.
    public enum Kind: Sendable, Equatable {
        /// `statement ok` / `statement error`.
        case statement(SLTStatement)
        /// `query ...`.
        case query(SLTQuery)
        /// `halt`: stop running the file.
        case halt
        /// `hash-threshold N`.
        case hashThreshold(Int)
        /// A directive the runner does not know (the first token); the record is skipped.
        case unknown(String)
        /// A known directive written wrongly, e.g. `statement maybe` or `query` without a
        /// type string; the record fails with this explanation.
        case malformed(String)
    }

    /// 1-based line number of the record's directive line (after any conditions).
    public var line: Int
    /// The conditions in front of the record, in file order.
    public var conditions: [SLTCondition]
    /// The record itself.
    public var kind: Kind

    /// Creates a record.
    public init(line: Int, conditions: [SLTCondition] = [], kind: Kind) {
        self.line = line
        self.conditions = conditions
        self.kind = kind
    }

    /// Whether this is a statement or query (a test), as opposed to a control or unknown record.
    public var isTest: Bool {
        switch kind {
        case .statement, .query: return true
        default: return false
        }
    }
}
