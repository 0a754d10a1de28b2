import BasaltExecution

/// One result row: its values in column order, and the column names of its result.
///
/// A row shares its batch's storage (reading a row allocates nothing); `values` copies it out.
public struct Row: Sendable, CustomStringConvertible {
    /// The batch's values (row-major) this row is a window of.
    private let storage: [SQLValue]
    private let offset: Int
    /// Values in the row.
    public let count: Int
    /// The result's column names (shared by every row of it).
    public let columns: [String]

    public init(values: [SQLValue], columns: [String]) {
        self.storage = values
        self.offset = 0
        self.count = values.count
        self.columns = columns
    }

    init(storage: [SQLValue], offset: Int, count: Int, columns: [String]) {
        self.storage = storage
        self.offset = offset
        self.count = count
        self.columns = columns
    }

    /// The row's values in column order (a copy).
    public var values: [SQLValue] { Array(storage[offset ..< offset + count]) }

    /// The value of column `index` (0-based).
    public subscript(index: Int) -> SQLValue {
        precondition(index >= 0 && index < count, "column index out of range")
        return storage[offset + index]
    }

    /// The value of the first column named `name`, or nil when no column has that name.
    public subscript(name: String) -> SQLValue? {
        columns.firstIndex(of: name).map { self[$0] }
    }

    public var description: String { "(" + values.map(\.description).joined(separator: ", ") + ")" }
}
