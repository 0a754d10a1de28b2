/// Recovery at open (ARIES, with physical redo and logical undo):
///
/// 1. **Analysis** — start from the transaction table of the checkpoint the control file names and scan
///    the log from its redo point: transactions with records but no `commit` or `abort` are losers.
///    Needed because the checkpoint's table is only a snapshot and the log tells what happened after it.
/// 2. **Redo** — replay every `update` and `compensation` record from the redo point, losers included
///    (repeating history): page images are installed as they are, diffs applied to pages whose LSN is
///    below the record's. Needed because the file may hold pages older than committed records (no-force)
///    or torn by the crash; repeating history restores exactly the state at the crash, in which the
///    logical undo of step 3 is valid.
/// 3. **Undo** — roll back losers newest record first, each undo step logged as a `compensation` record
///    naming the next record to undo, then log `abort`. Needed because pages written early (steal) may
///    hold uncommitted changes. A crash during undo is recovered the same way: redo replays the
///    compensation records, and undo resumes from their undo-next, never undoing twice.
///
/// Then a checkpoint, so the next open starts after all of this.
extension StorageEngine {
    func recover() throws {
        let started = ContinuousClock.now
        let records = log.recoveredRecords
        let start = control.current
        var report = RecoveryReport()
        report.records = records.count
        report.logBytes = log.endLSN - log.oldestSegment.start

        // Analysis.
        var losers: [UInt64: (first: LSN, last: LSN)] = [:]
        var highestTransaction: UInt64 = 0
        if start.endLSN != 0 {
            guard let end = records.first(where: { $0.lsn == start.endLSN }) else {
                throw StorageError.logCorruption(segment: start.firstSegment, offset: 0,
                                                 detail: "the checkpoint record at LSN \(start.endLSN) named by the control file is missing")
            }
            let table = try CheckpointRecord(end)
            for t in table.transactions { losers[t.id] = (t.firstLSN, t.lastLSN) }
            highestTransaction = table.nextTransactionID - 1
        }
        var index: [LSN: Int] = [:]
        index.reserveCapacity(records.count)
        for (i, record) in records.enumerated() {
            index[record.lsn] = i
            highestTransaction = max(highestTransaction, record.transaction)
            guard record.lsn >= start.redoLSN, record.transaction != 0 else { continue }
            switch record.type {
            case .update, .compensation:
                losers[record.transaction] = (losers[record.transaction]?.first ?? record.lsn, record.lsn)
            case .commit, .abort:
                losers[record.transaction] = nil
            default:
                break
            }
        }
        nextTransactionID = highestTransaction + 1

        // Redo.
        for record in records where record.lsn >= start.redoLSN
            && (record.type == .update || record.type == .compensation || record.type == .pageImage) {
            var reader = LogPayloadReader(record)
            if record.type != .pageImage { _ = try PageChangeHeader.decode(&reader) }
            try PageRedo.apply(&reader, pool: pager.pool, lsn: record.lsn)
            report.redoneRecords += 1
        }
        pager.reloadRoots()

        // Undo.
        var next: [UInt64: LSN] = [:]
        for (id, span) in losers {
            transactions[id] = ActiveTransaction(id: id, firstLSN: span.first, lastLSN: span.last)
            next[id] = span.last
        }
        while let (id, lsn) = next.max(by: { $0.value < $1.value }) {
            let txn = transactions[id]!
            if lsn == 0 {
                try appendOrFail(LogRecord(transaction: id, previousLSN: txn.lastLSN, type: .abort, payload: []))
                transactions[id] = nil
                next[id] = nil
                report.rolledBackTransactions += 1
                continue
            }
            guard let position = index[lsn] else {
                throw StorageError.logCorruption(segment: log.oldestSegment.number, offset: 0,
                                                 detail: "rolling back transaction \(id) needs the record at LSN \(lsn), which the log does not hold")
            }
            let record = records[position]
            var reader = LogPayloadReader(record)
            switch try PageChangeHeader.decode(&reader) {
            case let .compensation(undoNext):
                next[id] = undoNext
            case let .update(_, action):
                try undo(action, in: txn, undoNext: record.previousLSN)
                next[id] = record.previousLSN
                report.undoneOperations += 1
            }
        }
        log.releaseRecoveredRecords()
        if report.redoneRecords > 0 || report.rolledBackTransactions > 0 {
            try checkpoint()
        }
        report.seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        recovery = report
    }
}
