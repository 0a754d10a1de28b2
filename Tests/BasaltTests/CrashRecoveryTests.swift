@testable import Basalt
import BasaltStorage
import Testing

/// SQLite-style crash testing: a seeded workload of commits, rollbacks, large transactions and
/// checkpoints runs on the simulated file system, which captures the disk a power loss would leave just
/// before chosen writes, syncs and truncates (unsynced writes dropped or torn at random). Each captured
/// disk is recovered and compared with a model of acknowledged commits; some recoveries are themselves
/// crashed and recovered again.
@Suite struct CrashRecoveryTests {
    /// Key-value state: what the database must hold.
    typealias Model = [[UInt8]: [UInt8]]

    static func config(_ fs: SimulatedFileSystem) -> Config {
        var config = Config()
        config.fileSystem = fs
        config.pageSize = 4096
        config.bufferPoolBytes = 40 * 4096
        config.logSegmentBytes = 16 << 10
        config.checkpointLogBytes = 64 << 10
        // Checkpoints on the write that finds one due: the workload's file operations are then the same
        // in every run, so a crash point names the same moment in the dry run and the crashed one.
        // (`checkpointsInSteps` takes the background thread's stepwise checkpoints deterministically.)
        config.backgroundCheckpoints = false
        // Collection runs only as a workload step (deterministic), and removes all it can.
        config.historyRetention = .zero
        config.versionCollectionInterval = .seconds(3600)
        return config
    }

    static func contents(_ db: Database) throws -> Model {
        var model: Model = [:]
        for pair in try db.scanPairs() { model[pair.key] = pair.value }
        return model
    }

    /// One workload step: the change it commits (nil values delete), or nil for steps that change no
    /// committed state (rollbacks, checkpoints).
    enum Step {
        case put([UInt8], [UInt8])
        case delete([UInt8])
        case transaction([([UInt8], [UInt8]?)], commit: Bool)
        case batch([([UInt8], [UInt8])])
        case checkpoint
        case reopen
        /// A version-collector pass (retention zero: every replaced version and deletion marker goes).
        case collect
    }

    static func key(_ n: Int) -> [UInt8] { Array("key-\(n)".utf8) }

