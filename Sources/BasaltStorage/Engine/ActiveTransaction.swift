/// A transaction that has written and not yet committed or rolled back: what rollback needs without
/// reading the log back.
///
/// Invariant: `undo` lists the transaction's `update` records in log order, each with the transaction's
/// previous LSN at the time (the compensation record of its undo points there); `lastLSN` is the LSN of
/// the transaction's newest record (update or compensation), 0 before its first.
final class ActiveTransaction {
    struct UndoEntry {
        var action: UndoAction
        var lsn: LSN
        var previousLSN: LSN
    }

    let id: UInt64
    var firstLSN: LSN
    var lastLSN: LSN
    var undo: [UndoEntry] = []

    init(id: UInt64, firstLSN: LSN = 0, lastLSN: LSN = 0) {
        self.id = id
        self.firstLSN = firstLSN
        self.lastLSN = lastLSN
    }

    /// Records that the transaction logged `lsn`.
    func logged(_ lsn: LSN) {
        if firstLSN == 0 { firstLSN = lsn }
        lastLSN = lsn
    }
}
