/// Several key changes as one self-committing logged operation: the changed pages of all of them go into
/// one `update` record, so the group is in the log entirely or not at all, with no transaction records
/// and no undo. Every page the group touches stays pinned until the record is appended, so the group must
/// fit in the buffer pool; larger groups use a transaction (`beginTransaction`, `put(transaction:)`).
extension StorageEngine {
    /// The writes of one atomic group; valid only inside `atomically`'s closure.
    package struct AtomicWriter {
        let engine: StorageEngine

        /// Stores `value` under `key` in the tree of `slot` (created when missing).
        package func put(_ slot: RootSlot, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws {
            try engine.pager.limits.check(keyCount: key.count, valueCount: value.count)
            try engine.tree(slot).put(key, value)
        }

        /// Removes `key` from the tree of `slot`; returns whether it was present.
        @discardableResult
        package func delete(_ slot: RootSlot, _ key: UnsafeRawBufferPointer) throws -> Bool {
            guard let tree = try engine.existingTree(slot) else { return false }
            return try tree.delete(key)
        }

        /// Calls `body` with the value under `key`; nil when absent.
        package func withValue<R>(_ slot: RootSlot, _ key: UnsafeRawBufferPointer,
                                  _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
            try engine.existingTree(slot)?.withValue(forKey: key, body)
        }
    }

    /// Runs `body` as one self-committing logged operation and returns its result and the LSN to make
    /// durable (nil when nothing changed). If `body` throws, every page it changed is put back and the
    /// error is rethrown: nothing of the group happened. A group that needs more pages than the pool
    /// holds throws `bufferPoolExhausted` (and changes nothing).
    ///
    /// Spilling is off inside a group: a group may free a page (replacing one value) and reuse it
    /// (writing the next), and a spilled image of a reused page would be installed by redo even if the
    /// group's own record never reached the log, overwriting a page the surviving state still uses.
    package func atomically<R>(_ body: (AtomicWriter) throws -> R) throws -> (result: R, lsn: LSN?) {
        try checkWritable()
        let capture = pager.pool.capture
        let threshold = capture.spillThreshold
        capture.spillThreshold = .max
        defer { capture.spillThreshold = threshold }
        let writer = AtomicWriter(engine: self)
        let outcome = try logged(.update(selfCommitting: true, undo: .none), in: nil) { try body(writer) }
        try checkpointIfDue()
        return outcome
    }

    /// Frames in the buffer pool: what bounds the pages one atomic group may touch.
    package var bufferPoolFrames: Int { pager.pool.frameCount }
    /// Bytes of page frames in the buffer pool.
    package var bufferPoolBytes: Int { pager.pool.frameCount * pager.pageSize }

    /// Whether the tree of `slot` holds no key (or does not exist yet).
    package func isEmpty(_ slot: RootSlot) throws -> Bool {
        try pager.checkOpen()
        return try existingTree(slot)?.isEmpty() ?? true
    }
}
