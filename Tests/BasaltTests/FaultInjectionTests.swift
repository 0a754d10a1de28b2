import Basalt
import Foundation
import Testing

/// SQLite's I/O error loop: the commit path runs with its Nth write or sync failing (EIO or ENOSPC),
/// for N = 1, 2, … until it completes without meeting the fault. Each time: the failing call surfaces as
/// a typed error, the handle keeps working or refuses writes with `.readOnly`, and after a power loss and
/// reopen every acknowledged commit is present, the failed one is all there or not at all, and the
/// file checks clean.
@Suite struct FaultInjectionTests {
    typealias Model = [[UInt8]: [UInt8]]

    static func config(_ fs: SimulatedFileSystem) -> Config {
        var config = Config()
        config.fileSystem = fs
        config.pageSize = 4096
        config.bufferPoolBytes = 24 * 4096
        config.logSegmentBytes = 8 << 10
        config.checkpointLogBytes = 64 << 10
        // Deterministic file operations: a fault scheduled at operation n meets the same operation in
        // every run (see `CrashRecoveryTests.config`).
        config.backgroundCheckpoints = false
        return config
    }

    static func key(_ n: Int) -> [UInt8] { Array("k\(n)".utf8) }

    /// A database with some committed data, closed cleanly.
    static func base() throws -> (SimulatedFileSystem, Model) {
        let fs = SimulatedFileSystem()
        var model: Model = [:]
        let db = try Database.open(path: "fault.db", config: config(fs))
        for i in 0..<120 {
            let value = [UInt8](repeating: UInt8(i), count: i % 7 == 0 ? 6000 : 100)
            try db.put(key(i), value)
            model[key(i)] = value
        }
        try db.close()
        return (fs, model)
    }

    /// The commit path under test: three transactions (one larger than the pool), a delete and a
    /// checkpoint. Returns the model after each acknowledged step; `failedStep` is the step that threw.
    static func workload(_ db: Database, model: inout Model) -> (failed: [Model]?, error: BasaltError?) {
        var steps: [(Model) -> Model] = []
        steps.append { m in var m = m; for i in 0..<10 { m[key(i)] = [9, 9, UInt8(i)] }; return m }
        steps.append { m in var m = m; for i in 200..<260 { m[key(i)] = [UInt8](repeating: 7, count: 2000) }; return m }
        steps.append { m in var m = m; m[key(5)] = nil; return m }
        steps.append { m in m }
        steps.append { m in var m = m; for i in 120..<140 { m[key(i)] = [UInt8](repeating: 3, count: i % 2 == 0 ? 9000 : 10) }; return m }
        for (index, step) in steps.enumerated() {
            let target = step(model)
            do {
                switch index {
                case 0: try db.write { tx in for i in 0..<10 { try tx.put(key(i), [9, 9, UInt8(i)]) } }
                case 1: try db.write { tx in for i in 200..<260 { try tx.put(key(i), [UInt8](repeating: 7, count: 2000)) } }
                case 2: try db.delete(key(5))
                case 3: try db.checkpoint()
                default: try db.putBatch((120..<140).map { (key($0), [UInt8](repeating: 3, count: $0 % 2 == 0 ? 9000 : 10)) })
                }
            } catch let error as BasaltError {
                return ([model, target], error)
            } catch {
                Issue.record("untyped error \(error)")
                return ([model, target], nil)
            }
            model = target
        }
        return (nil, nil)
    }

    static func contents(_ db: Database) throws -> Model {
        var model: Model = [:]
        for pair in try db.scanPairs() { model[pair.key] = pair.value }
        return model
    }

    @Test(arguments: [(EIO, "EIO"), (ENOSPC, "ENOSPC")], [Set<FileOperation>([.write]), [.sync]])
    func failAtCallNThenRecover(errno: (Int32, String), kinds: Set<FileOperation>) throws {
        let (base, baseModel) = try Self.base()
        var n = 1
        var faultsHit = 0
        while n < 2000 {
            let fs = base.cloneDurable()
            let db = try Database.open(path: "fault.db", config: Self.config(fs))
            fs.injectFault(.failCall(n, of: kinds, errno: errno.0))
            var model = baseModel
            var (alternatives, error) = Self.workload(db, model: &model)
            let failedAtClose = alternatives == nil
            if alternatives == nil {
                // The workload got through; the fault may still hit close's checkpoint.
                do {
                    try db.close()
                    break
                } catch let closeError as BasaltError {
                    (alternatives, error) = ([model], closeError)
                }
            }
            guard let alternatives else { break }
            faultsHit += 1
            let context = "\(errno.1) at \(kinds.map(\.rawValue)) call \(n)"
            let expected: Set<BasaltError.Code> = [.ioError, .diskFull, .readOnly]
            #expect(error.map { expected.contains($0.code) } ?? false, "\(context): \(String(describing: error))")
            // The handle is read-only now, or still fully working (or closed, when close failed).
            if !failedAtClose {
                do {
                    try db.put(Self.key(9999), [1])
                    #expect(try db.get(Self.key(9999)) == [1], "\(context)")
                    try db.delete(Self.key(9999))
                } catch let later as BasaltError {
                    #expect(later.code == .readOnly || expected.contains(later.code), "\(context): after the failure: \(later)")
                }
            }
            try? db.close()
            fs.removeAllFaults()
            fs.crash(seed: UInt64(n))
            let reopened = try Database.open(path: "fault.db", config: Self.config(fs))
            let found = try Self.contents(reopened)
            #expect(alternatives.contains(found), "\(context): recovered \(found.count) keys, expected \(alternatives.map(\.count))")
            #expect(try reopened.checkIntegrity().isClean, "\(context)")
            try reopened.close()
            n += 1
        }
        print("fault loop \(errno.1) \(kinds.map(\.rawValue)): \(faultsHit) failing calls injected and recovered")
        #expect(faultsHit >= 5)
    }
}
