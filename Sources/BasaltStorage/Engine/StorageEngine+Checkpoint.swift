/// Checkpoints bound recovery: after one, recovery starts at its begin record instead of the start of
/// the log, and older log segments are deleted.
///
/// Protocol:
/// 1. Append `checkpointBegin`; its LSN becomes the redo point. From now on a page's first change logs a
///    full image (`PageRedo`).
/// 2. Write back every dirty page (each after the log is durable through its LSN) and sync the data
///    file. Every change below the redo point is now in the file.
/// 3. Append `checkpointEnd` with the transaction table (and dirty page table) and sync the log.
/// 4. Record the checkpoint in the control file (synced): redo point, end record, oldest segment needed
///    — the segment holding the redo point or the first record of the oldest active transaction,
///    whichever is older, since rolling that transaction back needs its records.
/// 5. Delete the segments below it.
///
/// A crash anywhere before step 4 leaves the previous checkpoint in force, whose segments still exist.
/// It runs on the writing thread under the client's lock; transactions may be active across it.
extension StorageEngine {
    /// Takes a checkpoint now. A failure turns the engine read-only.
    package func checkpoint() throws {
        try checkWritable()
        let begin = try appendOrFail(LogRecord(transaction: 0, previousLSN: 0, type: .checkpointBegin, payload: []))
        redoPoint = begin
        try pager.flush()
        let oldest = transactions.values.map(\.firstLSN).filter { $0 != 0 }.min() ?? begin
        let record = CheckpointRecord(
            redoLSN: begin, nextTransactionID: nextTransactionID,
            transactions: transactions.values.sorted { $0.id < $1.id }.map {
                CheckpointRecord.ActiveTransaction(id: $0.id, firstLSN: $0.firstLSN, lastLSN: $0.lastLSN)
            },
            dirtyPages: pager.pool.dirtyPageList())
        let end = try appendOrFail(LogRecord(transaction: 0, previousLSN: 0, type: .checkpointEnd, payload: record.payload))
        do {
            try log.flush(covering: end)
            let first = log.segmentNumber(containing: min(oldest, begin))
            try control.write(ControlFile.Checkpoint(redoLSN: begin, endLSN: end, firstSegment: first, logEnd: log.endLSN))
            try log.removeSegments(before: first)
        } catch let error as StorageError {
            pager.fail(error)
            throw error
        }
        lastCheckpoint = .now
        checkpointCount += 1
    }

    /// Checkpoints when `checkpointLogBytes` of log were written since the last one began, or
    /// `checkpointInterval` passed.
    package func checkpointIfDue() throws {
        if log.endLSN - redoPoint >= UInt64(options.checkpointLogBytes)
            || ContinuousClock.now - lastCheckpoint >= options.checkpointInterval {
            try checkpoint()
        }
    }
}
