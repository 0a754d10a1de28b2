/// A view: its name, its defining query as SQL text, and its column names.
package struct ViewDescriptor: Sendable, Codable, Equatable {
    package var name: String
    package var sql: String
    /// Explicit column names, or empty to take the query's output names.
    package var columnNames: [String]
    package init(name: String, sql: String, columnNames: [String]) {
        self.name = name
        self.sql = sql
        self.columnNames = columnNames
    }
}
