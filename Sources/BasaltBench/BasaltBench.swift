// basalt-bench: Basalt side by side with SQLite, same process, same data, same machine.
//
//   basalt-bench kv  [options]   key-value load / get / scan
//   basalt-bench commit [options] durable single-key commits from 1, 4, 16 threads
//   basalt-bench ycsb [options]   YCSB workloads A, B, C with zipfian keys from 1 and 2 threads
//   basalt-bench sql [options]    SQL insert, point / range selects, index, aggregate and join queries
//   basalt-bench recovery         recovery time against log size after a SIGKILL (Basalt only)
//   basalt-bench all [options]   every suite (the default subcommand)
//
// Adding a suite: write `<Name>Suite.swift` with its options (a ParsableArguments), its `BenchSuite`
// and its subcommand, then list the subcommand below and add the suite to `AllCommand`.
import ArgumentParser

/// The root command; main.swift runs it.
struct BasaltBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "basalt-bench",
        abstract: "Benchmarks Basalt against SQLite on the same data in one process.",
        discussion: """
            Each workload runs --runs times on each engine (fresh database files every run, engine order \
            alternating between runs); the table reports the median throughput. ratio = Basalt / SQLite \
            throughput, so higher is better for Basalt.
            """,
        subcommands: [
            AllCommand.self, KVCommand.self, CommitCommand.self, YCSBCommand.self, SQLCommand.self, RecoveryCommand.self,
            RecoveryWriterCommand.self,
        ],
        defaultSubcommand: AllCommand.self
    )
}

/// Runs every suite that exists, each with its own options.
struct AllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Run every suite.")

    @OptionGroup var common: CommonOptions
    @OptionGroup(title: "kv suite") var kv: KVOptions
    @OptionGroup(title: "commit suite") var commit: CommitOptions
    @OptionGroup(title: "ycsb suite") var ycsb: YCSBOptions
    @OptionGroup(title: "sql suite") var sql: SQLOptions

    func run() throws {
        try runSuites([KVSuite(options: kv), CommitSuite(options: commit), YCSBSuite(options: ycsb), SQLSuite(options: sql)], common: common)
    }
}

/// Runs `suites` in order, then prints the table and writes --json.
func runSuites(_ suites: [any BenchSuite], common: CommonOptions) throws {
    let context = try BenchContext(common)
    defer { context.cleanUp() }
    var results: [BenchResult] = []
    var notes: [String] = []
    for suite in suites {
        let outcome = try suite.run(context)
        results += outcome.results
        notes += outcome.notes
    }
    Report.printTable(results, header: context.headerLines + notes)
    if let path = common.json {
        try Report.writeJSON(results, to: path)
    }
}
