/// A secondary index as the catalog stores it.
///
/// Entry layout (DISK FORMAT, `ObjectKey` then `KeyCodec` components), value empty:
/// - non-unique: index columns ‖ the table's primary key (or row id)
/// - unique, no indexed column NULL: index columns only; the value holds the primary key components,
///   so two entries with equal columns are the same B+tree key and concurrent inserts of a duplicate
///   meet as a write-write conflict
/// - unique with a NULL column: as non-unique (NULLs are distinct, as in PostgreSQL)
package struct IndexDescriptor: Sendable, Codable, Equatable {
    /// One indexed column: its index in the table's `columns` and its direction.
    package struct Column: Sendable, Codable, Equatable {
        package var column: Int
        package var descending: Bool
        package init(column: Int, descending: Bool) {
            self.column = column
            self.descending = descending
        }
    }

    package var id: UInt32
    package var name: String
    package var tableID: UInt32
    package var tableName: String
    package var columns: [Column]
    package var unique: Bool
    /// Set when the index enforces a UNIQUE constraint declared with the table (dropped with it).
    package var isConstraint: Bool

    package init(id: UInt32, name: String, tableID: UInt32, tableName: String, columns: [Column], unique: Bool,
                isConstraint: Bool = false) {
        self.id = id
        self.name = name
        self.tableID = tableID
        self.tableName = tableName
        self.columns = columns
        self.unique = unique
        self.isConstraint = isConstraint
    }
}
