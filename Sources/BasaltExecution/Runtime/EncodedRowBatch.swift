/// Result rows kept in their stored encoding (`RowCodec`) and decoded a column at a time when read: a
/// short range scan hands its rows to the caller as one byte buffer instead of a `SQLValue` (and a heap
/// `String` per text value) for every column of every row, built, copied and freed whether it is read
/// or not.
///
/// Each row is walked once, when appended: its wanted columns are checked as a decode would check them
/// and their payload offsets recorded, so reading a column later is a jump to its offset and cannot fail.
///
/// Invariants: the slot of row r, result column c is -1 (the column reads as NULL) or the offset in the
/// storage's bytes of a payload of column c's storage class that `RowCodec.locateColumns` validated
/// (the buffers' own invariants are `EncodedRowStorage`'s). The batch is a value: appending writes only a
/// uniquely referenced storage (copying it first otherwise), so it never changes what an earlier copy
/// reads.
package struct EncodedRowBatch: Sendable {
    /// The rows and their layout (see `EncodedRowStorage`); shared between copies until one appends.
    private var storage: EncodedRowStorage

    /// An empty batch of rows of a table whose columns are stored as `types`; result column k is stored
    /// column `wanted[k]` (`RowCodec.unread`: a column that reads as NULL).
    package init(types: [SQLType], wanted: [Int]) {
        storage = EncodedRowStorage(types: types, wanted: wanted)
    }

    /// Rows the first append makes room for, at the first row's size.
    static let reservedRows = 32

    /// Rows in the batch.
    package var count: Int { storage.rowCount }
    /// Result columns per row.
    package var width: Int { storage.width }

    /// Appends a copy of one stored row after checking that its result columns decode. Throws XX001 for
    /// a corrupt row and then leaves the batch unchanged.
    package mutating func append(_ row: UnsafeRawBufferPointer) throws(ExecutionError) {
        if !isKnownUniquelyReferenced(&storage) {
            // A scan get copies its empty template and returns up to a few hundred rows: room for a few
            // dozen at the first row's size saves growing from nothing about ten times.
            let rows = storage.rowCount == 0 ? Self.reservedRows : 1
            storage = storage.copy(extraBytes: storage.width > 0 ? row.count * rows : 0, extraSlots: storage.width * rows)
        }
        try storage.append(row)
    }

    /// Result column `column` of row `row`.
    package func value(row: Int, column: Int) -> SQLValue {
        storage.value(row: row, column: column)
    }

    /// Whether result column `column` of row `row` reads as NULL.
    package func isNull(row: Int, column: Int) -> Bool {
        storage.slot(row: row, column: column) < 0
    }

    /// Calls `body` with the payload bytes of result column `column` of row `row` — the UTF-8 of a text
    /// value, the bytes of a blob — in place, and returns true; returns false without calling it when
    /// the column is NULL or of another storage class. Not generic, so a caller in another module pays
    /// no generic metadata lookups per call.
    package func withBytes(row: Int, column: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Bool {
        try storage.withBytes(row: row, column: column, body)
    }
}
