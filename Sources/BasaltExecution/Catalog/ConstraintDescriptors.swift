/// A CHECK constraint: its name and its boolean expression as SQL text over the table's columns.
package struct CheckConstraint: Sendable, Codable, Equatable {
    package var name: String
    package var sql: String
    package init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

/// What a foreign key does to referencing rows when the referenced row is deleted (or its key updated).
package enum ReferentialAction: String, Sendable, Codable, Equatable {
    case noAction, restrict, cascade, setNull, setDefault
}

/// A FOREIGN KEY constraint: `columns` of this table reference `referencedColumns` of
/// `referencedTable`, which are its primary key or a unique index's columns.
package struct ForeignKey: Sendable, Codable, Equatable {
    package var name: String
    /// Column indexes (logical order) in the referencing table.
    package var columns: [Int]
    package var referencedTable: String
    /// Column names in the referenced table (names survive column reordering by DROP COLUMN).
    package var referencedColumns: [String]
    package var onDelete: ReferentialAction
    package var onUpdate: ReferentialAction

    package init(name: String, columns: [Int], referencedTable: String, referencedColumns: [String],
                onDelete: ReferentialAction, onUpdate: ReferentialAction) {
        self.name = name
        self.columns = columns
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
        self.onDelete = onDelete
        self.onUpdate = onUpdate
    }
}
