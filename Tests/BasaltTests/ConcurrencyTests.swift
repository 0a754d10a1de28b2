import Basalt
import Dispatch
import Foundation
import Synchronization
import Testing

/// Transactions under real concurrency: seeded random bank transfers at each isolation level with
/// snapshot readers checking the invariant, deadlock detection, lock timeouts, lock waits between
/// writers, readers that never wait, savepoints, and the async wrappers. (Helpers `ScratchDatabase`,
/// `BlockingStep` and `sqlState` are in HermitageTests.swift.)
///
/// Serialized: the bank runs load both cores for `BASALT_BANK_SECONDS` (default 20) per level, and the
/// timing assertions of the other tests here should not compete with them.
@Suite(.serialized) struct ConcurrencyTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func number(_ bytes: [UInt8]?) -> Int? { bytes.flatMap { Int(String(decoding: $0, as: UTF8.self)) } }

    // MARK: Bank transfers

    static let accounts = 100
    static let initialBalance = 1000
    static let total = accounts * initialBalance
    static let transferThreads = 8

    static func account(_ i: Int) -> [UInt8] { bytes(String(format: "acct-%03d", i)) }
    static let accountsStart = bytes("acct-")
    static let accountsEnd = bytes("acct.")   // "." follows "-": every "acct-…" key is below it

    static var bankSeconds: Double {
        ProcessInfo.processInfo.environment["BASALT_BANK_SECONDS"].flatMap(Double.init) ?? 20
    }

    struct MissingAccount: Error {}

    /// One thread's counts, merged at the end.
    struct BankTally: Sendable {
        var attempts = 0          // closure runs of `write`, retries included
        var transfers = 0         // committed transfers that moved money
        var insufficient = 0      // committed transfers that found too little to move
        var gaveUp = 0            // retryable errors `write` gave up on after its retries
        var snapshotReads = 0
        var timeTravelReads = 0
        var failures: [String] = []

        mutating func merge(_ other: BankTally) {
            attempts += other.attempts
            transfers += other.transfers
            insufficient += other.insufficient
            gaveUp += other.gaveUp
            snapshotReads += other.snapshotReads
            timeTravelReads += other.timeTravelReads
            failures += other.failures
        }
    }

    /// The sum and count of the balances one read-only snapshot sees.
    static func sumOfBalances(_ tx: Transaction) throws -> (sum: Int, count: Int) {
        var sum = 0, count = 0
        try tx.scan(from: accountsStart, to: accountsEnd) { pair in
            sum += number(pair.value) ?? -1_000_000
            count += 1
            return true
        }
        return (sum, count)
    }

    /// One thread's seeded random mix until `deadline`: 7 in 8 operations are transfers of 1…300
    /// between two random accounts in `db.write(isolation: level)` (read both, move if enough, write
    /// both); the rest are snapshot reads summing every balance (a few as of an instant up to 1 s ago).
    /// Under read committed the transfer first locks both accounts FOR UPDATE, in random order (so
    /// deadlocks happen and are retried): plain get+put there may lose updates, as in PostgreSQL.
    static func bankWorker(db: Database, level: IsolationLevel, seed: UInt64, thread: Int, loadedAt: Date,
                           deadline: ContinuousClock.Instant) -> BankTally {
        var rng = SeededRandom(seed: seed &+ UInt64(thread) &* 0x9E37_79B9_7F4A_7C15)
        var tally = BankTally()
        while ContinuousClock.now < deadline, tally.failures.count < 5 {
            let dice = Int.random(in: 0..<64, using: &rng)
            if dice < 8 {
                let asOf = dice == 0 ? max(loadedAt, Date(timeIntervalSinceNow: -Double.random(in: 0...1, using: &rng))) : nil
                do {
                    let (sum, count) = try db.read(asOf: asOf) { try sumOfBalances($0) }
                    if asOf == nil { tally.snapshotReads += 1 } else { tally.timeTravelReads += 1 }
                    if sum != total || count != accounts {
                        tally.failures.append("thread \(thread): a snapshot\(asOf.map { " as of \($0)" } ?? "") saw \(sum) in \(count) accounts")
                    }
                } catch {
                    tally.failures.append("thread \(thread): a snapshot read failed: \(error)")
                }
                continue
            }
            let from = Int.random(in: 0..<accounts, using: &rng)
            var to = Int.random(in: 0..<(accounts - 1), using: &rng)
            if to >= from { to += 1 }
            let amount = Int.random(in: 1...300, using: &rng)
            let lockOrder = Bool.random(using: &rng) ? [from, to] : [to, from]
            do {
                let moved = try db.write(isolation: level) { tx -> Bool in
                    tally.attempts += 1
                    if level == .readCommitted {
                        for i in lockOrder { try tx.lockForUpdate(account(i)) }
                    }
                    guard let a = number(try tx.get(account(from))), let b = number(try tx.get(account(to))) else {
                        throw MissingAccount()
                    }
                    guard a >= amount else { return false }
                    try tx.put(account(from), bytes(String(a - amount)))
                    try tx.put(account(to), bytes(String(b + amount)))
                    return true
                }
                if moved { tally.transfers += 1 } else { tally.insufficient += 1 }
            } catch let error as BasaltError where error.isRetryable {
                tally.gaveUp += 1
            } catch {
                tally.failures.append("thread \(thread): a transfer failed: \(error)")
            }
        }
        return tally
    }

    /// 100 accounts of 1000; 8 threads of seeded random transfers and snapshot readers for
    /// `BASALT_BANK_SECONDS` (default 20) per level. Every snapshot, the final state, and every balance
    /// (never negative) must add up; retryable failures must have been retried.
    /// Replay a run's per-thread operation sequences with `BASALT_BANK_SEED`; `BASALT_BANK_SYNC` picks the
    /// sync mode (default `normal`; `full` covers fixed bug B1 of docs/isolation.md at read committed).
    @Test(arguments: IsolationLevel.allCases)
    func bankTransfersKeepTheTotal(_ level: IsolationLevel) throws {
        let seed = ProcessInfo.processInfo.environment["BASALT_BANK_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        let seconds = Self.bankSeconds
        let syncMode = ProcessInfo.processInfo.environment["BASALT_BANK_SYNC"].flatMap(SyncMode.init(rawValue:)) ?? .normal
        print("bank transfers at \(level): seed \(seed) (BASALT_BANK_SEED), \(seconds) s (BASALT_BANK_SECONDS), sync \(syncMode) (BASALT_BANK_SYNC)")
        let scratch = try ScratchDatabase { config in
            config.syncMode = syncMode
            config.transactionRetries = 100
            // Let the version collector run during the test, under snapshot and time-travel readers. Reads
            // go up to 1 s back; the rest of the retention is room for a stalled reader on a loaded machine.
            config.historyRetention = .seconds(6)
            config.versionCollectionInterval = .milliseconds(200)
        }
        let db = scratch.db
        try db.putBatch((0..<Self.accounts).map { (Self.account($0), Self.bytes(String(Self.initialBalance))) })
        try db.sync()
        usleep(20_000)
        let loadedAt = Date()   // time-travel reads go no further back than this: before it, no accounts

        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let tally = Mutex(BankTally())
        let group = DispatchGroup()
        for thread in 0..<Self.transferThreads {
            group.enter()
            Thread {
                let mine = Self.bankWorker(db: db, level: level, seed: seed, thread: thread, loadedAt: loadedAt,
                                           deadline: deadline)
                tally.withLock { $0.merge(mine) }
                group.leave()
            }.start()
        }
        let joined = group.wait(timeout: .now() + seconds + 60)
        try #require(joined == .success, "bank threads did not finish (seed \(seed))")
        let result = tally.withLock { $0 }
        let counters = try db.statistics().transactions
        print("bank transfers at \(level): \(result.transfers) transfers, \(result.insufficient) without funds, "
              + "\(result.attempts) attempts, \(result.gaveUp) given up, \(result.snapshotReads) snapshot reads, "
              + "\(result.timeTravelReads) time-travel reads; counters \(counters)")

        let context = Comment(rawValue: "level \(level), seed \(seed)")
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5)) — \(context)")
        let (sum, count) = try db.read { try Self.sumOfBalances($0) }
        #expect(sum == Self.total && count == Self.accounts, "final total \(sum) in \(count) accounts — \(context)")
        let negative = try db.scanPairs(from: Self.accountsStart, to: Self.accountsEnd).filter { (Self.number($0.value) ?? -1) < 0 }
        #expect(negative.isEmpty, "negative balances — \(context)")
        #expect(result.transfers > 0 && result.snapshotReads > 0 && counters.committed > result.transfers, "\(context)")
        // Every retryable failure either ran the closure again or was given up on: nothing else failed.
        let failed = counters.serializationFailures + counters.deadlocks + counters.lockTimeouts
        #expect(result.attempts - result.transfers - result.insufficient == failed, "attempts vs failures — \(context)")
        #expect(result.gaveUp <= failed)
        if level == .readCommitted {
            #expect(counters.serializationFailures == 0, "read committed never fails on a concurrent commit — \(context)")
        } else {
            #expect(counters.serializationFailures > 0, "conflicting transfers were retried — \(context)")
            #expect(result.attempts > result.transfers + result.insufficient, "\(context)")
        }
        #expect(try db.checkIntegrity().isClean, "\(context)")
        try db.close()
    }

    /// Read committed `lockForUpdate` (`SELECT … FOR UPDATE`) after waiting for a writer must then read
    /// that writer's commit, as PostgreSQL re-reads the locked row's newest version. Otherwise the
    /// read-lock-write pattern that read committed applications use against lost updates loses them.
    @Test(arguments: [SyncMode.normal, .full])
    func readCommittedForUpdateReadsTheCommitItWaitedFor(_ mode: SyncMode) throws {
        let scratch = try ScratchDatabase { $0.syncMode = mode }
        let db = scratch.db
        let key = Self.bytes("counter")
        try db.put(key, Self.bytes("0"))
        var stale: [String] = []
        for round in 1...20 {
            let holder = try db.begin(isolation: .readCommitted)
            try holder.put(key, Self.bytes(String(round)))
            let waiter = try db.begin(isolation: .readCommitted)
            let lockThenRead = BlockingStep { () throws -> Int? in
                try waiter.lockForUpdate(key)
                return Self.number(try waiter.get(key))
            }
            #expect(lockThenRead.waitsForLock(waiter.id, in: db))
            try holder.commit()
            let seen = try #require(lockThenRead.join()).get()
            if seen != round { stale.append("round \(round): read \(seen.map(String.init) ?? "nil") after the lock wait") }
            waiter.rollback()
        }
        #expect(stale.isEmpty, "sync mode \(mode): \(stale.count) of 20 reads after a FOR UPDATE wait missed the commit waited for: \(stale.prefix(3))")
    }

    /// The doctors-on-call write skew, guarded the way PostgreSQL applications guard it: lock both rows
    /// FOR UPDATE before checking that someone stays on call. T2 read before T1 committed (its
    /// snapshot, under repeatable read and serializable, predates T1's commit), then waits for T1's
    /// locks. PostgreSQL: read committed re-reads after the wait and sees Alice off call; repeatable
    /// read and serializable fail the FOR UPDATE with 40001 ("could not serialize access due to
    /// concurrent update") because the row changed since the snapshot. At every level someone stays on
    /// call. (Serializable may also fail at commit instead: Basalt's commit validation.)
    @Test(arguments: IsolationLevel.allCases)
    func forUpdatePreventsWriteSkewAtEveryLevel(_ level: IsolationLevel) throws {
        let scratch = try ScratchDatabase { $0.syncMode = .normal }
        let db = scratch.db
        let alice = Self.bytes("alice"), bob = Self.bytes("bob"), on = Self.bytes("on"), off = Self.bytes("off")
        try db.put(alice, on)
        try db.put(bob, on)
        let t1 = try db.begin(isolation: level), t2 = try db.begin(isolation: level)
        #expect(try t2.get(alice) == on)                            // T2 looks at the roster first
        try t1.lockForUpdate(alice)
        try t1.lockForUpdate(bob)
        #expect(try [t1.get(alice), t1.get(bob)] == [on, on])
        try t1.put(alice, off)
        let t2Locks = BlockingStep { () throws -> [[UInt8]?] in
            try t2.lockForUpdate(alice)
            try t2.lockForUpdate(bob)
            return [try t2.get(alice), try t2.get(bob)]
        }
        #expect(t2Locks.waitsForLock(t2.id, in: db), "T2's FOR UPDATE waits for T1")
        try t1.commit()
        let outcome = try #require(t2Locks.join())
        var failure = "none"
        switch outcome {
        case .failure(let error):
            failure = "\(sqlState(error).map(\.rawValue) ?? "\(error)") at FOR UPDATE"
            t2.rollback()
        case .success(let seen):
            if seen == [on, on] {
                do {
                    try t2.put(bob, off)
                    try t2.commit()
                } catch {
                    failure = "\(sqlState(error).map(\.rawValue) ?? "\(error)") at write or commit"
                    t2.rollback()
                }
            } else {
                #expect(level == .readCommitted, "saw \(seen): only read committed re-reads after the wait")
                try t2.commit()
            }
        }
        let roster = try db.read { tx in [try tx.get(alice), try tx.get(bob)] }
        #expect(roster.contains(on), "\(level): nobody is on call any more (T2: \(failure))")
        switch level {
        case .readCommitted: #expect(failure == "none")
        case .repeatableRead: #expect(failure == "40001 at FOR UPDATE", "PostgreSQL fails the FOR UPDATE of a row changed since the snapshot")
        case .serializable: #expect(failure.hasPrefix("40001"))
        }
    }

    // MARK: Deadlocks and lock timeouts

    /// Two transactions lock a and b in opposite orders. The younger (larger id) is the victim with
    /// `.deadlockDetected` soon after the cycle closes — whichever of them closes it — and the older
    /// completes once the victim rolls back.
    @Test(arguments: [false, true])
    func deadlockVictimIsTheYoungerTransaction(olderClosesTheCycle: Bool) throws {
        let interval = Duration.milliseconds(20)
        let scratch = try ScratchDatabase { config in
            config.deadlockCheckInterval = interval
            config.lockTimeout = .seconds(30)   // only the detector may end these waits
        }
        let db = scratch.db
        let a = Self.bytes("a"), b = Self.bytes("b")
        let older = try db.begin(), younger = try db.begin()
        #expect(older.id < younger.id)
        try older.put(a, Self.bytes("older"))
        try younger.put(b, Self.bytes("younger"))

        // First waiter, then the request that closes the cycle.
        let (first, second) = olderClosesTheCycle ? (younger, older) : (older, younger)
        let firstWait = BlockingStep { try first.put(first === older ? b : a, Self.bytes(first === older ? "older" : "younger")) }
        #expect(firstWait.waitsForLock(first.id, in: db), "first request waits")
        let secondWait = BlockingStep { try second.put(second === older ? b : a, Self.bytes(second === older ? "older" : "younger")) }
        let victimWait = olderClosesTheCycle ? firstWait : secondWait
        let survivorWait = olderClosesTheCycle ? secondWait : firstWait

        let victimOutcome = try #require(victimWait.join(seconds: 10), "the deadlock was not detected within 10 s")
        #expect(victimOutcome.failureCode == .deadlockDetected)
        if case .failure(let error as BasaltError) = victimOutcome { #expect(error.isRetryable) }
        // From the moment the cycle-closing request ran to the victim's failure: a few detector ticks,
        // with room for a loaded machine's scheduling (the lock timeout, 30 s, is far beyond).
        let closedAt = try #require(secondWait.bodyStartedAt), failedAt = try #require(victimWait.finishedAt)
        let detectedAfter = failedAt - closedAt
        #expect(detectedAfter < interval * 10 + .milliseconds(1500), "detected after \(detectedAfter)")
        #expect(survivorWait.isBlocked(after: 50), "the older transaction still waits for the victim's lock")
        #expect(throws: BasaltError.self) { try younger.get(a) }   // aborted: 25000 until rollback
        younger.rollback()
        try #require(survivorWait.join()).get()
        try older.commit()
        #expect(try db.get(a) == Self.bytes("older"))
        #expect(try db.get(b) == Self.bytes("older"))
        #expect(try db.statistics().transactions.deadlocks == 1)
    }

    /// The upgrade deadlock: both hold a key FOR SHARE, then both write it (S → X). The younger is the
    /// victim; the older's write goes through once the victim rolls back.
    @Test func upgradeDeadlockFromSharedLocks() throws {
        let scratch = try ScratchDatabase { $0.lockTimeout = .seconds(30) }
        let db = scratch.db
        let key = Self.bytes("k")
        let older = try db.begin(isolation: .readCommitted), younger = try db.begin(isolation: .readCommitted)
        try older.lockForShare(key)
        try younger.lockForShare(key)
        let olderWrite = BlockingStep { try older.put(key, Self.bytes("older")) }
        #expect(olderWrite.waitsForLock(older.id, in: db), "the upgrade waits for the other share lock")
        let youngerWrite = BlockingStep { try younger.put(key, Self.bytes("younger")) }
        let victim = try #require(youngerWrite.join(seconds: 10), "the deadlock was not detected within 10 s")
        #expect(victim.failureCode == .deadlockDetected)
        #expect(olderWrite.isBlocked(after: 50))
        younger.rollback()
        try #require(olderWrite.join()).get()
        try older.commit()
        #expect(try db.get(key) == Self.bytes("older"))
    }

    /// A lock wait ends with `.lockNotAvailable` (retryable) after the lock timeout; `db.lockTimeout`
    /// changed at run time applies to the next wait.
    @Test func lockTimeoutFailsTheWaitAndIsChangeableAtRunTime() throws {
        let scratch = try ScratchDatabase { $0.lockTimeout = .milliseconds(300) }
        let db = scratch.db
        let key = Self.bytes("k")
        let holder = try db.begin()
        try holder.put(key, Self.bytes("held"))

        func timedWait() throws -> Duration {
            let waiter = try db.begin()
            let start = ContinuousClock.now
            var caught: BasaltError?
            do { try waiter.put(key, Self.bytes("waiter")) } catch let error as BasaltError { caught = error }
            let waited = ContinuousClock.now - start
            #expect(caught?.code == .lockNotAvailable)
            #expect(caught?.isRetryable == true)
            #expect { try waiter.get(key) } throws: { sqlState($0) == .invalidTransactionState }
            waiter.rollback()
            return waited
        }

        let first = try timedWait()
        // Lower bounds are the contract (the second catches a run-time change that did not apply); the upper
        // ones only catch a wait far past its timeout, with room for a loaded machine.
        #expect(first >= .milliseconds(300) && first < .milliseconds(4300), "waited \(first) with a 300 ms timeout")
        db.lockTimeout = .milliseconds(700)
        #expect(db.lockTimeout == .milliseconds(700))
        let second = try timedWait()
        #expect(second >= .milliseconds(700) && second < .milliseconds(4700), "waited \(second) with a 700 ms timeout")
        #expect(try db.statistics().transactions.lockTimeouts == 2)
        try holder.commit()
        #expect(try db.get(key) == Self.bytes("held"))
    }

    /// Lock escalation: a transaction that takes `lockEscalationThreshold` key locks in one tree takes
    /// the whole tree instead when no one else holds a lock there — then other writers of the tree wait
    /// for its commit while snapshot readers go on — and keeps locking keys when someone does.
    @Test func manyKeyLocksEscalateToTheTreeOnlyWhenNoOneElseHoldsIt() throws {
        let scratch = try ScratchDatabase {
            $0.lockEscalationThreshold = 100
            $0.lockTimeout = .milliseconds(300)
        }
        let db = scratch.db
        try db.put(Self.bytes("seen"), Self.bytes("before"))

        // Alone in the tree: escalates at the 100th key lock, and stops adding key locks after it.
        let bulk = try db.begin()
        for i in 0..<250 { try bulk.put(Self.bytes(String(format: "bulk-%04d", i)), Self.bytes("v")) }
        let held = db.locks().filter { $0.transaction == bulk.id && $0.granted }
        #expect(held.contains { $0.resource == "tree 0" && $0.mode == "X" }, "escalated to X on the tree")
        #expect(held.filter { $0.resource.hasPrefix("key") }.count == 100, "no key locks after escalating")
        // Another writer of the tree waits (and times out); a snapshot reader does not.
        let other = try db.begin()
        #expect { try other.put(Self.bytes("elsewhere"), Self.bytes("x")) } throws: { ($0 as? BasaltError)?.code == .lockNotAvailable }
        other.rollback()
        #expect(try db.read { try $0.get(Self.bytes("seen")) } == Self.bytes("before"))
        try bulk.commit()
        try db.put(Self.bytes("elsewhere"), Self.bytes("x"))
        #expect(try db.scanPairs().count == 252)

        // Someone else holds a key lock in the tree: escalation is refused without waiting, key locks go on.
        let small = try db.begin()
        try small.put(Self.bytes("small"), Self.bytes("1"))
        let big = try db.begin()
        for i in 0..<250 { try big.put(Self.bytes(String(format: "big-%04d", i)), Self.bytes("v")) }
        #expect(!db.locks().contains { $0.transaction == big.id && $0.resource == "tree 0" && $0.mode == "X" })
        #expect(db.locks().filter { $0.transaction == big.id && $0.resource.hasPrefix("key") }.count == 250)
        try small.commit()
        try big.commit()
        #expect(try db.scanPairs().count == 503)
    }

    // MARK: Writers

    /// Open transactions writing different keys neither wait for each other nor conflict, at any level;
    /// the same from threads committing many such transactions at once.
    @Test(arguments: IsolationLevel.allCases)
    func writersOfDifferentKeysCommitConcurrently(_ level: IsolationLevel) throws {
        let scratch = try ScratchDatabase()
        let db = scratch.db
        let before = try db.statistics().transactions
        let t1 = try db.begin(isolation: level), t2 = try db.begin(isolation: level)
        let start = ContinuousClock.now
        try t1.put(Self.bytes("a"), Self.bytes("1"))
        try t2.put(Self.bytes("b"), Self.bytes("2"))
        try t1.put(Self.bytes("a2"), Self.bytes("1"))
        try t2.put(Self.bytes("b2"), Self.bytes("2"))
        try t2.commit()
        try t1.commit()
        #expect(ContinuousClock.now - start < .seconds(4), "no write waited for the 5 s lock timeout")
        #expect(try db.scanPairs().map(\.key) == ["a", "a2", "b", "b2"].map(Self.bytes))

        // 4 threads × 200 read-modify-write transactions, each thread on its own keys.
        let group = DispatchGroup()
        let errors = Mutex<[String]>([])
        for thread in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    for i in 0..<200 {
                        let key = Self.bytes("thread-\(thread)-\(i % 10)")
                        let tx = try db.begin(isolation: level)
                        let old = Self.number(try tx.get(key)) ?? 0
                        try tx.put(key, Self.bytes(String(old + 1)))
                        try tx.commit()
                    }
                } catch {
                    errors.withLock { $0.append("thread \(thread): \(error)") }
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(errors.withLock { $0 }.isEmpty, "\(errors.withLock { $0 })")
        let after = try db.statistics().transactions
        #expect(after.lockWaits == before.lockWaits, "no lock wait between writers of different keys")
        #expect(after.serializationFailures == 0)
        #expect(after.committed - before.committed == 2 + 4 * 200)
        for thread in 0..<4 {
            for k in 0..<10 { #expect(Self.number(try db.get(Self.bytes("thread-\(thread)-\(k)"))) == 20) }
        }
    }

    /// A writer of a key another open transaction wrote waits until that one commits; then under read
    /// committed it goes on (its write wins), under repeatable read and serializable — its snapshot
    /// being older than the commit — it fails with 40001.
    @Test(arguments: IsolationLevel.allCases)
    func writersOfOneKeyWaitThenConflictBySnapshot(_ level: IsolationLevel) throws {
        let scratch = try ScratchDatabase()
        let db = scratch.db
        let key = Self.bytes("k")
        try db.put(key, Self.bytes("0"))
        let t1 = try db.begin(isolation: level), t2 = try db.begin(isolation: level)
        #expect(try t2.get(key) == Self.bytes("0"))                 // T2's snapshot, before T1's commit
        try t1.put(key, Self.bytes("1"))
        let t2Write = BlockingStep { try t2.put(key, Self.bytes("2")) }
        #expect(t2Write.waitsForLock(t2.id, in: db), "T2 waits for T1's lock, and the wait shows in locks()")
        try t1.commit()
        let outcome = try #require(t2Write.join())
        if level == .readCommitted {
            try outcome.get()
            try t2.commit()
            #expect(try db.get(key) == Self.bytes("2"))
        } else {
            #expect(outcome.failureCode == .serializationFailure)
            if case .failure(let error as BasaltError) = outcome { #expect(error.isRetryable) }
            #expect { try t2.get(key) } throws: { sqlState($0) == .invalidTransactionState }
            t2.rollback()
            #expect(try db.get(key) == Self.bytes("1"))
        }
    }

    /// A transaction whose first operation is a write that waits takes its snapshot when the lock is
    /// granted, so under repeatable read and serializable it does not conflict with the commit it
    /// waited for (PostgreSQL, whose snapshot predates the wait, fails it with 40001; see
    /// docs/isolation.md). The result is still serial: the holder's commit, then the waiter's. (With
    /// `SyncMode.off`, as here, or `.normal`; with `.full` the holder's commit may not be visible yet
    /// when the lock is granted, and the waiter then fails with 40001 like PostgreSQL's.)
    @Test(arguments: [IsolationLevel.repeatableRead, .serializable])
    func firstWriteThatWaitsTakesItsSnapshotAfterTheWait(_ level: IsolationLevel) throws {
        let scratch = try ScratchDatabase()
        let db = scratch.db
        let key = Self.bytes("k")
        try db.put(key, Self.bytes("0"))
        let t1 = try db.begin(isolation: level), t2 = try db.begin(isolation: level)
        try t1.put(key, Self.bytes("1"))
        try t1.put(Self.bytes("other"), Self.bytes("1"))
        let t2Write = BlockingStep { try t2.put(key, Self.bytes("2")) }
        #expect(t2Write.waitsForLock(t2.id, in: db))
        // (Not `t2.snapshotTime`: a handle serves one call at a time, and t2's put is still waiting.)
        #expect(db.activeTransactions().first { $0.id == t2.id }.map { $0.snapshotTime == nil } == true,
                "no snapshot while the first operation waits")
        try t1.commit()
        try #require(t2Write.join()).get()
        #expect(try t2.get(Self.bytes("other")) == Self.bytes("1"), "T2's snapshot includes T1's commit")
        try t2.commit()
        #expect(try db.get(key) == Self.bytes("2"))
    }

    // MARK: Readers

    /// Snapshot readers never wait: `db.read`, `db.get`, and a transaction's reads at every level
    /// complete while another transaction holds X locks on what they read, and see the old values.
    @Test func readersNeverBlock() throws {
        let scratch = try ScratchDatabase()   // lock timeout 5 s: a blocked read would take that long
        let db = scratch.db
        let a = Self.bytes("a"), b = Self.bytes("b")
        try db.put(a, Self.bytes("old"))
        try db.put(b, Self.bytes("old"))
        let writer = try db.begin()
        try writer.put(a, Self.bytes("new"))
        try writer.delete(b)
        try writer.put(Self.bytes("c"), Self.bytes("new"))
        try writer.lockForUpdate(Self.bytes("d"))
        try writer.lockForShare(Self.bytes("e"))

        let read = BlockingStep { () throws -> [[UInt8]] in
            try db.read { tx in
                [try tx.get(a) ?? [], try tx.get(b) ?? [], try tx.get(Self.bytes("c")) ?? []] + (try tx.scanPairs().map(\.value))
            }
        }
        let seen = try #require(read.join(seconds: 4), "db.read waited for the writer").get()
        #expect(seen == [Self.bytes("old"), Self.bytes("old"), [], Self.bytes("old"), Self.bytes("old")])
        #expect(read.duration.map { $0 < .seconds(4) } == true)   // a lock wait would take the 5 s timeout

        let plain = BlockingStep { () throws -> [[UInt8]?] in [try db.get(a), try db.get(b), try db.get(Self.bytes("d"))] }
        #expect(try #require(plain.join(seconds: 4), "db.get waited").get() == [Self.bytes("old"), Self.bytes("old"), nil])

        for level in IsolationLevel.allCases {
            let reader = try db.begin(isolation: level)
            let reads = BlockingStep { () throws -> [UInt8]? in
                _ = try reader.scanPairs()
                return try reader.get(a)
            }
            #expect(try #require(reads.join(seconds: 4), "a \(level) reader waited").get() == Self.bytes("old"))
            try reader.commit()
        }

        try writer.commit()
        #expect(try db.read { tx in [try tx.get(a), try tx.get(b)] } == [Self.bytes("new"), nil])
    }

    // MARK: Savepoints

    /// Rolling back to a savepoint undoes only the writes after it; releasing one keeps them; an
    /// unknown name fails with `.invalidSavepoint`; rolling back to a savepoint revives a transaction
    /// aborted by a lock timeout.
    @Test func savepoints() throws {
        let scratch = try ScratchDatabase { $0.lockTimeout = .milliseconds(100) }
        let db = scratch.db
        func key(_ name: String) -> [UInt8] { Self.bytes(name) }
        let tx = try db.begin()
        try tx.put(key("a"), key("1"))
        try tx.savepoint("s1")
        try tx.put(key("b"), key("2"))
        try tx.put(key("a"), key("3"))
        try tx.delete(key("a"))
        try tx.rollback(toSavepoint: "s1")
        #expect(try tx.get(key("a")) == key("1"), "the write before s1 stays")
        #expect(try tx.get(key("b")) == nil, "writes after s1 are undone")
        try tx.put(key("b"), key("4"))
        try tx.rollback(toSavepoint: "s1")                             // s1 remains after a rollback to it
        #expect(try tx.get(key("b")) == nil)

        try tx.savepoint("s2")
        try tx.put(key("c"), key("5"))
        try tx.savepoint("s3")
        try tx.put(key("d"), key("6"))
        try tx.releaseSavepoint("s2")                                  // forgets s2 and s3, keeps c and d
        #expect(try tx.get(key("c")) == key("5"))
        #expect(try tx.get(key("d")) == key("6"))
        #expect { try tx.rollback(toSavepoint: "s3") } throws: { sqlState($0) == .invalidSavepoint }
        #expect { try tx.releaseSavepoint("s2") } throws: { sqlState($0) == .invalidSavepoint }
        #expect { try tx.rollback(toSavepoint: "nope") } throws: { sqlState($0) == .invalidSavepoint }
        #expect(tx.isActive, "an unknown savepoint does not abort the transaction")

        // An aborted transaction comes back with a rollback to a savepoint, as in PostgreSQL.
        let holder = try db.begin()
        try holder.put(key("held"), key("x"))
        try tx.savepoint("before-wait")
        #expect { try tx.put(key("held"), key("y")) } throws: { sqlState($0) == .lockNotAvailable }
        #expect(!tx.isActive)
        #expect { try tx.get(key("a")) } throws: { sqlState($0) == .invalidTransactionState }
        try tx.rollback(toSavepoint: "before-wait")
        #expect(tx.isActive)
        try tx.put(key("e"), key("7"))
        try tx.commit()
        holder.rollback()

        #expect(try db.scanPairs().map { String(decoding: $0.key, as: UTF8.self) + "=" + String(decoding: $0.value, as: UTF8.self) }
                == ["a=1", "c=5", "d=6", "e=7"])
    }

    // MARK: Async

    /// `try await db.write { }` and `try await db.read { }` from 16 tasks at once: every increment of a
    /// shared counter commits exactly once (retried through conflicts), at each level.
    @Test func asyncWrappersFromATaskGroup() async throws {
        let scratch = try ScratchDatabase { config in
            config.syncMode = .normal
            config.transactionRetries = 1000
        }
        let db = scratch.db
        let counter = Self.bytes("counter")
        try db.put(counter, Self.bytes("0"))
        let seen = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    let level = IsolationLevel.allCases[task % 3]
                    try await db.write(isolation: level) { tx in
                        // Read committed needs the row lock before reading, or increments get lost.
                        if level == .readCommitted { try tx.lockForUpdate(counter) }
                        let value = Self.number(try tx.get(counter)) ?? -1000
                        try tx.put(counter, Self.bytes(String(value + 1)))
                        try tx.put(Self.bytes("task-\(task)"), Self.bytes(String(value + 1)))
                    }
                    return try await db.read { tx in Self.number(try tx.get(Self.bytes("task-\(task)"))) ?? -1 }
                }
            }
            var values: [Int] = []
            for try await value in group { values.append(value) }
            return values
        }
        #expect(seen.sorted() == Array(1...16), "each task's increment saw a distinct counter value")
        let final = try await db.read { tx in Self.number(try tx.get(counter)) }
        #expect(final == 16)
    }
}

