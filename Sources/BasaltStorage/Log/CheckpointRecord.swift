/// Payload of a `checkpointEnd` record: the state recovery's analysis starts from.
///
/// | size   | field                                                                  |
/// |--------|------------------------------------------------------------------------|
/// | 8      | redo LSN (this checkpoint's `checkpointBegin` record)                 |
/// | 8      | next transaction id                                                    |
/// | varint | active transactions n, then n × (u64 id, u64 first LSN, u64 last LSN) |
/// | varint | dirty pages m, then m × (u32 page id, u64 page LSN)                    |
///
/// The dirty page table lists pages still dirty when the checkpoint ended. The checkpoint writes every
/// page dirtied before its begin record, so the table holds only pages changed after it: empty for a
/// checkpoint taken in one go under the engine's lock, the pages written meanwhile for one taken in steps
/// on the background thread. Redo starts at the redo LSN either way; the table is informational.
struct CheckpointRecord: Equatable {
    struct ActiveTransaction: Equatable {
        var id: UInt64
        var firstLSN: LSN
        var lastLSN: LSN
    }

    var redoLSN: LSN
    var nextTransactionID: UInt64
    var transactions: [ActiveTransaction]
    var dirtyPages: [(page: PageID, lsn: LSN)]

    static func == (a: CheckpointRecord, b: CheckpointRecord) -> Bool {
        a.redoLSN == b.redoLSN && a.nextTransactionID == b.nextTransactionID && a.transactions == b.transactions
            && a.dirtyPages.map(\.page) == b.dirtyPages.map(\.page) && a.dirtyPages.map(\.lsn) == b.dirtyPages.map(\.lsn)
    }

    var payload: [UInt8] {
        var out = LogPayloadWriter()
        out.u64(redoLSN)
        out.u64(nextTransactionID)
        out.varint(UInt64(transactions.count))
        for t in transactions {
            out.u64(t.id)
            out.u64(t.firstLSN)
            out.u64(t.lastLSN)
        }
        out.varint(UInt64(dirtyPages.count))
        for d in dirtyPages {
            out.u32(d.page)
            out.u64(d.lsn)
        }
        return out.bytes
    }

    init(redoLSN: LSN, nextTransactionID: UInt64, transactions: [ActiveTransaction], dirtyPages: [(page: PageID, lsn: LSN)]) {
        self.redoLSN = redoLSN
        self.nextTransactionID = nextTransactionID
        self.transactions = transactions
        self.dirtyPages = dirtyPages
    }

    init(_ record: LogRecord) throws {
        var reader = LogPayloadReader(record)
        guard record.type == .checkpointEnd else { throw reader.corrupt("not a checkpoint end record") }
        redoLSN = try reader.u64()
        nextTransactionID = try reader.u64()
        transactions = []
        for _ in 0..<(try reader.varint()) {
            transactions.append(ActiveTransaction(id: try reader.u64(), firstLSN: try reader.u64(), lastLSN: try reader.u64()))
        }
        dirtyPages = []
        for _ in 0..<(try reader.varint()) {
            dirtyPages.append((try reader.u32(), try reader.u64()))
        }
    }
}
