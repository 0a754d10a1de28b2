/// A position in a B+tree that moves forward and backward along the leaves.
///
/// A cursor copies its current key and value, so it stays valid while the tree changes: when any tree of
/// the pager changed shape since the cursor last moved, the next move re-seeks from the saved key.
struct BTreeCursor {
    let tree: BTree
    private var leaf: PageID = .none
    private var index = 0
    private var version: UInt64 = 0
    /// The current key, or nil when the cursor is not on a pair.
    private(set) var key: [UInt8]?
    /// The current value (empty when not on a pair).
    private(set) var value: [UInt8] = []

    init(tree: BTree) { self.tree = tree }

    /// Positions on the first key >= `target`; false when there is none.
    mutating func seek(_ target: [UInt8]) throws -> Bool {
        let (l, i) = try target.withUnsafeBytes { try tree.position(atOrAfter: $0) }
        leaf = l
        index = i
        return try settleForward()
    }

    /// Positions on the smallest key.
    mutating func first() throws -> Bool {
        (leaf, index) = try tree.position(atOrAfter: nil)
        return try settleForward()
    }

    /// Positions on the largest key.
    mutating func last() throws -> Bool {
        (leaf, index) = try tree.position(before: nil)
        return try settleBackward()
    }

    /// Moves to the next larger key; false at the end.
    mutating func next() throws -> Bool {
        guard let current = key else { return false }
        if version != tree.pager.structureVersion {
            (leaf, index) = try current.withUnsafeBytes { try tree.position(atOrAfter: $0) }
            guard try settleForward() else { return false }
            if key == current { index += 1 } else { return true }
        } else {
            index += 1
        }
        return try settleForward()
    }

    /// Moves to the next smaller key; false at the start.
    mutating func previous() throws -> Bool {
        guard let current = key else { return false }
        if version != tree.pager.structureVersion {
            (leaf, index) = try current.withUnsafeBytes { try tree.position(before: $0) }
            return try settleBackward()
        }
        index -= 1
        return try settleBackward()
    }

    /// Loads the pair at (leaf, index), following next links past the end of a leaf.
    private mutating func settleForward() throws -> Bool {
        while leaf != .none {
            let loaded: Bool? = try tree.pool.withPageForRead(leaf) { page in
                let node = BTreeNode(page)
                guard node.isLeaf else {
                    throw StorageError.corruption(page: page.id, detail: "leaf chain reaches a page of type \(page.rawType)")
                }
                if index < node.count {
                    try load(node)
                    return true
                }
                leaf = node.next
                index = 0
                return nil
            }
            if let loaded { return loaded }
        }
        clear()
        return false
    }

    private mutating func settleBackward() throws -> Bool {
        while leaf != .none {
            let loaded: Bool? = try tree.pool.withPageForRead(leaf) { page in
                let node = BTreeNode(page)
                guard node.isLeaf else {
                    throw StorageError.corruption(page: page.id, detail: "leaf chain reaches a page of type \(page.rawType)")
                }
                if index == Int.max { index = node.count - 1 }
                if index >= 0 && index < node.count {
                    try load(node)
                    return true
                }
                leaf = node.previous
                index = Int.max
                return nil
            }
            if let loaded { return loaded }
        }
        clear()
        return false
    }

    private mutating func load(_ node: BTreeNode) throws {
        key = node.keyBytes(index)
        switch node.leafValue(index) {
        case .inline(let bytes): value = Array(bytes)
        case let .overflow(length, first): value = try tree.readOverflow(first: first, length: length)
        }
        version = tree.pager.structureVersion
    }

    private mutating func clear() {
        key = nil
        value = []
    }
}
