/// An immutable view of the catalog: every table, index and view, by lower-case-insensitive name.
///
/// A `Schema` is what the planner binds against. Changing it (DDL) makes a new value; the engine keeps
/// the newest committed one (`CatalogStore`), and a transaction that ran DDL keeps its own until commit.
package struct Schema: Sendable {
    package private(set) var tables: [String: TableDescriptor] = [:]
    package private(set) var indexes: [String: IndexDescriptor] = [:]
    package private(set) var views: [String: ViewDescriptor] = [:]
    /// The next object id to hand out.
    package var nextObjectID: UInt32 = 16
    /// Changes whenever any descriptor changes: plan caches key on it.
    package private(set) var generation: UInt64 = 0
    /// `indexes` grouped by table id, each group in name order: every DML row reads its table's group,
    /// so it is kept up to date by each index change instead of filtered and sorted per row.
    private var indexesByTable: [UInt32: [IndexDescriptor]] = [:]

    package init() {}

    package func table(_ name: String) -> TableDescriptor? { tables[name] }
    package func view(_ name: String) -> ViewDescriptor? { views[name] }
    package func index(_ name: String) -> IndexDescriptor? { indexes[name] }

    /// The indexes of table `id`, in name order (deterministic maintenance order).
    package func indexes(ofTable id: UInt32) -> [IndexDescriptor] {
        indexesByTable[id] ?? []
    }

    private mutating func regroupIndexes(ofTable id: UInt32) {
        let group = indexes.values.filter { $0.tableID == id }.sorted { $0.name < $1.name }
        indexesByTable[id] = group.isEmpty ? nil : group
    }

    /// Tables with a foreign key referencing `name`.
    package func referencingTables(_ name: String) -> [TableDescriptor] {
        tables.values.filter { $0.foreignKeys.contains { $0.referencedTable == name } }.sorted { $0.name < $1.name }
    }

    package mutating func setTable(_ table: TableDescriptor) { tables[table.name] = table; generation &+= 1 }
    package mutating func removeTable(_ name: String) { tables[name] = nil; generation &+= 1 }
    package mutating func setIndex(_ index: IndexDescriptor) {
        let replaced = indexes.updateValue(index, forKey: index.name)
        regroupIndexes(ofTable: index.tableID)
        if let replaced, replaced.tableID != index.tableID { regroupIndexes(ofTable: replaced.tableID) }
        generation &+= 1
    }
    package mutating func removeIndex(_ name: String) {
        if let removed = indexes.removeValue(forKey: name) { regroupIndexes(ofTable: removed.tableID) }
        generation &+= 1
    }
    package mutating func setView(_ view: ViewDescriptor) { views[view.name] = view; generation &+= 1 }
    package mutating func removeView(_ name: String) { views[name] = nil; generation &+= 1 }

    /// Hands out a new object id.
    package mutating func allocateObjectID() -> UInt32 {
        let id = nextObjectID
        nextObjectID += 1
        return id
    }
}
