/// Result rows kept in their stored encoding (`RowCodec`) and decoded a column at a time when read: a
/// short range scan hands its rows to the caller as one byte buffer instead of a `SQLValue` (and a heap
/// `String` per text value) for every column of every row, built, copied and freed whether it is read
/// or not.
///
/// Each row is walked once, when appended: its wanted columns are checked as a decode would check them
/// and their payload offsets recorded, so reading a column later is a jump to its offset and cannot fail.
///
/// Invariants: `slots.count == count * width`; `slots[r * width + c]` is -1 (the column reads as NULL) or
/// the offset in `bytes` of a payload of result column c's storage class that `RowCodec.locateColumns`
/// validated. The batch is a value: appending never changes what an earlier copy reads.
package struct EncodedRowBatch: Sendable {
    /// The stored type and storage class of each result column (`.unknown` for an unread column).
    private let resultTypes: [SQLType]
    private let resultClasses: [RowCodec.StorageClass]
    /// Which stored columns fill which result columns.
    private let locator: RowCodec.ColumnLocator
    private var bytes: [UInt8] = []
    private var slots: [Int32] = []
    /// Rows in the batch.
    package private(set) var count = 0

    /// An empty batch of rows of a table whose columns are stored as `types`; result column k is stored
    /// column `wanted[k]` (`RowCodec.unread`: a column that reads as NULL).
    package init(types: [SQLType], wanted: [Int]) {
        locator = RowCodec.ColumnLocator(types: types, wanted: wanted)
        resultTypes = wanted.map { $0 == RowCodec.unread ? .unknown : types[$0] }
        resultClasses = resultTypes.map(RowCodec.StorageClass.init)
    }

    /// Rows the first append makes room for, at the first row's size.
    static let reservedRows = 32

    /// Result columns per row.
    package var width: Int { locator.width }

    /// Appends a copy of one stored row after checking that its result columns decode. Throws XX001 for
    /// a corrupt row and then leaves the batch unchanged.
    package mutating func append(_ row: UnsafeRawBufferPointer) throws(ExecutionError) {
        if width > 0 {
            if count == 0 {
                // A scan get returns up to a few hundred rows: growing from nothing would reallocate
                // both buffers about ten times per query.
                bytes.reserveCapacity(row.count * Self.reservedRows)
                slots.reserveCapacity(width * Self.reservedRows)
            }
            try RowCodec.locateColumns(row, locator, base: bytes.count, into: &slots)
            if row.count > 0 {
                bytes.append(contentsOf: UnsafeRawBufferPointer(start: row.baseAddress, count: row.count))
            }
        }
        count += 1
    }

    /// Result column `column` of row `row`.
    package func value(row: Int, column: Int) -> SQLValue {
        precondition(row >= 0 && row < count && column >= 0 && column < width, "row or column out of range")
        let offset = Int(slots[row &* width &+ column])
        if offset < 0 { return .null }
        return bytes.withUnsafeBytes { raw in
            RowCodec.validatedValue(raw, at: offset, class: resultClasses[column], type: resultTypes[column])
        }
    }

    /// Whether result column `column` of row `row` reads as NULL.
    package func isNull(row: Int, column: Int) -> Bool {
        precondition(row >= 0 && row < count && column >= 0 && column < width, "row or column out of range")
        return slots[row &* width &+ column] < 0
    }

    /// Calls `body` with the payload bytes of result column `column` of row `row` — the UTF-8 of a text
    /// value, the bytes of a blob — in place, and returns true; returns false without calling it when
    /// the column is NULL or of another storage class. Not generic, so a caller in another module pays
    /// no generic metadata lookups per call.
    package func withBytes(row: Int, column: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Bool {
        precondition(row >= 0 && row < count && column >= 0 && column < width, "row or column out of range")
        let offset = Int(slots[row &* width &+ column])
        guard offset >= 0, resultClasses[column] == .text || resultClasses[column] == .blob else { return false }
        try bytes.withUnsafeBytes { raw in try body(RowCodec.validatedBytes(raw, at: offset)) }
        return true
    }
}
