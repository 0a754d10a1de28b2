/// Rebalancing after deletes: an underfull node merges with a sibling when both fit in one page, or
/// else takes cells from it so both are about equally full. Merging removes a separator from the parent,
/// which may underflow in turn; a root left with a single child absorbs that child, so the tree shrinks
/// from the top and the root page never moves. Freed pages go to the free list.
extension BTree {
    /// Rebalances the underfull node `nodeID`; `path` holds its ancestors and is consumed.
    func rebalance(path: inout BTreePath, nodeID: PageID) throws {
        pager.structureVersion &+= 1
        let level = path.depth - 1
        let parentID = path.pages[level]
        let childIndex = path.indexes[level]
        let (leftIndex, leftID, rightID, separator): (Int, PageID, PageID, [UInt8]) =
            try pool.withPage(parentID) { page in
                let parent = BTreeNode(page)
                precondition(parent.count >= 1, "internal node \(parentID) without keys")
                let leftIndex = childIndex > 0 ? childIndex - 1 : 0
                return (leftIndex, parent.child(leftIndex), parent.child(leftIndex + 1), parent.keyBytes(leftIndex))
            }
        let leftCopy = pager.scratch[1], rightCopy = pager.scratch[2]
        try pool.withPage(leftID) { leftCopy.copy(from: $0) }
        try pool.withPage(rightID) { rightCopy.copy(from: $0) }
        let l = BTreeNode(leftCopy), r = BTreeNode(rightCopy)
        let isLeaf = l.isLeaf

        // Internal nodes pull the parent's separator down between their cells, pointing at the left
        // node's rightmost child.
        let pulledDown: [UInt8] = isLeaf ? [] : separator.withUnsafeBytes {
            InternalCell.make(child: l.rightmostChild, key: $0)
        }
        try pulledDown.withUnsafeBytes { pulled in
            var cells: [UnsafeRawBufferPointer] = []
            cells.reserveCapacity(l.count + r.count + 1)
            for i in 0..<l.count { cells.append(l.cell(i)) }
            if !isLeaf { cells.append(pulled) }
            for i in 0..<r.count { cells.append(r.cell(i)) }
            var total = 0
            for c in cells { total += c.count + BTreeNode.slotSize }

            if total <= limits.usable {
                try merge(cells: cells, isLeaf: isLeaf, leftID: leftID, rightID: rightID, l: l, r: r)
                let (underflow, empty) = try pool.withMutablePage(parentID) { page in
                    let parent = BTreeNode(page)
                    parent.setChild(leftIndex + 1, leftID)
                    parent.removeCell(at: leftIndex)
                    return (parent.usedBytes < limits.underflowBytes, parent.count == 0)
                }
                path.removeLast()
                if parentID == root {
                    if empty { try collapseRoot() }
                } else if underflow {
                    try rebalance(path: &path, nodeID: parentID)
                }
            } else {
                let newSeparator = try redistribute(cells: cells, isLeaf: isLeaf, leftID: leftID,
                                                    rightID: rightID, l: l, r: r)
                path.removeLast()
                let cell = newSeparator.withUnsafeBytes { InternalCell.make(child: leftID, key: $0) }
                let fitted = try pool.withMutablePage(parentID) { page in
                    let parent = BTreeNode(page)
                    parent.removeCell(at: leftIndex)
                    return cell.withUnsafeBytes { parent.insertCell(at: leftIndex, $0, scratch: pager.scratch[0]) }
                }
                if !fitted {
                    try cell.withUnsafeBytes {
                        try insertSplitting(path: &path, nodeID: parentID, at: leftIndex, cell: $0)
                    }
                }
            }
        }
    }

    /// Rebuilds the left node with every cell of both and frees the right one.
    private func merge(cells: [UnsafeRawBufferPointer], isLeaf: Bool, leftID: PageID, rightID: PageID,
                       l: BTreeNode, r: BTreeNode) throws {
        try pool.withMutablePage(leftID) { page in
            let node = BTreeNode(page)
            node.initialize(leaf: isLeaf, id: leftID)
            for c in cells { node.appendCell(c) }
            node.adoptCommonPrefix()
            if isLeaf {
                node.link1 = r.next
                node.link2 = l.previous
            } else {
                node.link1 = r.rightmostChild
            }
        }
        if isLeaf && r.next != .none {
            try pool.withMutablePage(r.next) { BTreeNode($0).link2 = leftID }
        }
        try pager.free(rightID)
    }

    /// Splits the cells of both nodes evenly between them; returns the new separator.
    private func redistribute(cells: [UnsafeRawBufferPointer], isLeaf: Bool, leftID: PageID,
                              rightID: PageID, l: BTreeNode, r: BTreeNode) throws -> [UInt8] {
        if isLeaf {
            let k = Self.splitPoint(cells)
            try rebuild(leftID, leaf: true, cells: cells[0..<k], link1: l.next, link2: l.previous)
            try rebuild(rightID, leaf: true, cells: cells[k...], link1: r.next, link2: r.previous)
            return Self.shortestSeparator(InternalCell.key(ofLeafCell: cells[k - 1]),
                                          InternalCell.key(ofLeafCell: cells[k]))
        }
        let m = min(max(Self.splitPoint(cells), 1), cells.count - 2)
        let separator = Array(InternalCell.key(of: cells[m]))
        try rebuild(leftID, leaf: false, cells: cells[0..<m], link1: InternalCell.child(of: cells[m]), link2: .none)
        try rebuild(rightID, leaf: false, cells: cells[(m + 1)...], link1: r.rightmostChild, link2: .none)
        return separator
    }

    private func rebuild(_ id: PageID, leaf: Bool, cells: ArraySlice<UnsafeRawBufferPointer>,
                         link1: PageID, link2: PageID) throws {
        try pool.withMutablePage(id) { page in
            let node = BTreeNode(page)
            node.initialize(leaf: leaf, id: id)
            for c in cells { node.appendCell(c) }
            node.adoptCommonPrefix()
            node.link1 = link1
            node.link2 = link2
        }
    }

    /// The root has no keys left, only its rightmost child: move that child's contents into the root.
    func collapseRoot() throws {
        let child = try pool.withPage(root) { BTreeNode($0).rightmostChild }
        try pool.withMutablePage(root) { rootPage in
            try pool.withPage(child) { childPage in
                rootPage.copy(from: childPage)
                rootPage.id = root
            }
        }
        try pager.free(child)
    }
}
