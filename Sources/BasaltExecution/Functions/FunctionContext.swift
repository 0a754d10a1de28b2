/// What a function body may know about the statement it runs in: the statement's and the transaction's
/// start times (µs since the Unix epoch), fixed for the statement so that `now()` is stable within it.
public struct FunctionContext: Sendable {
    /// When the current statement started (statement_timestamp()).
    public var statementTime: Int64
    /// When the current transaction started (now(), current_timestamp).
    public var transactionTime: Int64

    public init(statementTime: Int64, transactionTime: Int64) {
        self.statementTime = statementTime
        self.transactionTime = transactionTime
    }
}
