/// A B+tree of byte-string keys and values stored in the pages of one `Pager`.
///
/// The root page never moves: when the root splits its contents move to a new child, and when the tree
/// shrinks to one child that child's contents move up into the root. So a tree is identified by its root
/// page id forever, and catalogs never need updating when a tree changes shape.
///
/// Keys are unique and compare as bytes (`compareKeys`). Values up to `BTreeLimits.maxValueSize` bytes;
/// a value that would make its leaf cell larger than `maxInlineLeafCell` lives in an overflow chain.
///
/// Not thread-safe: the pager's owner serialises calls. Closures passed to reading methods must not
/// change the tree.
struct BTree {
    let root: PageID
    let pager: Pager

    init(root: PageID, pager: Pager) {
        self.root = root
        self.pager = pager
    }

    var limits: BTreeLimits { pager.limits }

    var pool: BufferPool { pager.pool }

    /// Allocates an empty tree (a root that is an empty leaf).
    static func create(in pager: Pager) throws -> BTree {
        let id = try pager.allocate()
        try pager.pool.withNewPage(id, type: .leaf) { page in
            BTreeNode(page).initialize(leaf: true, id: id)
        }
        return BTree(root: id, pager: pager)
    }

    // MARK: Reads

    /// Calls `body` with the value stored under `key` (bytes valid only during the call); nil if absent.
    func withValue<R>(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        let keyPointer = key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        var id = root
        while true {
            let pin = try pool.pinForRead(id)
            let node = BTreeNode(pin.page)
            guard node.isNode else {
                pool.release(pin)
                throw StorageError.corruption(page: id, detail: "tree \(root) links to a page of type \(node.page.rawType)")
            }
            if node.isLeaf {
                defer { pool.release(pin) }
                let (index, found) = node.lowerBound(keyPointer, key.count)
                guard found else { return nil }
                return try withLeafValue(node, index, body)
            }
            let next = node.child(node.childIndex(keyPointer, key.count))
            pool.release(pin)
            id = next
        }
    }

