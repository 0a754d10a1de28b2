/// One column of a table, as the catalog stores it.
public struct ColumnDescriptor: Sendable, Codable, Equatable {
    /// The column's name, as the user spelled it after identifier folding.
    public var name: String
    public var type: SQLType
    public var notNull: Bool
    /// The DEFAULT expression as SQL text (parsed and bound by the planner), nil for NULL.
    public var defaultSQL: String?
    /// The column's position in the encoded row (`RowCodec`). Stable for the column's life: ADD COLUMN
    /// takes the next free position, DROP COLUMN leaves a hole, so existing rows never need rewriting.
    public var physical: Int

    public init(name: String, type: SQLType, notNull: Bool = false, defaultSQL: String? = nil, physical: Int) {
        self.name = name
        self.type = type
        self.notNull = notNull
        self.defaultSQL = defaultSQL
        self.physical = physical
    }
}
