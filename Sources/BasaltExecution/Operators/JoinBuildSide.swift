/// The materialized right input of a hash or nested loop join, with which of its rows found a match,
/// so RIGHT and FULL joins can add the unmatched ones padded with NULLs on the left.
struct JoinBuildSide {
    private(set) var rows = RowBatch(width: 0)
    private var matched: [Bool] = []

    /// Reads the whole right input (each open of the join).
    mutating func load(_ right: any Operator, _ context: ExecutionContext) throws {
        rows = try right.collect(context)
        matched = Array(repeating: false, count: rows.count)
    }

    /// Marks right row `row` as matched by some left row.
    mutating func markMatched(_ row: Int) { matched[row] = true }

    /// The right rows no left row matched, each after `leftWidth` NULLs; nil when there are none.
    func unmatched(leftWidth: Int, width: Int) -> RowBatch? {
        var out = RowBatch(width: width)
        let nulls = [SQLValue](repeating: .null, count: leftWidth)
        for r in 0..<rows.count where !matched[r] { out.append(nulls[...], rows.row(r)) }
        return out.isEmpty ? nil : out
    }

    /// Frees the rows (close).
    mutating func clear() {
        rows = RowBatch(width: 0)
        matched = []
    }
}
