/// Writing sorted input one leaf at a time: a large commit's keys arrive sorted, so consecutive keys
/// mostly land in the same leaf. One descent serves a whole run, appends past a leaf's last key skip
/// the binary search, and the caller logs one operation per run (or per chain of appending runs)
/// instead of one per key.
extension BTree {
    /// How a run ended: `end` is the index of the first pair not written. `appendedOnly`: every pair
    /// written was a new key placed past the last key of its leaf, so no key that existed before the
    /// run lies between the run's first and last key (its undo may remove that whole key range).
    /// `upper`: the exclusive upper bound of the leaf the run began in (nil: the tree's last leaf).
    /// `split`: the run ended by splitting its leaf.
    struct RunOutcome {
        var end: Int
        var appendedOnly = false
        var upper: [UInt8]? = nil
        var split = false
    }

    /// Why `putRun` stopped writing into the leaf.
    enum RunStop { case done, bound, ordinary, split(index: Int) }

    /// Stores `pairs[start...]` (sorted by `compareKeys`, unique keys, each within `BTreeLimits`) as far
    /// as they share the leaf of `pairs[start]`: every pair below the leaf's upper bound that fits, then
    /// the first one that does not (splitting the leaf, which ends the run). Calls `previous` for each
    /// written pair, before its write, with its index, its key and the value it replaces (nil for a new
    /// key). Values stored in overflow chains (new or replaced) are written one per run through `put`.
    /// Writes at least one pair.
    func putRun<P: SortedPairs>(_ pairs: P, from start: Int,
                previous: (Int, UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> Void) throws -> RunOutcome {
        precondition(start < pairs.count, "a run needs a pair")
        try pager.checkWritable()
        var path = pager.takePath()
        defer { pager.returnPath(path) }
        let (leafID, upper) = try descendBounded(to: pairs.pair(start).key, path: &path)

        var i = start
        // Cleared by any pair that is not a new key appended at its leaf's end (see `RunOutcome`).
        var appendedOnly = true
        let stop: RunStop = try pool.withMutablePage(leafID) { page in
            let node = BTreeNode(page)
            while i < pairs.count {
                let (key, value) = pairs.pair(i)
                let stop: RunStop? = try {
                    let keyPointer = key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                    if i > start, let upper, upper.withUnsafeBytes({ compareKeys(key, $0) }) >= 0 { return .bound }
                    let cellSize = LeafCell.size(keyCount: key.count, valueCount: value.count, overflow: false)
                    if cellSize > limits.maxInlineLeafCell && value.count > 4 { return .ordinary }
                    let n = node.count
                    var index = n, found = false
                    if n > 0 {
                        let last = node.key(n - 1)
                        let c = compareKeys(keyPointer, key.count, last.pointer, last.count)
                        if c <= 0 {
                            (index, found) = node.lowerBound(keyPointer, key.count)
                            appendedOnly = false
                        }
                    }
                    if found {
                        guard case .inline(let old) = node.leafValue(index) else { return .ordinary }
                        try previous(i, key, old)
                        if node.cellSize(index) == cellSize {
                            LeafCell.write(to: page.base + node.slot(index), key: key, value: value,
                                           overflowPage: .none, valueCount: value.count)
                            return nil
                        }
                        node.removeCell(at: index)
                    } else {
                        try previous(i, key, nil)
                    }
                    pager.structureVersion &+= 1
                    guard let target = node.reserveCell(at: index, size: cellSize,
                                                        key: key.baseAddress, keyCount: key.count,
                                                        scratch: pager.scratch[0]) else {
                        return .split(index: index)
                    }
                    LeafCell.write(to: target, key: key, value: value, overflowPage: .none, valueCount: value.count)
                    return nil
                }()
                if let stop { return stop }
                i += 1
            }
            return .done
        }

        switch stop {
        case .done, .bound:
            return RunOutcome(end: i, appendedOnly: appendedOnly, upper: upper)
        case .ordinary:
            guard i == start else { return RunOutcome(end: i, appendedOnly: appendedOnly, upper: upper) }
            let (key, value) = pairs.pair(i)
            let old = try withValue(forKey: key) { Array($0) }
            if let old { try old.withUnsafeBytes { try previous(i, key, $0) } } else { try previous(i, key, nil) }
            try put(key, value)
            return RunOutcome(end: i + 1)
        case .split(let index):
            let (key, value) = pairs.pair(i)
            let cell = pager.scratch[2]
            let size = LeafCell.write(to: cell.base, key: key, value: value, overflowPage: .none, valueCount: value.count)
            try insertSplitting(path: &path, nodeID: leafID, at: index,
                                cell: UnsafeRawBufferPointer(start: cell.base, count: size), sequential: true)
            return RunOutcome(end: i + 1, appendedOnly: appendedOnly, upper: upper, split: true)
        }
    }

    /// Descends to the leaf for `key` like `descend`, and returns the leaf's exclusive upper bound: the
    /// separator after the child taken at the deepest level that has one (nil: the tree's last leaf).
    func descendBounded(to key: UnsafeRawBufferPointer, path: inout BTreePath) throws -> (PageID, [UInt8]?) {
        let keyPointer = key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        path.removeAll()
        var id = root
        var upper: [UInt8]?
        while true {
            let pin = try pool.pinForRead(id)
            let node = BTreeNode(pin.page)
            guard node.isNode else {
                pool.release(pin)
                throw StorageError.corruption(page: id, detail: "tree \(root) links to a page of type \(node.page.rawType)")
            }
            if node.isLeaf {
                pool.release(pin)
                return (id, upper)
            }
            let index = node.childIndex(keyPointer, key.count)
            if index < node.count {
                let separator = node.key(index)
                upper = Array(UnsafeRawBufferPointer(start: separator.pointer, count: separator.count))
            }
            let next = node.child(index)
            pool.release(pin)
            path.append(page: id, index: index)
            id = next
        }
    }
}
