/// Rows an operator computes whole in `open` (sort, aggregation, set operations, DML results), handed
/// out a batch of at most `RowBatch.preferredSize` rows per `next`.
struct MaterializedRows {
    private var rows: RowBatch?
    private var emitted = 0

    /// Replaces the rows and starts handing them out from the first.
    mutating func set(_ rows: RowBatch) {
        self.rows = rows
        emitted = 0
    }

    /// Drops the rows (close).
    mutating func clear() { rows = nil }

    /// The next batch, or nil when all were handed out.
    mutating func next() -> RowBatch? {
        guard let rows, emitted < rows.count else { return nil }
        let end = min(rows.count, emitted + RowBatch.preferredSize)
        let batch = emitted == 0 && end == rows.count ? rows : rows.selecting(Array(emitted..<end))
        emitted = end
        return batch
    }
}
