/// A batch of rows flowing between operators: `count` rows of `width` values, stored row-major in one
/// array so a batch costs one allocation however many rows it holds.
///
/// Invariant: `values.count == count * width`. Zero-width rows are counted by `count` alone (the rows of
/// `SELECT 1` without FROM, or a scan feeding `count(*)`).
package struct RowBatch {
    package let width: Int
    package private(set) var count: Int
    package var values: [SQLValue]

    /// Rows per batch operators aim for: large enough to amortize per-batch dispatch, small enough to
    /// stay in cache.
    package static let preferredSize = 1024

    package init(width: Int, reservingRows rows: Int = 0) {
        self.width = width
        self.count = 0
        self.values = []
        if rows > 0 && width > 0 { values.reserveCapacity(rows * width) }
    }

    package init(width: Int, count: Int, values: [SQLValue]) {
        precondition(values.count == count * width, "batch shape")
        self.width = width
        self.count = count
        self.values = values
    }

    package var isEmpty: Bool { count == 0 }

    @inline(__always)
    package subscript(row: Int, column: Int) -> SQLValue { values[row &* width &+ column] }

    /// The values of row `row`.
    package func row(_ row: Int) -> ArraySlice<SQLValue> { values[row * width ..< (row + 1) * width] }

    /// Appends one row; `row.count` must equal `width`.
    package mutating func append<C: Collection>(row: C) where C.Element == SQLValue {
        values.append(contentsOf: row)
        count += 1
    }

    /// Appends one row decoded from its stored bytes: the `wanted` physical columns (see
    /// `RowCodec.decodeColumns`), then `key` as a BLOB when given. Values are decoded straight into the
    /// batch, with no intermediate row to copy (and retain) them from. On error the batch is unchanged.
    @inline(__always)
    package mutating func appendDecoded(_ bytes: UnsafeRawBufferPointer, types: [SQLType], wanted: [Int],
                                        key: [UInt8]? = nil) throws(ExecutionError) {
        let base = values.count
        do {
            try RowCodec.decodeColumns(bytes, types: types, wanted: wanted, into: &values)
        } catch {
            values.removeSubrange(base...)
            throw error
        }
        if let key { values.append(.blob(key)) }
        count += 1
    }

    /// Appends row `row` of `other` (same width).
    package mutating func append(rowOf other: RowBatch, _ row: Int) {
        for i in row * other.width ..< (row + 1) * other.width { values.append(other.values[i]) }
        count += 1
    }

    /// Appends the row made of `first` followed by `second` (a joined pair). Element by element: a
    /// few values copied through `append(contentsOf:)` go through the runtime's generic copy, which
    /// cost a joined row more than the values themselves.
    package mutating func append(_ first: ArraySlice<SQLValue>, _ second: ArraySlice<SQLValue>) {
        for i in first.indices { values.append(first[i]) }
        for i in second.indices { values.append(second[i]) }
        count += 1
    }

    /// Appends every row of `other` (same width).
    package mutating func append(contentsOf other: RowBatch) {
        values.append(contentsOf: other.values)
        count += other.count
    }

    /// Counts one row whose `width` values the caller has just appended to `values` itself.
    @inline(__always)
    package mutating func markRowAppended() {
        assert(values.count == (count + 1) * width, "batch shape")
        count += 1
    }

    /// Appends an empty row (width 0 only).
    package mutating func appendEmptyRow() {
        precondition(width == 0)
        count += 1
    }

    /// Builds a batch from column vectors of equal length.
    package static func fromColumns(_ columns: [[SQLValue]], count: Int) -> RowBatch {
        let width = columns.count
        var values: [SQLValue] = []
        values.reserveCapacity(count * width)
        for r in 0..<count {
            for c in 0..<width { values.append(columns[c][r]) }
        }
        return RowBatch(width: width, count: count, values: values)
    }

    /// The rows at `rows`, in that order.
    package func selecting(_ rows: [Int]) -> RowBatch {
        var out = RowBatch(width: width, reservingRows: rows.count)
        if width == 0 {
            out.count = rows.count
            return out
        }
        for r in rows { out.append(rowOf: self, r) }
        return out
    }

    package mutating func removeAll(keepingCapacity: Bool = true) {
        values.removeAll(keepingCapacity: keepingCapacity)
        count = 0
    }
}
