/// Size limits of B+tree cells for one page size, derived so that every node holds at least three cells
/// (which a split into two halves needs: each half then fits in one page).
package struct BTreeLimits {
    let pageSize: Int
    /// Bytes of a node available for slots and cells.
    let usable: Int
    /// Largest cell including its slot: a third of the usable space.
    let maxCellWithSlot: Int
    /// A leaf cell whose value would make it larger than this keeps the value in an overflow chain.
    let maxInlineLeafCell: Int
    /// Largest key: an internal cell (4-byte child, varint, key) or an overflowing leaf cell must fit.
    let maxKeySize: Int
    /// A non-root node whose used bytes fall below this is rebalanced with a sibling after a delete.
    let underflowBytes: Int

    /// The largest value stored (1 GiB).
    package static let maxValueSize = 1 << 30

    init(pageSize: Int) {
        self.pageSize = pageSize
        usable = pageSize - BTreeNode.headerSize
        maxCellWithSlot = usable / 3
        maxInlineLeafCell = usable / 4
        // An overflowing leaf cell: varint key length (≤3) + varint value field (≤5) + key + 4-byte page id.
        maxKeySize = maxCellWithSlot - BTreeNode.slotSize - 3 - 5 - 4
        underflowBytes = usable / 4
    }

    /// Throws `keyTooLarge` / `valueTooLarge` for a pair this tree cannot store.
    func check(keyCount: Int, valueCount: Int) throws {
        guard keyCount <= maxKeySize else { throw StorageError.keyTooLarge(size: keyCount, limit: maxKeySize) }
        guard valueCount <= Self.maxValueSize else {
            throw StorageError.valueTooLarge(size: valueCount, limit: Self.maxValueSize)
        }
    }
}