    /// Calls `body(i, value)` for each key `key(i)`, `i` in `0 ..< count`, stored in the tree (bytes
    /// valid only during the call). The keys must ascend by `compareKeys` (repeats allowed): a key below
    /// the upper bound of the leaf that held the previous one lies in that leaf, so consecutive keys
    /// in one leaf share one descent.
    func withValues(count: Int, key: (Int) -> UnsafeRawBufferPointer,
                    _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        guard count > 0 else { return }
        var path = pager.takePath()
        defer { pager.returnPath(path) }
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.lookupGroup) { candidates in
            var i = 0
            while i < count {
                let (leaf, upper) = try descendBounded(to: key(i), path: &path)
                // One pin per leaf for the run of keys below its upper bound (the keys ascend).
                let pin = try pool.pinForRead(leaf)
                defer { pool.release(pin) }
                let node = BTreeNode(pin.page)
                node.prefetchSlots()
                var start = 0
                repeat {
                    // Group prefetching: the cells of a sparse run of keys lie far apart, and a search
                    // that reads each in turn waits for one miss after another. First each key's
                    // position from the slot prefixes alone (slots only), its cell prefetched; then the
                    // exact searches, which start at those positions and find the cells arriving.
                    var n = 0
                    repeat {
                        let k = key(i + n)
                        start = node.prefixLowerBound(k.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, k.count, from: start)
                        candidates[n] = start
                        node.prefetchCell(start)
                        n += 1
                    } while n < Self.lookupGroup && i + n < count
                        && upper.map({ u in u.withUnsafeBytes { compareKeys(key(i + n), $0) } < 0 }) ?? true
                    for g in 0..<n {
                        let k = key(i)
                        let (index, found) = node.lowerBound(k.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, k.count,
                                                             from: candidates[g])
                        if found { try withLeafValue(node, index) { try body(i, $0) } }
                        i += 1
                    }
                } while i < count && upper.map({ u in u.withUnsafeBytes { compareKeys(key(i), $0) } < 0 }) ?? true
            }
        }
    }

    /// Keys of a sorted lookup whose cells `withValues` prefetches together.
    static let lookupGroup = 16

    /// Calls `body` with the value of cell `index` of leaf `node`, read from its overflow chain when it
    /// has one (bytes valid only during the call).
    @inline(__always)
    func withLeafValue<R>(_ node: BTreeNode, _ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        switch node.leafValue(index) {
        case .inline(let bytes):
            return try body(bytes)
        case let .overflow(length, first):
            let value = try readOverflow(first: first, length: length)
            return try value.withUnsafeBytes { try body($0) }
        }
    }

    /// The value stored under `key`, or nil.
    func get(_ key: [UInt8]) throws -> [UInt8]? {
        try key.withUnsafeBytes { k in try withValue(forKey: k) { Array($0) } }
    }

    /// Whether the tree has no keys.
    func isEmpty() throws -> Bool {
        try pool.withPageForRead(root) { page in BTreeNode(page).count == 0 }
    }

    // MARK: Descent with a path

    /// Descends to the leaf for `key`, recording in `path` each internal node and the child taken.
    func descend(to key: UnsafeRawBufferPointer, path: inout BTreePath) throws -> PageID {
        let keyPointer = key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        path.removeAll()
        var id = root
        while true {
            let frame = try pool.pin(id)
            let node = BTreeNode(pool.page(ofFrame: frame))
            guard node.isNode else {
                pool.unpin(frame)
                throw StorageError.corruption(page: id, detail: "tree \(root) links to a page of type \(node.page.rawType)")
            }
            if node.isLeaf {
                pool.unpin(frame)
                return id
            }
            let index = node.childIndex(keyPointer, key.count)
            let next = node.child(index)
            pool.unpin(frame)
            path.append(page: id, index: index)
            id = next
        }
    }

    // MARK: Writes

    /// Stores `value` under `key`, replacing any previous value.
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws {
        try limits.check(keyCount: key.count, valueCount: value.count)
        try pager.checkWritable()
        var path = pager.takePath()
        defer { pager.returnPath(path) }
        let leafID = try descend(to: key, path: &path)
        let keyPointer = key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!

        // Large values go to their overflow chain before the leaf is touched.
        let inlineSize = LeafCell.size(keyCount: key.count, valueCount: value.count, overflow: false)
        let overflows = inlineSize > limits.maxInlineLeafCell && value.count > 4
        let firstOverflow: PageID = overflows ? try writeOverflow(value) : .none
        let cellSize = overflows
            ? LeafCell.size(keyCount: key.count, valueCount: value.count, overflow: true) : inlineSize

        var oldOverflow: PageID = .none
        let inserted: Bool = try pool.withMutablePage(leafID) { page in
            let node = BTreeNode(page)
            let (index, found) = node.lowerBound(keyPointer, key.count)
            if found {
                if case let .overflow(_, first) = node.leafValue(index) { oldOverflow = first }
                if node.cellSize(index) == cellSize {
                    LeafCell.write(to: page.base + node.slot(index), key: key, value: value,
                                   overflowPage: firstOverflow, valueCount: value.count)
                    return true
                }
                node.removeCell(at: index)
            }
            // Slot indexes shift: cursors must re-seek.
            pager.structureVersion &+= 1
            guard let target = node.reserveCell(at: index, size: cellSize, key: key.baseAddress, keyCount: key.count,
                                                scratch: pager.scratch[0]) else {
                return false
            }
            LeafCell.write(to: target, key: key, value: value, overflowPage: firstOverflow, valueCount: value.count)
            return true
        }
        if !inserted {
            let cell = pager.scratch[2]
            let size = LeafCell.write(to: cell.base, key: key, value: value,
                                      overflowPage: firstOverflow, valueCount: value.count)
            let index = try pool.withPage(leafID) { BTreeNode($0).lowerBound(keyPointer, key.count).index }
            try insertSplitting(path: &path, nodeID: leafID, at: index,
                                cell: UnsafeRawBufferPointer(start: cell.base, count: size))
        }
        if oldOverflow != .none { try freeOverflow(first: oldOverflow) }
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try put(k, v) } }
    }

    /// Removes `key`; returns whether it was present.
    @discardableResult
    func delete(_ key: UnsafeRawBufferPointer) throws -> Bool {
        try pager.checkWritable()
        var path = pager.takePath()
        defer { pager.returnPath(path) }
        let leafID = try descend(to: key, path: &path)
        let keyPointer = key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        var oldOverflow: PageID = .none
        let (found, underflow): (Bool, Bool) = try pool.withMutablePage(leafID) { page in
            let node = BTreeNode(page)
            let (index, found) = node.lowerBound(keyPointer, key.count)
            guard found else { return (false, false) }
            if case let .overflow(_, first) = node.leafValue(index) { oldOverflow = first }
            node.removeCell(at: index)
            pager.structureVersion &+= 1
            return (true, node.usedBytes < limits.underflowBytes)
        }
        guard found else { return false }
        if oldOverflow != .none { try freeOverflow(first: oldOverflow) }
        if underflow && path.depth > 0 {
            try rebalance(path: &path, nodeID: leafID)
        }
        return true
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try delete($0) }
    }
}

