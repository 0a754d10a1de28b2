/// A table as the catalog stores it.
///
/// Invariants: column names are unique; `primaryKey` indexes `columns` and its columns are NOT NULL;
/// every column's `physical` position is unique and below `nextPhysical`.
package struct TableDescriptor: Sendable, Codable, Equatable {
    /// The object id: the key prefix of its rows (`ObjectKey`). Never reused.
    package var id: UInt32
    package var name: String
    package var columns: [ColumnDescriptor]
    /// Primary key columns (indexes into `columns`), in key order. Empty: rows are keyed by a hidden,
    /// increasing 64-bit row id, so a scan returns them in insertion order.
    package var primaryKey: [Int]
    /// The primary key's constraint name (for 23505 messages), e.g. "t_pkey".
    package var primaryKeyName: String
    package var checks: [CheckConstraint]
    package var foreignKeys: [ForeignKey]
    /// The next free physical position for ADD COLUMN.
    package var nextPhysical: Int
    /// Types of dropped columns by physical position: stored rows still hold their values, and the
    /// row decoder needs the type to step over them (values carry no tags).
    package var droppedTypes: [Int: SQLType]?

    package init(id: UInt32, name: String, columns: [ColumnDescriptor], primaryKey: [Int], primaryKeyName: String,
                checks: [CheckConstraint] = [], foreignKeys: [ForeignKey] = []) {
        self.id = id
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.primaryKeyName = primaryKeyName
        self.checks = checks
        self.foreignKeys = foreignKeys
        self.nextPhysical = (columns.map(\.physical).max() ?? -1) + 1
    }

    /// True when rows are keyed by the hidden row id.
    package var hasRowID: Bool { primaryKey.isEmpty }

    /// The index in `columns` of the column named `name`, if any.
    package func columnIndex(_ name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// The column types in physical order, with `.unknown` for dropped positions: what `RowCodec`
    /// decodes a stored row with.
    package var physicalTypes: [SQLType] {
        var types = [SQLType](repeating: .unknown, count: nextPhysical)
        for (position, type) in droppedTypes ?? [:] where position < nextPhysical { types[position] = type }
        for column in columns { types[column.physical] = column.type }
        return types
    }
}
