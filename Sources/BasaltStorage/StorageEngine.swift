/// How a `StorageEngine` opens its file.
package struct StorageOptions: Sendable {
    package var pageSize: Int
    package var bufferPoolBytes: Int
    package var eviction: EvictionPolicyKind

    package init(pageSize: Int = 8192, bufferPoolBytes: Int = 64 << 20, eviction: EvictionPolicyKind = .clock) {
        self.pageSize = pageSize
        self.bufferPoolBytes = bufferPoolBytes
        self.eviction = eviction
    }
}

/// The storage layer's surface for the layers above: one database file, its trees by root slot, and the
/// integrity check. The client layer serialises every call (it is not thread-safe).
///
/// Any I/O failure while changing pages turns the engine read-only until reopened (`Pager` invariant 4).
package final class StorageEngine {
    let pager: Pager

    /// Opens or creates the database file. Throws `StorageError` (`databaseLocked`, `notADatabase`,
    /// `unsupportedFormatVersion`, `corruption`, `ioFailure`, `invalidConfiguration`) without changing an
    /// existing file.
    package init(fileSystem: any FileSystem, path: String, options: StorageOptions) throws {
        let minimum = (BufferPool.minimumFrames + Pager.scratchPageCount) * options.pageSize
        guard options.bufferPoolBytes >= minimum else {
            throw StorageError.invalidConfiguration(
                "buffer pool of \(options.bufferPoolBytes) bytes is below the minimum of \(minimum) for \(options.pageSize)-byte pages")
        }
        pager = try Pager(fileSystem: fileSystem, path: path, pageSize: options.pageSize,
                          bufferPoolBytes: options.bufferPoolBytes, eviction: options.eviction)
    }

    /// The page size of the file (an existing file keeps the one it was created with).
    package var pageSize: Int { pager.pageSize }
    /// The largest key a tree of this file accepts.
    package var maxKeySize: Int { pager.limits.maxKeySize }

    /// The tree in `slot`, created (as an empty leaf root) when missing.
    private func tree(_ slot: RootSlot) throws -> BTree {
        let root = try pager.root(slot)
        if root != .none { return BTree(root: root, pager: pager) }
        let tree = try BTree.create(in: pager)
        try pager.setRoot(slot, tree.root)
        return tree
    }

    /// The tree in `slot` if it exists.
    private func existingTree(_ slot: RootSlot) throws -> BTree? {
        let root = try pager.root(slot)
        return root == .none ? nil : BTree(root: root, pager: pager)
    }

    /// Runs a change, turning the engine read-only when the file failed underneath it.
    private func changing<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as StorageError {
            switch error {
            case .ioFailure, .diskFull: pager.fail(error)
            default: break
            }
            throw error
        }
    }

    // MARK: Key-value operations

    package func get(_ slot: RootSlot, _ key: [UInt8]) throws -> [UInt8]? {
        try pager.checkOpen()
        return try existingTree(slot)?.get(key)
    }

    package func withValue<R>(_ slot: RootSlot, _ key: UnsafeRawBufferPointer,
                              _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try pager.checkOpen()
        return try existingTree(slot)?.withValue(forKey: key, body)
    }

    package func put(_ slot: RootSlot, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws {
        // Checked before the tree is created, so a rejected put leaves a fresh file untouched.
        try pager.limits.check(keyCount: key.count, valueCount: value.count)
        try changing { try tree(slot).put(key, value) }
    }

    @discardableResult
    package func delete(_ slot: RootSlot, _ key: UnsafeRawBufferPointer) throws -> Bool {
        try changing { try existingTree(slot)?.delete(key) ?? false }
    }

    /// Applies `pairs` (any order; for a repeated key the last pair wins). Sorted first, so pages are
    /// touched in key order; an empty tree is bulk-loaded bottom-up instead of split repeatedly.
    /// Every pair is checked against the size limits first: an oversized one fails the whole batch
    /// before anything changes.
    package func putBatch(_ slot: RootSlot, _ pairs: [([UInt8], [UInt8])]) throws {
        for (key, value) in pairs { try pager.limits.check(keyCount: key.count, valueCount: value.count) }
        try changing {
            let tree = try tree(slot)
            let order = pairs.indices.sorted { a, b in
                let c = pairs[a].0.withUnsafeBytes { x in pairs[b].0.withUnsafeBytes { y in compareKeys(x, y) } }
                return c != 0 ? c < 0 : a < b
            }
            // Keep the last pair of each run of equal keys.
            var unique: [Int] = []
            unique.reserveCapacity(order.count)
            for index in order {
                if let last = unique.last, pairs[last].0 == pairs[index].0 {
                    unique[unique.count - 1] = index
                } else {
                    unique.append(index)
                }
            }
            if try tree.isEmpty() {
                try tree.bulkLoad(unique.lazy.map { (key: pairs[$0].0, value: pairs[$0].1) })
            } else {
                for index in unique { try tree.put(pairs[index].0, pairs[index].1) }
            }
        }
    }

    /// Visits pairs with `lower <= key < upper` in key order (descending when `reverse`) until `body`
    /// returns false; bytes are valid only during each call. Returns the number visited.
    @discardableResult
    package func scan(_ slot: RootSlot, lower: UnsafeRawBufferPointer?, upper: UnsafeRawBufferPointer?,
                      reverse: Bool = false,
                      _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws -> Int {
        try pager.checkOpen()
        guard let tree = try existingTree(slot) else { return 0 }
        return try tree.scan(lower: lower, upper: upper, reverse: reverse, body)
    }

    // MARK: Whole-file operations

    /// Writes every dirty page and syncs the file.
    package func flush() throws { try pager.flush() }

    /// Flushes and releases the file and its lock.
    package func close() throws { try pager.close() }

    /// Checks every invariant of the file (see `IntegrityReport`).
    package func checkIntegrity(progress: ((Int, Int) -> Void)? = nil) throws -> IntegrityReport {
        try pager.checkOpen()
        return try pager.checkIntegrity(progress: progress)
    }

    /// The buffer pool's counters.
    package var bufferPoolStatistics: BufferPoolStatistics { pager.pool.statistics }

    /// Pages in the file and how many of them are free.
    package func spaceStatistics() throws -> (pageCount: Int, freePages: Int) {
        (Int(try pager.pageCount()), try pager.freePageCount())
    }

    /// The error that turned the engine read-only, if any.
    package var failure: StorageError? { pager.failure }

    /// Pages pinned right now; zero between operations (tests assert it).
    package var pinnedPages: Int { pager.pool.pinnedCount }
}
