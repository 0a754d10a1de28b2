import BasaltExecution

/// One result row: its values in column order, and the column names of its result.
///
/// A row shares its batch's storage (reading a row allocates nothing); `values` copies it out.
public struct Row: Sendable, CustomStringConvertible {
    /// The batch this row is a window of: one reference per row, for its values and names alike.
    private let block: RowBlock
    /// Where the row starts in `block.values`, or its row number when the block is encoded.
    private let offset: Int
    /// Values in the row.
    public let count: Int
    /// The result's column names (shared by every row of it).
    public var columns: [String] { block.columns }

    public init(values: [SQLValue], columns: [String]) {
        self.block = RowBlock(values: values, columns: columns)
        self.offset = 0
        self.count = values.count
    }

    init(block: RowBlock, offset: Int, count: Int) {
        self.block = block
        self.offset = offset
        self.count = count
    }

    /// The row's values in column order (a copy).
    public var values: [SQLValue] {
        if block.encoded != nil { return (0..<count).map { self[$0] } }
        return Array(block.values[offset ..< offset + count])
    }

    /// The value of column `index` (0-based).
    public subscript(index: Int) -> SQLValue {
        precondition(index >= 0 && index < count, "column index out of range")
        // Optional chaining reads the batch in place; `if let` copied it (a retain and release per read).
        if let value = block.encoded?.value(row: offset, column: index) { return value }
        return block.values[offset + index]
    }

    /// Calls `body` with the bytes of column `index` read in place — the UTF-8 of a TEXT value, the
    /// bytes of a BYTEA — without building a `String` or an array (as SQLite's `sqlite3_column_text`
    /// and `sqlite3_column_blob` do), and returns its result; returns nil without calling it for NULL.
    /// The bytes are valid only inside `body`. Throws `BasaltError` 42804 (`.datatypeMismatch`) for a
    /// value of any other type, and rethrows what `body` throws.
    @inlinable
    public func withUnsafeBytes<R>(ofColumn index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        var result: R?
        guard try _withBytes(ofColumn: index, { result = try body($0) }) else { return nil }
        return result
    }

    /// `withUnsafeBytes(ofColumn:_:)` without generics (false: NULL): the generic wrapper is inlined
    /// into the caller, where it is specialised.
    @usableFromInline
    func _withBytes(ofColumn index: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        precondition(index >= 0 && index < count, "column index out of range")
        if let isNull = block.encoded?.isNull(row: offset, column: index) {   // in place, as above
            if isNull { return false }
            if try block.encoded?.withBytes(row: offset, column: index, body) == true { return true }
            throw Self.notBytes(block.encoded?.value(row: offset, column: index) ?? .null, column: index)
        }
        switch block.values[offset + index] {
        case .null: return false
        case .text(var text): try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        case .blob(let bytes): try bytes.withUnsafeBytes(body)
        case let other: throw Self.notBytes(other, column: index)
        }
        return true
    }

    private static func notBytes(_ value: SQLValue, column: Int) -> BasaltError {
        BasaltError(code: .datatypeMismatch, message: "column \(column) holds a \(value.storageTypeName) value, not text or bytea",
                    context: ["column": String(column)],
                    suggestion: "read it with the row's subscript, or cast it to text in the query")
    }

    /// The value of the first column named `name`, or nil when no column has that name.
    public subscript(name: String) -> SQLValue? {
        columns.firstIndex(of: name).map { self[$0] }
    }

    public var description: String { "(" + values.map(\.description).joined(separator: ", ") + ")" }
}
