import BasaltExecution

/// One result row: its values in column order, and the column names of its result.
public struct Row: Sendable, CustomStringConvertible {
    public let values: [SQLValue]
    /// The result's column names (shared by every row of it).
    public let columns: [String]

    public init(values: [SQLValue], columns: [String]) {
        self.values = values
        self.columns = columns
    }

    /// The value of column `index` (0-based).
    public subscript(index: Int) -> SQLValue { values[index] }

    /// The value of the first column named `name`, or nil when no column has that name.
    public subscript(name: String) -> SQLValue? {
        columns.firstIndex(of: name).map { values[$0] }
    }

    public var description: String { "(" + values.map(\.description).joined(separator: ", ") + ")" }
}
