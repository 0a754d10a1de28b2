/// The aggregate functions the executor computes with `AggregateAccumulator`.
public enum AggregateKind: Sendable, Hashable {
    /// count(*): counts rows, NULL or not.
    case countStar
    /// count(x): counts non-NULL values.
    case count
    case sum
    case avg
    case min
    case max
    /// string_agg(x, separator).
    case stringAgg
    case boolAnd
    case boolOr
    /// every(x): the SQL-standard spelling of bool_and.
    case every

    /// The SQL name, for error messages.
    public var name: String {
        switch self {
        case .countStar, .count: return "count"
        case .sum: return "sum"
        case .avg: return "avg"
        case .min: return "min"
        case .max: return "max"
        case .stringAgg: return "string_agg"
        case .boolAnd: return "bool_and"
        case .boolOr: return "bool_or"
        case .every: return "every"
        }
    }
}