// MARK: Point reads that load pages outside the engine lock

extension ConcurrencyTests {
    static func pageTestKey(_ i: Int) -> [UInt8] { bytes(String(format: "page-%05d", i)) }
    static func pageTestValue(_ i: Int, _ version: Int) -> [UInt8] {
        bytes("page-\(i):\(version):" + String(repeating: "x", count: 150 + i % 50))
    }

    /// Point reads on several threads against a pool far smaller than the data: misses are read
    /// outside the engine lock, then cached only if no page was written meanwhile. A writer updates and
    /// checkpoints throughout (so pages are written back between a miss and its install); every read
    /// must return its key's value, at least as new as the last commit before the read began, and the
    /// final state must equal the model. With the file mapped, pages not resident are read in place
    /// under the lock instead (no frame), while the writer writes pages back: the same must hold.
    @Test(arguments: [false, true])
    func pointReadsLoadMissingPagesOutsideTheLockExactly(mapped: Bool) throws {
        let scratch = try ScratchDatabase {
            $0.bufferPoolBytes = 24 * 8192
            $0.memoryMappedReads = mapped
        }
        let db = scratch.db
        let seed = UInt64.random(in: 0...UInt64.max)
        let keys = 3000
        try db.putBatch((0..<keys).map { (Self.pageTestKey($0), Self.pageTestValue($0, 0)) })
        // Committed version per key; a reader samples it before its get.
        let committed = Mutex([Int](repeating: 0, count: keys))
        let failures = Mutex([String]())
        let group = DispatchGroup()
        let writerDone = Atomic<Bool>(false)
        group.enter()
        Thread {
            var rng = SeededRandom(seed: seed)
            do {
                for step in 0..<1500 {
                    let i = Int(rng.next() % UInt64(keys))
                    let version = committed.withLock { $0[i] } + 1
                    try db.put(Self.pageTestKey(i), Self.pageTestValue(i, version))
                    committed.withLock { $0[i] = version }
                    if step % 300 == 299 { try db.checkpoint() }
                }
            } catch {
                failures.withLock { $0.append("writer: \(error)") }
            }
            writerDone.store(true, ordering: .releasing)
            group.leave()
        }.start()
        for reader in 0..<3 {
            group.enter()
            Thread {
                var rng = SeededRandom(seed: seed &+ UInt64(reader + 1))
                var reads = 0
                while reads < 4000 || !writerDone.load(ordering: .acquiring) {
                    reads += 1
                    let i = Int(rng.next() % UInt64(keys))
                    let atLeast = committed.withLock { $0[i] }
                    do {
                        guard let value = try db.get(Self.pageTestKey(i)) else {
                            failures.withLock { $0.append("key \(i) missing") }
                            continue
                        }
                        let parts = String(decoding: value, as: UTF8.self).split(separator: ":")
                        guard parts.count == 3, parts[0] == "page-\(i)", let version = Int(parts[1]), version >= atLeast,
                              value == Self.pageTestValue(i, version) else {
                            failures.withLock { $0.append("key \(i): read \(String(decoding: value.prefix(24), as: UTF8.self)), committed \(atLeast)") }
                            continue
                        }
                    } catch {
                        failures.withLock { $0.append("reader: \(error)") }
                    }
                }
                group.leave()
            }.start()
        }
        try #require(group.wait(timeout: .now() + 300) == .success, "threads did not finish (seed \(seed))")
        let problems = failures.withLock { $0 }
        #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(5))")
        let model = committed.withLock { $0 }
        for i in 0..<keys {
            #expect(try db.get(Self.pageTestKey(i)) == Self.pageTestValue(i, model[i]), "seed \(seed): key \(i)")
        }
        let pool = try db.statistics().bufferPool
        if mapped {
            #expect(pool.detachedLoads == 0 && pool.inPlaceReads > 0, "seed \(seed): mapped reads of pages not resident are read in place")
        } else {
            #expect(pool.detachedLoads > 0, "seed \(seed): no miss was read outside the lock")
        }
        print("detached page reads: \(pool.detachedLoads) cached, \(pool.detachedDiscards) discarded, \(pool.misses) misses (seed \(seed))")
    }
}
