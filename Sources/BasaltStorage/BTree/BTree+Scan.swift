/// Range scans along the leaf links, forward or backward.
extension BTree {
    /// Visits the pairs with `lower <= key < upper` (either bound optional) in key order — descending
    /// when `reverse` — until `body` returns false. Key and value bytes are valid only during the call.
    /// `body` must not change the tree. Returns the number of pairs visited.
    @discardableResult
    func scan(lower: UnsafeRawBufferPointer?, upper: UnsafeRawBufferPointer?, reverse: Bool = false,
              _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws -> Int {
        var visited = 0
        if !reverse {
            var (leaf, index) = try position(atOrAfter: lower)
            while leaf != .none {
                let pin = try pool.pinForRead(leaf)
                defer { pool.release(pin) }
                let node = BTreeNode(pin.page)
                guard node.isLeaf else {
                    throw StorageError.corruption(page: leaf, detail: "leaf chain reaches a page of type \(node.page.rawType)")
                }
                // A leaf whose last key is below `upper` needs no comparison per key.
                var bounded = upper
                if let upper, node.count > 0 {
                    let last = node.key(node.count - 1)
                    if compareKeys(UnsafeRawBufferPointer(start: last.pointer, count: last.count), upper) < 0 { bounded = nil }
                }
                while index < node.count {
                    node.prefetchCell(index + Self.scanPrefetchDistance)
                    let k = node.key(index)
                    let key = UnsafeRawBufferPointer(start: k.pointer, count: k.count)
                    if let bounded, compareKeys(key, bounded) >= 0 { return visited }
                    visited += 1
                    guard try visit(node, index, key, body) else { return visited }
                    index += 1
                }
                leaf = node.next
                index = 0
            }
        } else {
            var (leaf, index) = try position(before: upper)
            while leaf != .none {
                let pin = try pool.pinForRead(leaf)
                defer { pool.release(pin) }
                let node = BTreeNode(pin.page)
                guard node.isLeaf else {
                    throw StorageError.corruption(page: leaf, detail: "leaf chain reaches a page of type \(node.page.rawType)")
                }
                if index == Int.max { index = node.count - 1 }
                while index >= 0 {
                    node.prefetchCell(index - Self.scanPrefetchDistance)
                    let k = node.key(index)
                    let key = UnsafeRawBufferPointer(start: k.pointer, count: k.count)
                    if let lower, compareKeys(key, lower) < 0 { return visited }
                    visited += 1
                    guard try visit(node, index, key, body) else { return visited }
                    index -= 1
                }
                leaf = node.previous
                index = Int.max
            }
        }
        return visited
    }

    /// How many cells ahead of the visited one a scan prefetches: far enough that a miss completes
    /// while the visitor decodes the cells in between (~100 ns each), near enough to stay within a page.
    static let scanPrefetchDistance = 4

    @inline(__always)
    private func visit(_ node: BTreeNode, _ index: Int, _ key: UnsafeRawBufferPointer,
                       _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws -> Bool {
        try withLeafValue(node, index) { try body(key, $0) }
    }

    /// The leaf and index of the first key >= `key` (the leftmost position when nil). The index may equal
    /// the leaf's count (the position lies at the start of the next leaf).
    func position(atOrAfter key: UnsafeRawBufferPointer?) throws -> (PageID, Int) {
        var id = root
        while true {
            let next: PageID? = try pool.withPageForRead(id) { page in
                let node = BTreeNode(page)
                guard node.isNode else {
                    throw StorageError.corruption(page: id, detail: "tree \(root) links to a page of type \(page.rawType)")
                }
                guard !node.isLeaf else { return nil }
                guard let key else { return node.child(0) }
                return node.child(node.childIndex(key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, key.count))
            }
            guard let next else { break }
            id = next
        }
        guard let key else { return (id, 0) }
        let index = try pool.withPageForRead(id) {
            BTreeNode($0).lowerBound(key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, key.count).index
        }
        return (id, index)
    }

    /// The leaf and index of the last key < `key` (the rightmost when nil); index `Int.max` means "the
    /// last cell of that leaf", and a negative index continues in the previous leaf.
    func position(before key: UnsafeRawBufferPointer?) throws -> (PageID, Int) {
        var id = root
        while true {
            let next: PageID? = try pool.withPageForRead(id) { page in
                let node = BTreeNode(page)
                guard node.isNode else {
                    throw StorageError.corruption(page: id, detail: "tree \(root) links to a page of type \(page.rawType)")
                }
                guard !node.isLeaf else { return nil }
                guard let key else { return node.rightmostChild }
                // The child holding keys just below `key`: the one whose range contains key - ε.
                let p = key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                var low = 0, high = node.count
                while low < high {
                    let mid = (low + high) >> 1
                    let k = node.key(mid)
                    if compareKeys(k.pointer, k.count, p, key.count) < 0 { low = mid + 1 } else { high = mid }
                }
                return node.child(low)
            }
            guard let next else { break }
            id = next
        }
        guard let key else { return (id, Int.max) }
        let index = try pool.withPageForRead(id) {
            BTreeNode($0).lowerBound(key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, key.count).index
        }
        return (id, index - 1)
    }
}
