import BasaltExecution

/// One result row: its values in column order, and the column names of its result.
///
/// A row shares its batch's storage (reading a row allocates nothing); `values` copies it out.
public struct Row: Sendable, CustomStringConvertible {
    /// The batch this row is a window of: one reference per row, for its values and names alike.
    private let block: RowBlock
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
    public var values: [SQLValue] { Array(block.values[offset ..< offset + count]) }

    /// The value of column `index` (0-based).
    public subscript(index: Int) -> SQLValue {
        precondition(index >= 0 && index < count, "column index out of range")
        return block.values[offset + index]
    }

    /// The value of the first column named `name`, or nil when no column has that name.
    public subscript(name: String) -> SQLValue? {
        columns.firstIndex(of: name).map { self[$0] }
    }

    public var description: String { "(" + values.map(\.description).joined(separator: ", ") + ")" }
}
