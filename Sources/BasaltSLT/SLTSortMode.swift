/// How a query's printed values are ordered before comparison.
public enum SLTSortMode: String, Sendable, Equatable {
    /// Values in the order the engine returned them.
    case nosort
    /// Rows sorted as arrays of printed values, column by column, by byte comparison (`strcmp`).
    case rowsort
    /// Every printed value sorted on its own, by byte comparison (`strcmp`).
    case valuesort
}