/// The internal nodes visited on the way to a leaf, root first, with the child index taken in each.
struct BTreePath {
    private(set) var pages: [PageID] = []
    private(set) var indexes: [Int] = []

    init() {
        pages.reserveCapacity(16)
        indexes.reserveCapacity(16)
    }

    var depth: Int { pages.count }

    mutating func removeAll() {
        pages.removeAll(keepingCapacity: true)
        indexes.removeAll(keepingCapacity: true)
    }

    mutating func append(page: PageID, index: Int) {
        pages.append(page)
        indexes.append(index)
    }

    /// Inserts a level above all others (the root pushed its contents down into `pages[0]`'s place).
    mutating func prepend(page: PageID, index: Int) {
        pages.insert(page, at: 0)
        indexes.insert(index, at: 0)
    }

    mutating func removeLast() {
        pages.removeLast()
        indexes.removeLast()
    }

    mutating func setPage(_ level: Int, _ id: PageID) { pages[level] = id }
}

/// Encoding of leaf cells (see `BTreeNode` for the layout).
enum LeafCell {
    @inline(__always)
    static func size(keyCount: Int, valueCount: Int, overflow: Bool) -> Int {
        let field = UInt64(valueCount) << 1 | (overflow ? 1 : 0)
        return Varint.size(UInt64(keyCount)) + Varint.size(field) + keyCount + (overflow ? 4 : valueCount)
    }

    /// Writes a leaf cell; the value goes inline unless `overflowPage` is set. Returns the bytes written.
    @discardableResult @inline(__always)
    static func write(to target: UnsafeMutableRawPointer, key: UnsafeRawBufferPointer,
                      value: UnsafeRawBufferPointer, overflowPage: PageID, valueCount: Int) -> Int {
        let overflow = overflowPage != .none
        var n = Varint.write(UInt64(key.count), to: target)
        n += Varint.write(UInt64(valueCount) << 1 | (overflow ? 1 : 0), to: target + n)
        if key.count > 0 { (target + n).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        n += key.count
        if overflow {
            (target + n).storeBytes(of: overflowPage.littleEndian, as: UInt32.self)
            return n + 4
        }
        if value.count > 0 { (target + n).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        return n + value.count
    }
}

/// Encoding of internal cells (see `BTreeNode`).
enum InternalCell {
    static func make(child: PageID, key: UnsafeRawBufferPointer) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4 + Varint.size(UInt64(key.count)) + key.count)
        bytes.withUnsafeMutableBytes { out in
            out.storeBytes(of: child.littleEndian, as: UInt32.self)
            let n = Varint.write(UInt64(key.count), to: out.baseAddress! + 4)
            if key.count > 0 { (out.baseAddress! + 4 + n).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        }
        return bytes
    }

    static func child(of cell: UnsafeRawBufferPointer) -> PageID {
        UInt32(littleEndian: cell.loadUnaligned(as: UInt32.self))
    }

    static func key(of cell: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let (length, size) = Varint.read(cell.baseAddress! + 4)
        return UnsafeRawBufferPointer(start: cell.baseAddress! + 4 + size, count: Int(length))
    }

    static func key(ofLeafCell cell: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let (length, s1) = Varint.read(cell.baseAddress!)
        let (_, s2) = Varint.read(cell.baseAddress! + s1)
        return UnsafeRawBufferPointer(start: cell.baseAddress! + s1 + s2, count: Int(length))
    }
}
