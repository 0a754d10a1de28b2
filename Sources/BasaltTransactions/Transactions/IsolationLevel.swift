/// The isolation levels, as PostgreSQL defines them (the anomaly each prevents is in docs/isolation.md).
public enum IsolationLevel: String, Sendable, CaseIterable, Codable {
    /// Each read sees what was committed when the read started; writers to one key wait for each other.
    case readCommitted = "READ COMMITTED"
    /// Every read sees one snapshot, taken at the transaction's first operation; a write to a key that
    /// changed since then fails with a serialization failure (first committer wins).
    case repeatableRead = "REPEATABLE READ"
    /// Repeatable read plus validation at commit: a transaction whose reads (keys and scanned ranges)
    /// were changed by a transaction that committed after its snapshot fails, so every execution is
    /// equivalent to running the transactions one at a time in commit order. The default.
    case serializable = "SERIALIZABLE"
}
