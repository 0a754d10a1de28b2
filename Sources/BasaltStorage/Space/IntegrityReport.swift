/// The result of checking a whole database file: every tree, the free list, and that every page is
/// either reachable from exactly one place or free exactly once.
public struct IntegrityReport: Sendable, Equatable, Codable {
    public var pageSize = 0
    public var pageCount = 0
    public var freePages = 0
    /// Per root slot name ("keyValue", ...), the shape of that tree.
    public var trees: [String: TreeReport] = [:]
    /// Each problem found, as a sentence naming the page; empty when the file is sound.
    public var problems: [String] = []

    public var isClean: Bool { problems.isEmpty }

    public init() {}
}

extension Pager {
    /// Checks the free list, every tree rooted in the header and the page accounting (invariant 2).
    /// `progress` receives (pages checked, page count) now and then.
    func checkIntegrity(progress: ((Int, Int) -> Void)? = nil) throws -> IntegrityReport {
        var report = IntegrityReport()
        report.pageSize = pageSize
        let count = Int(try pageCount())
        report.pageCount = count
        var marks = PageMarks(pageCount: count, progress: progress)
        _ = marks.mark(0)
        do {
            let free = try freePages()
            report.freePages = free.count
            if free.count != (try freePageCount()) {
                report.problems.append("header counts \(try freePageCount()) free pages, the free list holds \(free.count)")
            }
            for id in free where !marks.mark(id) {
                report.problems.append("free page \(id) is out of range or listed twice")
            }
        } catch {
            report.problems.append("free list cannot be read: \(error)")
        }
        for slot in RootSlot.allCases {
            let root = try self.root(slot)
            guard root != .none else { continue }
            let tree = BTree(root: root, pager: self)
            report.trees[String(describing: slot)] = tree.verify(marks: &marks, problems: &report.problems)
        }
        var leaked = 0
        for id in 0..<count where !marks.isMarked(id) {
            leaked += 1
            if leaked <= 20 { report.problems.append("page \(id) is neither reachable nor free") }
        }
        if leaked > 20 { report.problems.append("\(leaked - 20) more pages are neither reachable nor free") }
        return report
    }
}
