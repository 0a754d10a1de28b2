import Basalt
import Foundation
import Testing

/// Time travel (`read(asOf:)`) against a model of history, the typed errors for instants outside the
/// readable window, and the version collector: space stays bounded under steady updates, a long reader
/// keeps what it can see, deletion markers go, and the clock survives restarts.
@Suite struct TimeTravelTests {
    static func key(_ n: Int) -> [UInt8] { Array("k\(n)".utf8) }

    static func config(retention: Duration = .seconds(3600)) -> Config {
        var config = Config()
        config.syncMode = .normal
        config.historyRetention = retention
        config.versionCollectionInterval = .seconds(3600)   // tests collect explicitly unless they say otherwise
        return config
    }

    func snapshot(_ db: Database, asOf: Date?) throws -> [[UInt8]: [UInt8]] {
        try db.read(asOf: asOf) { tx in
            var state: [[UInt8]: [UInt8]] = [:]
            for pair in try tx.scanPairs() { state[pair.key] = pair.value }
            return state
        }
    }

    /// Values read at 50 random past instants equal the model of history at those instants, before and
    /// after a reopen, and point reads agree with scans.
    @Test func fiftyPastInstantsMatchTheModel() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandom(seed: seed)
        let path = DatabaseTests.temporaryPath()
        var db = try Database.open(path: path, config: Self.config())
        var model: [[UInt8]: [UInt8]] = [:]
        // (gap start, gap end, state during the gap): between two commits the state is fixed.
        var gaps: [(Date, Date, [[UInt8]: [UInt8]])] = []
        var previousEnd = Date()
        for step in 0..<120 {
            usleep(1500)
            let gapEnd = Date()
            gaps.append((previousEnd, gapEnd, model))
            let changes = (0..<Int.random(in: 1...4, using: &rng)).map { _ -> ([UInt8], [UInt8]?) in
                (Self.key(Int.random(in: 0..<20, using: &rng)), Int.random(in: 0..<5, using: &rng) == 0 ? nil : Array("v\(step)".utf8))
            }
            try db.write { tx in
                for (key, value) in changes {
                    if let value { try tx.put(key, value) } else { try tx.delete(key) }
                }
            }
            for (key, value) in changes { model[key] = value }
            previousEnd = Date()
            if step == 60 {
                try db.close()
                db = try Database.open(path: path, config: Self.config())
                previousEnd = Date()
            }
        }
        try db.sync()
        for round in 0..<50 {
            let gap = gaps[Int.random(in: 1..<gaps.count, using: &rng)]
            let span = gap.1.timeIntervalSince(gap.0)
            let instant = gap.0.addingTimeInterval(span * Double.random(in: 0.05...0.95, using: &rng))
            let found = try snapshot(db, asOf: instant)
            #expect(found == gap.2, "seed \(seed) round \(round): state at \(instant) differs from the model")
            let probe = Self.key(Int.random(in: 0..<20, using: &rng))
            let point = try db.read(asOf: instant) { try $0.get(probe) }
            #expect(point == gap.2[probe], "seed \(seed) round \(round): point read differs")
        }
        #expect(try snapshot(db, asOf: nil) == model)
        try db.close()
    }

    @Test func instantsOutsideTheWindowAreTypedErrors() throws {
        let db = try Database.open(path: DatabaseTests.temporaryPath(), config: Self.config(retention: .seconds(2)))
        try db.put(Self.key(1), [1])
        #expect { try db.read(asOf: Date().addingTimeInterval(60)) { _ in } } throws: { error in
            (error as? BasaltError)?.code == .invalidParameterValue
        }
        #expect { try db.read(asOf: Date().addingTimeInterval(-60)) { _ in } } throws: { error in
            guard let error = error as? BasaltError else { return false }
            return error.code == .snapshotTooOld && error.context["oldestReadable"] != nil && !error.isRetryable
        }
        // Inside the window it works, and a time-travel transaction cannot write.
        try db.read(asOf: Date().addingTimeInterval(-1)) { tx in
            #expect(throws: BasaltError.self) { try tx.put(Self.key(2), [2]) }
        }
        let oldest = db.oldestReadableTime
        #expect(abs(oldest.timeIntervalSinceNow + 2) < 0.5)
        try db.close()
    }

    /// Under a steady update load with a short retention and the background collector, the file stops
    /// growing; reads before the retention fail; reads inside it still work.
    ///
    /// The space the file needs is set by the versions inside the retention window, so the load is paced
    /// (at most one commit per `commitSpacing`, no catching up after a stall): unpaced, a VM that speeds
    /// up mid-run keeps more versions per key in the window, and all keys' history leaves split at once.
    /// The history tree also settles slowly (each key's versions drift into a leaf of their own, as the
    /// collector trims the front of its group and commits append to its end), so the bound is amortized:
    /// after the warm-up the file grows by at most a tenth of the pages the commits wrote meanwhile (or
    /// 10% + 16 pages, whichever is more). Without collection it grows by about all of them.
    @Test func spaceStaysBoundedUnderSteadyUpdates() throws {
        var config = Self.config(retention: .milliseconds(300))
        config.versionCollectionInterval = .milliseconds(100)
        config.pageSize = 4096
        let db = try Database.open(path: DatabaseTests.temporaryPath(), config: config)
        let value = [UInt8](repeating: 7, count: 200)
        // Sampled by time: after a warm-up of several retention periods the file must stop growing.
        var pageCounts: [Int] = []
        var samples: [String] = []
        let start = ContinuousClock.now
        var nextSample = start + .seconds(2)
        var round = 0, roundsAtBaseline = 0
        let commitSpacing = Duration.milliseconds(2)
        var previousCommit = start - commitSpacing
        while ContinuousClock.now - start < .seconds(7) {
            // Never faster than the pace, and no catching up after a stall (a burst is a rate spike).
            let earliest = previousCommit + commitSpacing
            let wait = earliest - ContinuousClock.now
            if wait > .zero { usleep(UInt32(wait / .microseconds(1))) }
            previousCommit = ContinuousClock.now
            try db.write(isolation: .readCommitted) { tx in
                for i in 0..<10 { try tx.put(Self.key((round * 10 + i) % 400), value + [UInt8(truncatingIfNeeded: round)]) }
            }
            round += 1
            // The background collector runs every 100 ms; under a loaded test run it can be starved of CPU
            // for a while, so the writer also collects now and then (as an operator's job would).
            if round % 50 == 0 { try db.collectVersions() }
            if ContinuousClock.now >= nextSample {
                let sample = try db.statistics()
                pageCounts.append(sample.pageCount)
                if pageCounts.count == 2 { roundsAtBaseline = round }
                samples.append("\(sample.pageCount)p/\(sample.freePages)f/\(sample.transactions.collectorPasses)c/\(sample.transactions.versionsCollected)v/\(sample.checkpoints)k")
                nextSample = nextSample + .milliseconds(500)
            }
        }
        let stats = try db.statistics()
        #expect(stats.transactions.versionsCollected > 0)
        #expect(stats.transactions.collectorPasses > 0)
        // After the warm-up (the first two samples), growth is a small fraction of what was written.
        let baseline = pageCounts.prefix(2).max() ?? 0
        let last = pageCounts.last ?? 0
        let writtenPages = (round - roundsAtBaseline) * 10 * (value.count + 8) / config.pageSize
        #expect(pageCounts.count >= 6, "too few samples: \(pageCounts)")
        #expect(last <= baseline + max(baseline / 10 + 16, writtenPages / 10),
                "pages/free/passes/collected/checkpoints over time: \(samples) after \(round) commits, \(writtenPages) pages written after the warm-up")
        #expect { try db.read(asOf: Date().addingTimeInterval(-5)) { _ in } } throws: { ($0 as? BasaltError)?.code == .snapshotTooOld }
        #expect(try db.checkIntegrity().isClean)
        try db.close()
    }

    /// An open snapshot keeps exactly the versions it can see; once it ends they are collected.
    @Test func longReaderHoldsBackCollectionOnlyForWhatItSees() throws {
        let db = try Database.open(path: DatabaseTests.temporaryPath(), config: Self.config(retention: .zero))
        for i in 0..<10 { try db.put(Self.key(i), Array("old".utf8)) }
        let reader = try db.begin(readOnly: true)
        #expect(try reader.get(Self.key(3)) == Array("old".utf8))   // takes the snapshot
        for round in 0..<5 {
            for i in 0..<10 { try db.put(Self.key(i), Array("new\(round)".utf8)) }
        }
        let first = try db.collectVersions()
        // Versions the reader cannot see (new0...new3 were each replaced after its snapshot... but they
        // started after it, so they are invisible to it and to everyone): collected. "old" stays.
        #expect(first.versions == 40)
        #expect(try reader.scanPairs().allSatisfy { $0.value == Array("old".utf8) })
        reader.rollback()
        let second = try db.collectVersions()
        #expect(second.versions == 10)
        #expect(try db.scanPairs().allSatisfy { $0.value == Array("new4".utf8) })
        try db.close()
    }

    @Test func deletionMarkersAreCollected() throws {
        let db = try Database.open(path: DatabaseTests.temporaryPath(), config: Self.config(retention: .zero))
        for i in 0..<50 { try db.put(Self.key(i), [UInt8](repeating: 1, count: 100)) }
        for i in 0..<50 { try db.delete(Self.key(i)) }
        let before = try db.statistics()
        let collected = try db.collectVersions()
        #expect(collected.deletionMarkers == 50)
        #expect(collected.versions == 50)
        #expect(try db.scanPairs().isEmpty)
        #expect(try db.statistics().freePages >= before.freePages)
        #expect(try db.checkIntegrity().isClean)
        try db.close()
    }

    /// Commit timestamps keep increasing across a reopen: a read as of just before the reopen shows the
    /// state then, and a read after shows the new commit.
    @Test func clockSurvivesRestart() throws {
        let path = DatabaseTests.temporaryPath()
        var db = try Database.open(path: path, config: Self.config())
        try db.put(Self.key(1), [1])
        let between = Date()
        usleep(2000)
        try db.close()
        db = try Database.open(path: path, config: Self.config())
        try db.put(Self.key(1), [2])
        #expect(try db.read(asOf: between) { try $0.get(Self.key(1)) } == [1])
        #expect(try db.get(Self.key(1)) == [2])
        try db.close()
    }
}
