/// Shape and fill figures of one tree, gathered by `BTree.verify`.
public struct TreeReport: Sendable, Equatable, Codable {
    /// Levels from the root to the leaves (1: the root is a leaf).
    public var height = 0
    public var leafPages = 0
    public var internalPages = 0
    public var overflowPages = 0
    /// Key/value pairs.
    public var keys = 0
    /// Bytes of cells and slots in all nodes.
    public var usedBytes = 0
    /// Bytes available for cells and slots in all nodes.
    public var capacityBytes = 0

    /// usedBytes / capacityBytes.
    public var fillFactor: Double { capacityBytes == 0 ? 0 : Double(usedBytes) / Double(capacityBytes) }

    public init() {}
}

/// Tracks which pages a check has reached, to find pages reachable twice or not at all.
struct PageMarks {
    private var marks: [UInt8]
    private(set) var marked = 0
    /// Called with (pages marked, page count) every 1024 pages, for progress displays.
    var progress: ((Int, Int) -> Void)?

    init(pageCount: Int, progress: ((Int, Int) -> Void)? = nil) {
        marks = Array(repeating: 0, count: pageCount)
        self.progress = progress
    }
    var count: Int { marks.count }
    /// Marks `id`; false (and a problem for the caller) when it is out of range or already marked.
    mutating func mark(_ id: PageID) -> Bool {
        guard Int(id) < marks.count, marks[Int(id)] == 0 else { return false }
        marks[Int(id)] = 1
        marked += 1
        if marked & 1023 == 0 { progress?(marked, marks.count) }
        return true
    }
    func isMarked(_ id: Int) -> Bool { marks[id] != 0 }
}

extension BTree {
    /// Checks every invariant of the tree — page types, cell layout (in bounds, no overlap, free space
    /// accounted for), strictly increasing keys within each separator's bounds, non-empty non-root nodes,
    /// equal leaf depth, leaf links in both directions, overflow chains matching their lengths — and marks
    /// every page it reaches. Problems are appended as sentences naming the page; stops after `limit`.
    func verify(marks: inout PageMarks, problems: inout [String], limit: Int = 100) -> TreeReport {
        var report = TreeReport()
        var leaves: [(id: PageID, previous: PageID, next: PageID)] = []
        var leafDepth: Int?
        var context = VerifyContext(limit: limit)
        verifyNode(root, lower: nil, upper: nil, depth: 1, isRoot: true, marks: &marks, report: &report,
                   leaves: &leaves, leafDepth: &leafDepth, context: &context)
        report.height = leafDepth ?? 0
        for (i, leaf) in leaves.enumerated() {
            let expectedPrevious = i == 0 ? PageID.none : leaves[i - 1].id
            let expectedNext = i + 1 == leaves.count ? PageID.none : leaves[i + 1].id
            if leaf.previous != expectedPrevious {
                context.add("leaf \(leaf.id) links back to \(leaf.previous), expected \(expectedPrevious)")
            }
            if leaf.next != expectedNext {
                context.add("leaf \(leaf.id) links forward to \(leaf.next), expected \(expectedNext)")
            }
        }
        problems.append(contentsOf: context.problems)
        return report
    }

    private struct VerifyContext {
        let limit: Int
        var problems: [String] = []
        mutating func add(_ problem: String) {
            if problems.count < limit { problems.append(problem) }
        }
        var full: Bool { problems.count >= limit }
    }