    static func makeStep(_ rng: inout SeededRandom, step: Int) -> Step {
        func value() -> [UInt8] {
            let size = Int.random(in: 0..<100, using: &rng) < 8 ? Int.random(in: 1000...9000, using: &rng) : Int.random(in: 0...300, using: &rng)
            return [UInt8](repeating: UInt8(truncatingIfNeeded: step), count: size) + rng.bytes(8)
        }
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<40: return .put(key(Int.random(in: 0..<150, using: &rng)), value())
        case 40..<52: return .delete(key(Int.random(in: 0..<150, using: &rng)))
        case 52..<80:
            let writes = (0..<Int.random(in: 1...8, using: &rng)).map { _ -> ([UInt8], [UInt8]?) in
                (key(Int.random(in: 0..<150, using: &rng)), Int.random(in: 0..<5, using: &rng) == 0 ? nil : value())
            }
            return .transaction(writes, commit: Int.random(in: 0..<4, using: &rng) != 0)
        case 80..<84:
            // Larger than the 160 KiB buffer pool: steal and undo across write-back.
            let writes = (0..<Int.random(in: 150...300, using: &rng)).map { i -> ([UInt8], [UInt8]?) in
                (key(1000 + i), [UInt8](repeating: UInt8(truncatingIfNeeded: step), count: 1500))
            }
            return .transaction(writes, commit: Bool.random(using: &rng))
        case 84..<88:
            return .batch((0..<Int.random(in: 1...40, using: &rng)).map { _ in (key(Int.random(in: 0..<400, using: &rng)), value()) })
        case 88..<92: return .checkpoint
        case 92..<96: return .collect
        default: return .reopen
        }
    }

    /// Applies `step` to `model` as a commit would.
    static func apply(_ step: Step, to model: inout Model) {
        switch step {
        case let .put(k, v): model[k] = v
        case let .delete(k): model[k] = nil
        case let .transaction(writes, commit):
            if commit { for (k, v) in writes { model[k] = v } }
        case let .batch(pairs): for (k, v) in pairs { model[k] = v }
        case .checkpoint, .reopen, .collect: break
        }
    }

    struct Rollback: Error {}

    static func run(_ step: Step, on db: inout Database, fs: SimulatedFileSystem) throws {
        switch step {
        case let .put(k, v): try db.put(k, v)
        case let .delete(k): try db.delete(k)
        case let .transaction(writes, commit):
            do {
                try db.write { tx in
                    for (k, v) in writes {
                        if let v { try tx.put(k, v) } else { try tx.delete(k) }
                    }
                    if !commit { throw Rollback() }
                }
            } catch is Rollback {}
        case let .batch(pairs): try db.putBatch(pairs)
        case .checkpoint: try db.checkpoint()
        case .collect: try db.collectVersions()
        case .reopen:
            try db.close()
            db = try Database.open(path: "crash.db", config: Self.config(fs))
        }
    }

    /// Recovers `fs` and checks it against the model before the step and, when the step commits, the
    /// model after it. Returns the recovered contents, or nil when `allowFailure` and the open threw.
    static func verify(_ fs: SimulatedFileSystem, before: Model, after: Model, context: String) throws -> Model {
        let db = try Database.open(path: "crash.db", config: Self.config(fs))
        let found = try contents(db)
        #expect(found == before || found == after,
                "\(context): recovered \(found.count) keys; expected \(before.count) (before) or \(after.count) (after the step)")
        let report = try db.checkIntegrity()
        #expect(report.isClean, "\(context): \(report.problems.prefix(3))")
        // The recovered versions are consistent: collecting them changes no visible value.
        try db.collectVersions()
        #expect(try contents(db) == found, "\(context): version collection after recovery changed the contents")
        try db.close()
        return found
    }

    /// Crash points per seeded workload, spread uniformly over its writes, syncs and truncates.
    static let crashPointsPerSeed = 220

    /// Runs the seeded workload on `fs`, calling `afterStep` with the model before and after each step.
    /// With `checkpointsInSteps`, a checkpoint is also under way most of the time, advanced a few pages
    /// after each step as the background thread advances it between other threads' commits (and
    /// superseded by the workload's own checkpoints, dropped by its reopens). Returns the number of
    /// changing file operations it made.
    static func runWorkload(seed: UInt64, fs: SimulatedFileSystem, checkpointsInSteps: Bool = false,
                            afterStep: (Int, Model, Model) throws -> Void) throws -> Int {
        var rng = SeededRandom(seed: seed)
        var db = try Database.open(path: "crash.db", config: config(fs))
        var model: Model = [:]
        var pending: IncrementalCheckpoint?
        for stepNumber in 0..<160 {
            let step = makeStep(&rng, step: stepNumber)
            var after = model
            apply(step, to: &after)
            try run(step, on: &db, fs: fs)
            if case .reopen = step { pending = nil }
            if checkpointsInSteps {
                try db.manager.withEngine { engine in
                    if var checkpoint = pending {
                        pending = nil
                        if try engine.continueCheckpoint(&checkpoint, pages: 3) {
                            try engine.finishCheckpoint(checkpoint).delete()
                        } else {
                            pending = checkpoint
                        }
                    } else if stepNumber % 3 == 0 {
                        pending = try engine.beginCheckpoint()
                    }
                }
            }
            try afterStep(stepNumber, model, after)
            model = after
        }
        #expect(try contents(db) == model, "seed \(seed): the live database diverged from the model")
        try db.close()
        return fs.changingOperationCount
    }

    /// Runs seeded workloads with crash points spread over every write, sync and truncate: commits,
    /// checkpoints, write-back, segment recycling; a third of the recoveries are crashed again. Shards
    /// 8 and 9 run the workloads with checkpoints taken in steps between the commits.
    @Test(arguments: 0..<10)
    func crashAnywhereLosesNoAcknowledgedCommit(shard: Int) throws {
        var crashPoints = 0
        var recoveryCrashes = 0
        let inSteps = shard >= 8
        for seed in UInt64(shard * 100)..<UInt64(shard * 100 + 3) {
            // A dry run counts the operations, so the crash points cover the whole workload.
            let operations = try Self.runWorkload(seed: seed, fs: SimulatedFileSystem(), checkpointsInSteps: inSteps) { _, _, _ in }
            var rng = SeededRandom(seed: seed ^ 0xC4A5)
            let points = (0..<Self.crashPointsPerSeed).map { _ in Int.random(in: 1...operations, using: &rng) }
            let fs = SimulatedFileSystem()
            fs.scheduleCrashSnapshots(at: points, seed: seed)
            _ = try Self.runWorkload(seed: seed, fs: fs, checkpointsInSteps: inSteps) { stepNumber, before, after in
                for snapshot in fs.takeCrashSnapshots() {
                    crashPoints += 1
                    let context = "seed \(seed) step \(stepNumber) crash before operation \(snapshot.operation)"
                    let crashDuringRecovery = Int.random(in: 0..<3, using: &rng) == 0
                    if crashDuringRecovery {
                        let second = (1...2).map { _ in Int.random(in: 1...40, using: &rng) }
                        snapshot.fileSystem.scheduleCrashSnapshots(at: second, seed: seed &+ UInt64(snapshot.operation))
                    }
                    let first = try Self.verify(snapshot.fileSystem, before: before, after: after, context: context)
                    if crashDuringRecovery {
                        for again in snapshot.fileSystem.takeCrashSnapshots() {
                            recoveryCrashes += 1
                            let found = try Self.verify(again.fileSystem, before: before, after: after,
                                                        context: context + ", recovery crashed before operation \(again.operation)")
                            #expect(found == first, "\(context): a crash during recovery changed the outcome")
                        }
                    }
                }
            }
        }
        print("crash shard \(shard): \(crashPoints) crash points, \(recoveryCrashes) crashes during recovery")
        #expect(crashPoints >= 500)
    }

    /// Values several times larger than the 40-page pool: their overflow pages are logged early in
    /// `pageImage` records and written back before the operation's own record exists. A crash at every
    /// write, sync and truncate of an autocommit put, a committed and an aborted transaction and a
    /// delete of such values must recover to the state before or after the step.
    @Test func valuesLargerThanThePoolSurviveCrashesAnywhere() throws {
        var rng = SeededRandom(seed: 0xB16_7A1E)
        let big = rng.bytes(300_000), other = rng.bytes(200_000)
        let steps: [Step] = [
            .put([1], big),
            .transaction([([2], other), ([3], [3])], commit: true),
            .transaction([([4], big), ([1], nil)], commit: false),
            .delete([1]),
            .put([2], big),
        ]
        func workload(_ fs: SimulatedFileSystem, _ afterStep: (Int, Model, Model) throws -> Void) throws -> Int {
            var db = try Database.open(path: "crash.db", config: Self.config(fs))
            var model: Model = [:]
            for (number, step) in steps.enumerated() {
                var after = model
                Self.apply(step, to: &after)
                try Self.run(step, on: &db, fs: fs)
                try afterStep(number, model, after)
                model = after
            }
            #expect(try Self.contents(db) == model)
            try db.close()
            return fs.changingOperationCount
        }
        let operations = try workload(SimulatedFileSystem()) { _, _, _ in }
        let fs = SimulatedFileSystem()
        fs.scheduleCrashSnapshots(at: Array(1...operations), seed: 0xB16)
        var points = 0
        _ = try workload(fs) { number, before, after in
            for snapshot in fs.takeCrashSnapshots() {
                points += 1
                _ = try Self.verify(snapshot.fileSystem, before: before, after: after,
                                    context: "large values, step \(number), crash before operation \(snapshot.operation)")
            }
        }
        print("large-value crash test: \(points) crash points over \(operations) operations")
        #expect(points >= 100)
    }
}

extension SeededRandom {
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}
