/// Checkpoints bound recovery: after one, recovery starts at its begin record instead of the start of
/// the log, and older log segments are deleted.
///
/// Protocol:
/// 1. Append `checkpointBegin`; its LSN becomes the redo point. From now on a page's first change logs a
///    full image (`PageRedo`). List the pages dirty at this moment.
/// 2. Write back each listed page still dirty (each after the log is durable through its LSN), then
///    sync the data file. Every change below the redo point is now in the file: a listed page was
///    written here or by an eviction since, an unlisted one was clean at the redo point, and whatever
///    changed a page after it is logged after it.
/// 3. Append `checkpointEnd` with the transaction table (and dirty page table) and sync the log.
/// 4. Record the checkpoint in the control file (synced): redo point, end record, oldest segment needed
///    — the segment holding the redo point or the first record of the oldest active transaction,
///    whichever is older, since rolling that transaction back needs its records.
/// 5. Delete the segments below it.
///
/// A crash anywhere before step 4 leaves the previous checkpoint in force, whose segments still exist.
/// Each step runs under the client's lock; transactions may be active across it.
///
/// `checkpoint()` runs the steps in one go. A database's background thread runs them as an
/// `IncrementalCheckpoint` instead (ARIES's fuzzy checkpoint): it releases the client's lock between
/// batches of step 2, for the data file's sync and for step 5, so reads and commits go on meanwhile,
/// where a checkpoint in one go held up every other thread until it ended (YCSB A, 1M records, two
/// threads: the worst read went from 266 ms to 16 ms, the worst update from 286 ms to 55 ms). A
/// checkpoint that completes while an incremental one is under way supersedes it: the older one stops
/// without touching the control file, which must never go back to an older redo point whose segments
/// the newer one may have deleted.
extension StorageEngine {
    /// Takes a checkpoint now, in one go. A failure turns the engine read-only.
    package func checkpoint() throws {
        var step = try beginCheckpoint()
        while try !continueCheckpoint(&step, pages: .max) {}
        try deleteRetiredSegments(try finishCheckpoint(step))
    }

    /// Step 1 (protocol above): appends the begin record and lists the dirty pages.
    package func beginCheckpoint() throws -> IncrementalCheckpoint {
        try checkWritable()
        let begin = try appendOrFail(LogRecord(transaction: 0, previousLSN: 0, type: .checkpointBegin, payload: []))
        redoPoint = begin
        return IncrementalCheckpoint(begin: begin, pages: pager.pool.dirtyPageIDs(), completedBefore: checkpointCount)
    }

    /// Step 2's write-back, up to `pages` of the listed pages; returns whether all are done (also when
    /// another checkpoint completed meanwhile, which supersedes this one).
    package func continueCheckpoint(_ step: inout IncrementalCheckpoint, pages: Int) throws -> Bool {
        guard checkpointCount == step.completedBefore else { return true }
        let end = step.next + min(pages, step.pages.count - step.next)
        try pager.writeBack(pages: step.pages[step.next..<end])
        step.next = end
        return end == step.pages.count
    }