    private func verifyNode(_ id: PageID, lower: [UInt8]?, upper: [UInt8]?, depth: Int, isRoot: Bool,
                            marks: inout PageMarks, report: inout TreeReport,
                            leaves: inout [(id: PageID, previous: PageID, next: PageID)],
                            leafDepth: inout Int?, context: inout VerifyContext) {
        guard !context.full else { return }
        guard marks.mark(id) else {
            context.add("page \(id) is out of range or reachable more than once (tree \(root))")
            return
        }
        var children: [(PageID, [UInt8]?, [UInt8]?)] = []
        do {
            try pool.withPage(id) { page in
                let node = BTreeNode(page)
                guard page.type == .leaf || page.type == .internal else {
                    context.add("page \(id) in tree \(root) has type \(page.rawType), expected a node")
                    return
                }
                checkLayout(node, context: &context)
                let n = node.count
                if !isRoot && n == 0 { context.add("non-root node \(id) is empty") }
                report.usedBytes += node.usedBytes
                report.capacityBytes += limits.usable
                var previousKey: [UInt8]? = nil
                for i in 0..<n {
                    let key = node.keyBytes(i)
                    if let previousKey, !previousKey.lexicographicallyPrecedes(key) {
                        context.add("page \(id): key \(i) is not greater than key \(i - 1)")
                    }
                    if let lower, key.lexicographicallyPrecedes(lower) {
                        context.add("page \(id): key \(i) lies below its separator bound")
                    }
                    if let upper, !key.lexicographicallyPrecedes(upper) {
                        context.add("page \(id): key \(i) lies at or above its separator bound")
                    }
                    previousKey = key
                }
                if node.isLeaf {
                    if let leafDepth, leafDepth != depth {
                        context.add("leaf \(id) is at depth \(depth), other leaves at \(leafDepth)")
                    }
                    leafDepth = depth
                    report.leafPages += 1
                    report.keys += n
                    leaves.append((id, node.previous, node.next))
                    for i in 0..<n {
                        if case let .overflow(length, first) = node.leafValue(i) {
                            verifyOverflow(first: first, length: length, leaf: id, marks: &marks, report: &report,
                                           context: &context)
                        }
                    }
                } else {
                    report.internalPages += 1
                    if n == 0 && isRoot { context.add("internal root \(id) has no keys") }
                    for i in 0...n {
                        let low = i == 0 ? lower : node.keyBytes(i - 1)
                        let high = i == n ? upper : node.keyBytes(i)
                        children.append((node.child(i), low, high))
                    }
                }
            }
        } catch {
            context.add("page \(id) cannot be read: \(error)")
            return
        }
        for (child, low, high) in children {
            verifyNode(child, lower: low, upper: high, depth: depth + 1, isRoot: false, marks: &marks,
                       report: &report, leaves: &leaves, leafDepth: &leafDepth, context: &context)
        }
    }

    private func checkLayout(_ node: BTreeNode, context: inout VerifyContext) {
        let id = node.page.id
        let size = node.page.size
        let n = node.count
        let start = node.contentStart
        guard start >= BTreeNode.headerSize + BTreeNode.slotSize * n, start <= size else {
            context.add("page \(id): content start \(start) overlaps \(n) slots or lies outside the page")
            return
        }
        var extents: [(Int, Int)] = []
        for i in 0..<n {
            let offset = node.slot(i)
            guard offset >= start, offset < size else {
                context.add("page \(id): slot \(i) points outside the content area")
                return
            }
            let cellSize = node.cellSize(atOffset: offset)
            guard offset + cellSize <= size else {
                context.add("page \(id): cell \(i) runs past the end of the page")
                return
            }
            extents.append((offset, cellSize))
            let cell = UnsafeRawBufferPointer(start: node.page.base + offset, count: cellSize)
            let skip = node.prefixSkip
            if skip > 0 {
                let key = node.isLeaf ? InternalCell.key(ofLeafCell: cell) : InternalCell.key(of: cell)
                let first = node.key(0)
                if key.count < skip || first.count < skip || compareKeys(key.baseAddress!, skip, first.pointer, skip) != 0 {
                    context.add("page \(id): key \(i) does not start with the node's \(skip) shared prefix bytes")
                    continue
                }
            }
            if node.slotPrefix(i) != node.prefix(ofCell: cell) {
                context.add("page \(id): slot \(i) carries a key prefix that differs from its key")
            }
        }
        extents.sort { $0.0 < $1.0 }
        var live = 0
        for (i, extent) in extents.enumerated() {
            live += extent.1
            if i > 0, extents[i - 1].0 + extents[i - 1].1 > extent.0 {
                context.add("page \(id): cells overlap at offset \(extent.0)")
                return
            }
        }
        if live + node.garbage != size - start {
            context.add("page \(id): \(live) live + \(node.garbage) garbage bytes do not fill the content area of \(size - start)")
        }
    }

    private func verifyOverflow(first: PageID, length: Int, leaf: PageID, marks: inout PageMarks,
                                report: inout TreeReport, context: inout VerifyContext) {
        var id = first
        var total = 0
        while id != .none {
            guard marks.mark(id) else {
                context.add("overflow page \(id) (from leaf \(leaf)) is out of range or reachable twice")
                return
            }
            report.overflowPages += 1
            do {
                id = try pool.withPage(id) { page in
                    guard page.type == .overflow else {
                        context.add("page \(id) in an overflow chain of leaf \(leaf) has type \(page.rawType)")
                        return .none
                    }
                    let overflow = OverflowPage(page: page)
                    total += overflow.length
                    return overflow.next
                }
            } catch {
                context.add("overflow page \(id) cannot be read: \(error)")
                return
            }
        }
        if total != length {
            context.add("overflow chain of leaf \(leaf) holds \(total) bytes, the cell says \(length)")
        }
    }
}
