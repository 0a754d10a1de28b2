/// One column of a table, as the catalog stores it.
package struct ColumnDescriptor: Sendable, Codable, Equatable {
    /// The column's name, as the user spelled it after identifier folding.
    package var name: String
    package var type: SQLType
    package var notNull: Bool
    /// The DEFAULT expression as SQL text (parsed and bound by the planner), nil for NULL.
    package var defaultSQL: String?
    /// The column's position in the encoded row (`RowCodec`). Stable for the column's life: ADD COLUMN
    /// takes the next free position, DROP COLUMN leaves a hole, so existing rows never need rewriting.
    package var physical: Int

    package init(name: String, type: SQLType, notNull: Bool = false, defaultSQL: String? = nil, physical: Int) {
        self.name = name
        self.type = type
        self.notNull = notNull
        self.defaultSQL = defaultSQL
        self.physical = physical
    }
}
