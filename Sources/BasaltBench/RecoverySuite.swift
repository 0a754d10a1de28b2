// The recovery measurement: how long opening takes after a crash, against how much log it replays.
//
//   basalt-bench recovery --log-mib 16,64,256
//
// For each size a child process (this binary, `recovery-writer`) writes random 100-byte values under
// random 16-byte keys with checkpoints pushed out of the way (checkpointLogBytes 4 GiB) until the log
// holds the given size, syncs it, and SIGKILLs itself. The parent then opens the database and reports
// the recovery time and the log bytes read (Database.statistics()). Basalt only: SQLite's WAL recovery
// is not comparable (it rebuilds an index, it does not replay into pages).
import ArgumentParser
import Basalt
import Foundation

struct RecoveryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recovery", abstract: "Recovery time against log size after a SIGKILL (Basalt only).")

    @Option(name: .customLong("log-mib"), help: "Log sizes to recover, in MiB, comma-separated.")
    var logMiB = "16,64,256"

    @Option(name: .customLong("cache-mib"), help: "Buffer pool budget in MiB.")
    var cacheMiB = 64

    func run() throws {
        let sizes = logMiB.split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--log-mib must list sizes of at least 1") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("basalt-recovery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        print("log MiB replayed  records redone  recovery s  MiB/s")
        for size in sizes {
            let path = root.appendingPathComponent("r\(size).db").path
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            child.arguments = ["recovery-writer", path, "--log-mib", String(size), "--cache-mib", String(cacheMiB)]
            try child.run()
            child.waitUntilExit()
            guard child.terminationReason == .uncaughtSignal, child.terminationStatus == SIGKILL else {
                throw ValidationError("the writer did not end by SIGKILL (status \(child.terminationStatus))")
            }
            var config = Config()
            config.bufferPoolBytes = cacheMiB << 20
            let started = ContinuousClock.now
            let db = try Database.open(path: path, config: config)
            let elapsed = ContinuousClock.now - started
            let stats = try db.statistics()
            try db.close()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let mib = Double(stats.recoveredLogBytes) / Double(1 << 20)
            print(String(format: "%15.1f  %14d  %10.2f  %5.0f", mib, stats.recoveryRedoneRecords, seconds, mib / max(seconds, 1e-9)))
        }
    }
}

/// The child of `recovery`: writes until the log holds --log-mib, syncs, and kills itself.
struct RecoveryWriterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recovery-writer", shouldDisplay: false)

    @Argument var path: String
    @Option(name: .customLong("log-mib")) var logMiB: Int
    @Option(name: .customLong("cache-mib")) var cacheMiB = 64

    func run() throws {
        var config = Config()
        config.syncMode = .off
        config.bufferPoolBytes = cacheMiB << 20
        config.checkpointLogBytes = 4 << 30
        config.checkpointInterval = .seconds(86_400)
        let db = try Database.open(path: path, config: config)
        var rng = SeededRandom(seed: 42)
        let value = [UInt8](repeating: 0x42, count: 100)
        var written = 0
        while true {
            for _ in 0..<1000 {
                try db.put((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }, value)
            }
            written += 1000
            if try db.statistics().logBytes >= logMiB << 20 { break }
        }
        try db.sync()
        kill(getpid(), SIGKILL)
    }
}
