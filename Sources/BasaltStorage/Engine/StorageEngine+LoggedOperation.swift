/// One logged operation: every page change goes through here.
///
/// Protocol: capture on (the pool records each page's before-image at its first change and pins it) →
/// run the tree code → build one record with the redo of every changed page (an image when the page is
/// new or its LSN is below the redo point, else a diff) → append it → stamp every changed page with the
/// record's LSN and unpin. Until the stamp, no changed page can be written back, so a page on disk never
/// holds a change the log lacks (the write-ahead rule); after it, `beforeWriteBack` flushes the log
/// through the page's LSN before the page goes out.
///
/// If the tree code or the append fails, the pool puts every before-image back: the cache never holds
/// half an operation, and an operation is in the log entirely or not at all.
extension StorageEngine {
    /// Runs `body` as one logged operation of `txn` (nil: a self-committing write with no transaction).
    /// Returns its result and the record's LSN (nil when nothing changed and no record was needed).
    @discardableResult
    func logged<R>(_ header: PageChangeHeader, in txn: ActiveTransaction?, _ body: () throws -> R) throws -> (result: R, lsn: LSN?) {
        try logged(header: { header }, in: txn, body)
    }

    /// `logged` for an operation whose undo is known only once `body` ran (a sorted run learns which
    /// keys it replaced as it writes them): `header` is evaluated after `body`.
    func logged<R>(header: () -> PageChangeHeader, in txn: ActiveTransaction?, _ body: () throws -> R) throws -> (result: R, lsn: LSN?) {
        try checkWritable()
        let pool = pager.pool
        pool.beginCapture()
        operationTransaction = txn?.id ?? 0
        let result: R
        do {
            result = try body()
        } catch {
            abandonOperation(error)
            throw error
        }

        let capture = pool.capture
        var pages = LogPayloadWriter(bytes: redoBuffer)
        redoBuffer = []
        pages.bytes.removeAll(keepingCapacity: true)
        defer {
            pages.bytes.removeAll(keepingCapacity: true)
            redoBuffer = pages.bytes
        }
        var pageCount = 0
        var loggedPages = [Bool](repeating: false, count: capture.entries.count)
        for (index, entry) in capture.entries.enumerated() where !entry.discarded && !entry.spilled {
            let after = pool.page(ofFrame: entry.frame)
            let before = capture.before(index)
            let beforeLSN = entry.hasBefore ? Page(base: before, size: pageSize).lsn : 0
            if entry.isNew || !entry.hasBefore || beforeLSN < redoPoint {
                PageRedo.appendImage(id: entry.id, page: after.base, pageSize: pageSize, into: &pages)
                loggedPages[index] = true
                pageCount += 1
            } else if PageRedo.appendDiff(id: entry.id, before: before, after: after.base, pageSize: pageSize, into: &pages) {
                loggedPages[index] = true
                pageCount += 1
            }
        }
        let header = header()
        if pageCount == 0, case .update = header {
            // Nothing changed (say, a value replaced by itself): no record, nothing to undo.
            pool.finishCapture(lsn: 0)
            return (result, nil)
        }
        var payload = LogPayloadWriter(bytes: payloadBuffer)
        payloadBuffer = []
        payload.bytes.removeAll(keepingCapacity: true)
        header.encode(into: &payload)
        payload.varint(UInt64(pageCount))
        payload.bytes.append(contentsOf: pages.bytes)
        var record = LogRecord(transaction: txn?.id ?? 0, previousLSN: txn?.lastLSN ?? 0,
                               type: header.recordType, payload: payload.bytes)
        payload.bytes = []
        let lsn: LSN
        do {
            lsn = try log.append(record)
        } catch {
            abandonOperation(error)
            throw error
        }
        // The log copied the record; its payload array is this operation's alone again.
        record.payload.removeAll(keepingCapacity: true)
        payloadBuffer = record.payload
        pool.finishCapture(lsn: lsn, logged: loggedPages)
        if let txn {
            if case let .update(_, undo) = header {
                txn.undo.append(ActiveTransaction.UndoEntry(action: undo, lsn: lsn, previousLSN: txn.lastLSN))
            }
            txn.logged(lsn)
        }
        return (result, lsn)
    }

    /// Logs the complete overflow pages of the running operation as one `pageImage` record and releases
    /// them, so a value larger than the buffer pool can be written. Redo installs such images
    /// unconditionally: if the operation's own record never made it to the log, the pages are free-list
    /// entries or lie past the end of the file (never trunks, see `Pager.allocate(reuseTrunk:)`), so their
    /// content does not matter.
    func spillCapturedPages() throws {
        let transaction = operationTransaction
        let pool = pager.pool
        let indices = pool.spillableEntries(type: .overflow)
        guard !indices.isEmpty else { return }
        var payload = LogPayloadWriter()
        payload.varint(UInt64(indices.count))
        for index in indices {
            let entry = pool.capture.entries[index]
            PageRedo.appendImage(id: entry.id, page: pool.page(ofFrame: entry.frame).base, pageSize: pageSize, into: &payload)
        }
        let lsn = try log.append(LogRecord(transaction: transaction, previousLSN: 0, type: .pageImage, payload: payload.bytes))
        pool.releaseSpilled(indices, lsn: lsn)
    }

    /// Puts back every page the failed operation changed; an I/O failure also stops the engine.
    private func abandonOperation(_ error: any Error) {
        do {
            try pager.pool.abortCapture()
        } catch let restore as StorageError {
            pager.fail(restore)
        } catch {
            pager.fail(.readOnlyAfterFailure("\(error)"))
        }
        pager.reloadRoots()
        if let error = error as? StorageError {
            switch error {
            case .ioFailure, .diskFull, .readOnlyAfterFailure: pager.fail(error)
            default: break
            }
        }
    }
}
