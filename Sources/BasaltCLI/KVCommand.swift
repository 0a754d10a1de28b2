import ArgumentParser
import Basalt

/// `basalt kv PATH get|put|delete|scan|stats`: the key-value API from the command line.
struct KVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv",
        abstract: "Read and write the key-value store of a database file.",
        discussion: """
            put KEY VALUE   store VALUE under KEY; exits 0 only once the value is stored on disk
            get KEY         print the value and a newline; exit 1 when KEY is absent
            delete KEY      remove KEY; exit 1 when it was absent
            scan            print KEY<TAB>VALUE lines in key order (--from, --to, --limit, --reverse)
            stats           print page, buffer pool, log and recovery figures
            """
    )

    @Argument(help: "The database file (created when missing).")
    var path: String

    @Argument(help: "get, put, delete, scan or stats.")
    var action: String

    @Argument(help: "The key (get, put, delete) and value (put).")
    var operands: [String] = []

    @Flag(help: "Keys and values are hexadecimal on input and output.")
    var hex = false

    @Option(help: "scan: the first key (inclusive).")
    var from: String?

    @Option(help: "scan: the end key (exclusive).")
    var to: String?

    @Option(help: "scan: at most this many pairs.")
    var limit: Int?

    @Flag(help: "scan: descending order.")
    var reverse = false

    func run() throws {
        let db = try Database.open(path: path)
        defer { try? db.close() }
        switch action {
        case "get":
            let key = try operand(0, "KEY")
            guard let value = try db.get(key) else { throw ExitCode(1) }
            print(ByteText.render(value, hex: hex))
        case "put":
            let key = try operand(0, "KEY")
            let value = try operand(1, "VALUE")
            try db.put(key, value)
            try db.close()
        case "delete":
            let key = try operand(0, "KEY")
            let existed = try db.delete(key)
            try db.close()
            if !existed { throw ExitCode(1) }
        case "scan":
            let start = try from.map { try ByteText.parse($0, hex: hex) }
            let end = try to.map { try ByteText.parse($0, hex: hex) }
            try db.scan(from: start, to: end, limit: limit ?? .max, reverse: reverse) { pair in
                print(ByteText.render(pair.key, hex: hex) + "\t" + ByteText.render(pair.value, hex: hex))
                return true
            }
        case "stats":
            let stats = try db.statistics()
            printStatistics(stats)
        default:
            throw ValidationError("unknown action \"\(action)\"; use get, put, delete, scan or stats")
        }
    }

    private func operand(_ index: Int, _ name: String) throws -> [UInt8] {
        guard index < operands.count else { throw ValidationError("\(action) needs \(name)") }
        return try ByteText.parse(operands[index], hex: hex)
    }
}

func printStatistics(_ stats: Statistics) {
    let pool = stats.bufferPool
    print("page size        \(stats.pageSize) bytes")
    print("pages            \(stats.pageCount) (\(stats.freePages) free)")
    print("file size        \(stats.pageCount * stats.pageSize) bytes")
    print("buffer pool      \(pool.frameCount) frames, \(pool.budgetBytes) bytes, \(pool.residentPages) resident, \(pool.dirtyPages) dirty")
    print("pool counters    \(pool.hits) hits, \(pool.misses) misses, \(pool.evictions) evictions, \(pool.writes) writes")
    print("log              \(stats.logBytes) bytes kept, \(stats.checkpoints) checkpoints since open")
    print("log syncs        \(stats.logSyncs) since open, \(stats.groupCommitWaits) waited for another commit "
          + "(\(stats.groupCommitPartners) joined)")
    print("last recovery    \(stats.recoveredLogBytes) log bytes read, \(stats.recoveryRedoneRecords) records redone, "
          + "\(stats.recoveryRolledBackTransactions) transactions rolled back, \((stats.recoverySeconds * 1000).rounded() / 1000) s")
    let tx = stats.transactions
    print("transactions     \(tx.committed) committed, \(tx.rolledBack) rolled back, \(tx.serializationFailures) serialization "
          + "failures, \(tx.deadlocks) deadlocks, \(tx.lockTimeouts) lock timeouts, \(tx.lockWaits) lock waits")
    print("versions         \(tx.versionsCollected) collected, \(tx.deletionMarkersCollected) deletion markers collected "
          + "in \(tx.collectorPasses) collector passes")
}
