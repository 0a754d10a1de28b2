/// Building a tree bottom-up from sorted input: leaves are filled left to right to `fillFraction` of a
/// page, then each internal level is built over the one below, and the top node's contents move into the
/// root page. Pages are allocated in order, so the tree is laid out sequentially in the file.
extension BTree {
    /// Loads `pairs`, which must be sorted by key with no duplicates, into this tree, which must be empty.
    /// Entries must be within `BTreeLimits` (checked by the caller before anything is written).
    func bulkLoad<S: Sequence>(_ pairs: S, fillFraction: Double = 0.9) throws
    where S.Element == (key: [UInt8], value: [UInt8]) {
        if let top = try bulkBuild(pairs, fillFraction: fillFraction, allocate: { try pager.allocate() }) {
            try adoptBulkLoad(top: top)
        }
    }

    /// Builds the tree for `pairs` (sorted, unique, within limits) in pages from `allocate`, without
    /// touching the root; returns the top node (nil for no pairs). `adoptBulkLoad` makes it the tree.
    /// The logged engine allocates past the end of the file here and adopts in one logged operation,
    /// so a crash before adoption leaves the tree as it was.
    func bulkBuild<S: Sequence>(_ pairs: S, fillFraction: Double = 0.9, allocate: () throws -> PageID) throws -> PageID?
    where S.Element == (key: [UInt8], value: [UInt8]) {
        let empty = try isEmpty()
        precondition(empty, "bulk load needs an empty tree")
        try pager.checkWritable()
        pager.structureVersion &+= 1
        let target = Int(Double(limits.usable) * min(max(fillFraction, 0.7), 1.0))

        // Level 0: leaves. `level` holds each node's page and the separator below its first key.
        var level: [(page: PageID, separator: [UInt8])] = []
        var leafID: PageID = .none
        var leafFrame: Int32 = -1
        var previousKey: [UInt8] = []
        var cellBuffer = [UInt8](repeating: 0, count: pager.pageSize)
        defer { if leafFrame >= 0 { pool.unpin(leafFrame) } }

        func startLeaf(previous: PageID) throws -> PageID {
            let id = try allocate()
            try pool.withNewPage(id, type: .leaf) { page in
                let node = BTreeNode(page)
                node.initialize(leaf: true, id: id)
                node.link2 = previous
            }
            return id
        }

        var count = 0
        for (key, value) in pairs {
            // Callers check every pair first (`StorageEngine.putBatch`); this guards direct use.
            try limits.check(keyCount: key.count, valueCount: value.count)
            if count > 0 {
                precondition(key.lexicographicallyPrecedes(previousKey) == false && key != previousKey,
                             "bulk load input must be sorted and unique")
            }
            let inlineSize = LeafCell.size(keyCount: key.count, valueCount: value.count, overflow: false)
            let overflows = inlineSize > limits.maxInlineLeafCell && value.count > 4
            let firstOverflow: PageID = overflows ? try value.withUnsafeBytes { try writeOverflow($0, allocate: allocate) } : .none
            let size = key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in
                    cellBuffer.withUnsafeMutableBytes {
                        LeafCell.write(to: $0.baseAddress!, key: k, value: v, overflowPage: firstOverflow,
                                       valueCount: value.count)
                    }
                }
            }
            var needsLeaf = leafFrame < 0
            if !needsLeaf {
                let node = BTreeNode(pool.page(ofFrame: leafFrame))
                needsLeaf = node.usedBytes + size + BTreeNode.slotSize > target && node.count > 0
            }
            if needsLeaf {
                let previous = leafID
                if leafFrame >= 0 {
                    BTreeNode(pool.page(ofFrame: leafFrame)).adoptCommonPrefix()
                    pool.unpin(leafFrame)
                }
                leafFrame = -1
                leafID = try startLeaf(previous: previous)
                if previous != .none {
                    try pool.withMutablePage(previous) { BTreeNode($0).link1 = leafID }
                    let separator = previousKey.withUnsafeBytes { p in
                        key.withUnsafeBytes { Self.shortestSeparator(p, $0) }
                    }
                    level.append((leafID, separator))
                } else {
                    level.append((leafID, []))
                }
                leafFrame = try pool.pin(leafID)
                pool.markDirty(leafFrame)
            }
            let node = BTreeNode(pool.page(ofFrame: leafFrame))
            cellBuffer.withUnsafeBytes { node.appendCell(UnsafeRawBufferPointer(start: $0.baseAddress, count: size)) }
            previousKey = key
            count += 1
        }
        if leafFrame >= 0 {
            BTreeNode(pool.page(ofFrame: leafFrame)).adoptCommonPrefix()
            pool.unpin(leafFrame)
            leafFrame = -1
        }
        guard !level.isEmpty else { return nil }

        // Internal levels until one node remains. Children are grouped first so no node ends up with a
        // single child: with groups filled to at least 70% and cells of at most a third of a page, every
        // group but the last has three or more children, so the last can borrow one.
        while level.count > 1 {
            var groups: [Range<Int>] = []
            var start = 0, used = 0
            for j in 1..<level.count {
                let separator = level[j].separator.count
                let cost = 4 + Varint.size(UInt64(separator)) + separator + BTreeNode.slotSize
                if used + cost > target {
                    groups.append(start..<j)
                    start = j
                    used = 0
                } else {
                    used += cost
                }
            }
            groups.append(start..<level.count)
            if groups.count >= 2, groups[groups.count - 1].count == 1 {
                let previous = groups[groups.count - 2]
                groups[groups.count - 2] = previous.lowerBound..<(previous.upperBound - 1)
                groups[groups.count - 1] = (previous.upperBound - 1)..<level.count
            }
            var upper: [(page: PageID, separator: [UInt8])] = []
            upper.reserveCapacity(groups.count)
            for group in groups {
                let id = try allocate()
                try pool.withNewPage(id, type: .internal) { page in
                    let node = BTreeNode(page)
                    node.initialize(leaf: false, id: id)
                    node.link1 = level[group.lowerBound].page
                    for j in group.dropFirst() {
                        let cell = level[j].separator.withUnsafeBytes {
                            InternalCell.make(child: node.link1, key: $0)
                        }
                        cell.withUnsafeBytes { node.appendCell($0) }
                        node.link1 = level[j].page
                    }
                    node.adoptCommonPrefix()
                }
                upper.append((id, level[group.lowerBound].separator))
            }
            level = upper
        }

        return level[0].page
    }

    /// Moves the contents of `top` (from `bulkBuild`) into the root page and frees `top`.
    func adoptBulkLoad(top: PageID) throws {
        pager.structureVersion &+= 1
        try pool.withMutablePage(root) { rootPage in
            try pool.withPage(top) { topPage in
                rootPage.copy(from: topPage)
                rootPage.id = root
            }
        }
        try pager.free(top)
    }
}