    /// Steps 2 (the sync) to 4, once `continueCheckpoint` returned true; returns the log segments step 5
    /// deletes, for `deleteRetiredSegments`, which may run without the lock. `fileSynced`: the caller
    /// synced the data file since then, outside the lock (`detachedFile.sync()`; on failure it calls
    /// `fail` instead). Does nothing for a checkpoint another one superseded.
    package func finishCheckpoint(_ step: IncrementalCheckpoint, fileSynced: Bool = false) throws -> RetiredLogSegments {
        guard checkpointCount == step.completedBefore else { return RetiredLogSegments(log: log, paths: []) }
        precondition(step.next == step.pages.count, "a checkpoint finishes after its write-back")
        if !fileSynced { try pager.syncFile() }
        let begin = step.begin
        let oldest = transactions.values.map(\.firstLSN).filter { $0 != 0 }.min() ?? begin
        let record = CheckpointRecord(
            redoLSN: begin, nextTransactionID: nextTransactionID,
            transactions: transactions.values.sorted { $0.id < $1.id }.map {
                CheckpointRecord.ActiveTransaction(id: $0.id, firstLSN: $0.firstLSN, lastLSN: $0.lastLSN)
            },
            dirtyPages: pager.pool.dirtyPageList())
        let end = try appendOrFail(LogRecord(transaction: 0, previousLSN: 0, type: .checkpointEnd, payload: record.payload))
        let first: UInt64
        do {
            try log.flush(covering: end)
            first = log.segmentNumber(containing: min(oldest, begin))
            try control.write(ControlFile.Checkpoint(redoLSN: begin, endLSN: end, firstSegment: first, logEnd: log.endLSN))
        } catch let error as StorageError {
            pager.fail(error)
            throw error
        }
        lastCheckpoint = .now
        checkpointCount += 1
        return RetiredLogSegments(log: log, paths: log.retireSegments(before: first))
    }

    /// Step 5 under the lock (`checkpoint()`): a failure turns the engine read-only, as any failed file
    /// operation of a checkpoint does.
    func deleteRetiredSegments(_ retired: RetiredLogSegments) throws {
        do {
            try retired.delete()
        } catch let error as StorageError {
            pager.fail(error)
            throw error
        }
    }

    /// Turns the engine read-only after work done for it outside the lock failed (the data file's sync
    /// of a checkpoint taken in steps): as for a failure under the lock, what that write or sync left
    /// on the device is unknown, and retrying would not tell.
    package func fail(_ error: StorageError) {
        pager.fail(error)
    }

    /// Whether a checkpoint is due: `checkpointLogBytes` of log were written since the last one began,
    /// or `checkpointInterval` passed since the last one completed.
    package var checkpointDue: Bool {
        log.endLSN - redoPoint >= UInt64(options.checkpointLogBytes)
            || ContinuousClock.now - lastCheckpoint >= options.checkpointInterval
    }

    /// Called by writes. Without a `checkpointRequester`, checkpoints in one go when one is due. With
    /// one, asks it instead (a background thread takes the checkpoint in steps) and checkpoints here only
    /// when twice `checkpointLogBytes` of log piled up since the last completed checkpoint's redo point:
    /// the bound on the log (and on recovery time) holds even when the background thread falls behind.
    package func checkpointIfDue() throws {
        guard let checkpointRequester else {
            if checkpointDue { try checkpoint() }
            return
        }
        // Measured from the last completed checkpoint's redo point (the log kept on disk starts there),
        // not from the begun one's: the bound holds while a background checkpoint is under way.
        if log.endLSN - control.current.redoLSN >= 2 * UInt64(options.checkpointLogBytes) {
            try checkpoint()
        } else if checkpointDue {
            checkpointRequester()
        }
    }
}

/// A checkpoint taken in steps (`StorageEngine.beginCheckpoint`, `continueCheckpoint`,
/// `finishCheckpoint`), each under the client's lock, which the caller may release between them.
package struct IncrementalCheckpoint: Sendable {
    /// The `checkpointBegin` record: the redo point.
    let begin: LSN
    /// The pages dirty at the redo point, ascending.
    let pages: [PageID]
    /// `pages[..<next]` are written back.
    var next = 0
    /// `checkpointCount` at the begin: a different count at a later step means another checkpoint
    /// completed meanwhile and superseded this one.
    let completedBefore: Int
}

/// Log segments a checkpoint no longer needs, already forgotten by the log (step 5 of the protocol in
/// `StorageEngine+Checkpoint`): their files are deleted by `delete`, which needs no lock.
package struct RetiredLogSegments: Sendable {
    let log: WriteAheadLog
    let paths: [String]

    /// Deletes the files, oldest first. A file left behind (a crash, or a failure here) is deleted at
    /// the next open.
    package func delete() throws {
        try log.deleteSegmentFiles(paths)
    }
}
