/// Node splits: what happens when a cell does not fit in its node.
///
/// A split rebuilds the node from a copy in scratch memory: the node keeps the lower cells, a new right
/// sibling takes the upper ones, and a separator goes up into the parent (which may split in turn). When
/// the root must split, its contents first move down into a new child, so the root page never moves.
extension BTree {
    /// Inserts `cell` at `index` of the full node `nodeID`, splitting it. `path` holds the node's
    /// ancestors and is consumed. With `sequential` (a sorted run is being written), a leaf that
    /// overflows by appending past its last key stays full and the new cell starts the right sibling,
    /// wherever the leaf is; otherwise only the tree's last leaf splits that way.
    func insertSplitting(path: inout BTreePath, nodeID: PageID, at index: Int,
                         cell: UnsafeRawBufferPointer, sequential: Bool = false) throws {
        var nodeID = nodeID
        if nodeID == root {
            nodeID = try pushRootDown()
            path.prepend(page: root, index: 0)
        }
        pager.structureVersion &+= 1
        if try appendSibling(path: &path, nodeID: nodeID, at: index, cell: cell, sequential: sequential) { return }
        let source = pager.scratch[1]
        try pool.withPage(nodeID) { source.copy(from: $0) }
        let src = BTreeNode(source)
        source.id = nodeID

        var cells: [UnsafeRawBufferPointer] = []
        cells.reserveCapacity(src.count + 1)
        for i in 0..<src.count {
            if i == index { cells.append(cell) }
            cells.append(src.cell(i))
        }
        if index == src.count { cells.append(cell) }

        let rightID = try pager.allocate()
        if src.isLeaf {
            // Appending past the last key of the rightmost leaf: keep the old leaf full, so sequential
            // inserts leave full leaves behind them (SQLite's "quick balance").
            let k = index == src.count && (src.next == .none || sequential)
                ? cells.count - 1 : Self.splitPoint(cells)
            let separator = Self.shortestSeparator(InternalCell.key(ofLeafCell: cells[k - 1]),
                                                   InternalCell.key(ofLeafCell: cells[k]))
            try pool.withMutablePage(nodeID) { page in
                let node = BTreeNode(page)
                node.initialize(leaf: true, id: nodeID)
                for c in cells[0..<k] { node.appendCell(c) }
                node.adoptCommonPrefix()
                node.link1 = rightID
                node.link2 = src.previous
            }
            try pool.withNewPage(rightID, type: .leaf) { page in
                let node = BTreeNode(page)
                node.initialize(leaf: true, id: rightID)
                for c in cells[k...] { node.appendCell(c) }
                node.adoptCommonPrefix()
                node.link1 = src.next
                node.link2 = nodeID
            }
            if src.next != .none {
                try pool.withMutablePage(src.next) { BTreeNode($0).link2 = rightID }
            }
            try separator.withUnsafeBytes {
                try insertIntoParent(path: &path, left: nodeID, separator: $0, right: rightID)
            }
        } else {
            let m = min(max(Self.splitPoint(cells), 1), cells.count - 2)
            let separator = Array(InternalCell.key(of: cells[m]))
            try pool.withMutablePage(nodeID) { page in
                let node = BTreeNode(page)
                node.initialize(leaf: false, id: nodeID)
                for c in cells[0..<m] { node.appendCell(c) }
                node.adoptCommonPrefix()
                node.link1 = InternalCell.child(of: cells[m])
            }
            try pool.withNewPage(rightID, type: .internal) { page in
                let node = BTreeNode(page)
                node.initialize(leaf: false, id: rightID)
                for c in cells[(m + 1)...] { node.appendCell(c) }
                node.adoptCommonPrefix()
                node.link1 = src.rightmostChild
            }
            try separator.withUnsafeBytes {
                try insertIntoParent(path: &path, left: nodeID, separator: $0, right: rightID)
            }
        }
    }

