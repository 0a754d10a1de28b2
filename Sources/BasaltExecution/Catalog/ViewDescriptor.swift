/// A view: its name, its defining query as SQL text, and its column names.
public struct ViewDescriptor: Sendable, Codable, Equatable {
    public var name: String
    public var sql: String
    /// Explicit column names, or empty to take the query's output names.
    public var columnNames: [String]
    public init(name: String, sql: String, columnNames: [String]) {
        self.name = name
        self.sql = sql
        self.columnNames = columnNames
    }
}