    /// The split of a leaf that overflows by appending past its last key, when that leaf keeps all its
    /// cells (see `insertSplitting`): the cells stay in place (only the leaf's next link and prefix
    /// skip change), and `cell` alone starts a new right sibling. Rebuilding the full leaf from a copy
    /// cost a sequential insert about 35,000 instructions per leaf, and logged the whole page. Returns
    /// false (nothing done) for any other split.
    private func appendSibling(path: inout BTreePath, nodeID: PageID, at index: Int, cell: UnsafeRawBufferPointer,
                               sequential: Bool) throws -> Bool {
        let found: (separator: [UInt8], next: PageID)? = try pool.withPage(nodeID) { page in
            let node = BTreeNode(page)
            guard node.isLeaf, node.count > 0, index == node.count, node.next == .none || sequential else { return nil }
            let separator = Self.shortestSeparator(InternalCell.key(ofLeafCell: node.cell(node.count - 1)),
                                                   InternalCell.key(ofLeafCell: cell))
            return (separator, node.next)
        }
        guard let (separator, next) = found else { return false }
        let rightID = try pager.allocate()
        try pool.withMutablePage(nodeID) { page in
            let node = BTreeNode(page)
            node.link1 = rightID
            // Appends only ever lower the prefix skip; the leaf is complete now, so give it the
            // longest one its keys share, as a rebuild would (point reads compare slot prefixes).
            node.adoptCommonPrefix()
        }
        try pool.withNewPage(rightID, type: .leaf) { page in
            let node = BTreeNode(page)
            node.initialize(leaf: true, id: rightID)
            node.appendCell(cell)
            node.adoptCommonPrefix()
            node.link1 = next
            node.link2 = nodeID
        }
        if next != .none {
            try pool.withMutablePage(next) { BTreeNode($0).link2 = rightID }
        }
        try separator.withUnsafeBytes {
            try insertIntoParent(path: &path, left: nodeID, separator: $0, right: rightID)
        }
        return true
    }

    /// After `left` split into `left` and `right`, makes the parent (last entry of `path`) point to both.
    func insertIntoParent(path: inout BTreePath, left: PageID, separator: UnsafeRawBufferPointer,
                          right: PageID) throws {
        let level = path.depth - 1
        precondition(level >= 0, "a split below the root always has a parent")
        let parentID = path.pages[level]
        let index = path.indexes[level]
        path.removeLast()
        let cell = InternalCell.make(child: left, key: separator)
        let fitted = try pool.withMutablePage(parentID) { page in
            let node = BTreeNode(page)
            node.setChild(index, right)
            return cell.withUnsafeBytes { node.insertCell(at: index, $0, scratch: pager.scratch[0]) }
        }
        if !fitted {
            try cell.withUnsafeBytes { try insertSplitting(path: &path, nodeID: parentID, at: index, cell: $0) }
        }
    }

    /// Moves the root's contents into a new page and turns the root into an internal node whose only
    /// child is that page. Returns the new child.
    func pushRootDown() throws -> PageID {
        let child = try pager.allocate()
        try pool.withMutablePage(root) { rootPage in
            let type = rootPage.type ?? .leaf
            try pool.withNewPage(child, type: type) { childPage in
                childPage.copy(from: rootPage)
                childPage.id = child
            }
            let node = BTreeNode(rootPage)
            node.initialize(leaf: false, id: root)
            node.link1 = child
        }
        return child
    }

    /// The index k at which `cells` split into two halves of about equal bytes (slots included), with at
    /// least one cell on each side. Each half fits a page because no cell exceeds a third of it.
    static func splitPoint(_ cells: [UnsafeRawBufferPointer]) -> Int {
        var total = 0
        for c in cells { total += c.count + BTreeNode.slotSize }
        var prefix = 0
        for (k, c) in cells.enumerated() {
            if prefix >= total / 2 { return min(max(k, 1), cells.count - 1) }
            prefix += c.count + BTreeNode.slotSize
        }
        return cells.count - 1
    }

    /// The shortest byte string s with `left < s <= right` (suffix truncation: smaller separators mean
    /// wider internal nodes). Requires `left < right`.
    static func shortestSeparator(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> [UInt8] {
        var common = 0
        let limit = min(left.count, right.count)
        while common < limit && left[common] == right[common] { common += 1 }
        return Array(right[0..<min(common + 1, right.count)])
    }
}
