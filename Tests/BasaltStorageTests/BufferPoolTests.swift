import Testing
@testable import BasaltStorage

/// The buffer pool's budget, counters, pinning and the three eviction policies, through the engine and
/// directly. Failures name the policy and seed.
@Suite struct BufferPoolTests {
    // MARK: Through the engine

    /// Writes about ten times the pool's budget and reads it back: the pool never holds more frames than
    /// its budget allows, pages are evicted (and dirty ones written back), and every value comes back.
    @Test(arguments: EvictionPolicyKind.allCases)
    func datasetTenTimesTheBudget(policy: EvictionPolicyKind) throws {
        let pageSize = 4096
        // Not a multiple of the page size: the frame count must round down.
        let budget = 70 * pageSize + 1000
        let fs = SimulatedFileSystem()
        let options = StorageOptions(pageSize: pageSize, bufferPoolBytes: budget, eviction: policy)
        let engine = try StorageEngine(fileSystem: fs, path: "pool.db", options: options)
        let frames = engine.bufferPoolStatistics.frameCount
        #expect((frames + Pager.scratchPageCount) * pageSize <= budget, "\(policy): \(frames) frames exceed the budget")
        #expect(frames >= 60, "\(policy): only \(frames) frames")
        #expect(engine.bufferPoolStatistics.budgetBytes <= budget)

        var rng = SeededRandom(seed: 0xB0_0001)
        var model = SortedModel()
        var worst = 0
        var n = 0
        var bytes = 0
        // ~10x the budget in values alone, a few of them overflowing.
        while bytes < 10 * budget {
            let key = rng.bytes(16)
            let value = n % 97 == 0 ? rng.bytes(Int.random(in: 5000...20000, using: &rng)) : rng.bytes(Int.random(in: 100...400, using: &rng))
            try engine.put(key, value)
            model.put(key, value)
            bytes += value.count
            let stats = engine.bufferPoolStatistics
            worst = max(worst, stats.residentPages)
            if stats.residentPages > frames || stats.frameCount != frames {
                Issue.record("\(policy): \(stats.residentPages) resident pages in \(frames) frames after put \(n)")
                return
            }
            n += 1
        }
        let pageCount = try engine.spaceStatistics().pageCount
        #expect(pageCount >= 8 * frames, "\(policy): the dataset (\(pageCount) pages) should dwarf the pool (\(frames) frames)")
        #expect(worst == frames, "\(policy): the pool should fill up (\(worst) of \(frames))")
        let afterWrite = engine.bufferPoolStatistics
        #expect(afterWrite.evictions > 0 && afterWrite.writes > 0, "\(policy): no evictions or write-backs: \(afterWrite)")

        // Random gets, then a full scan.
        var wrong = 0
        for key in model.keys.shuffled(using: &rng) where try engine.get(key) != model.values[key] { wrong += 1 }
        #expect(wrong == 0, "\(policy): \(wrong) gets returned wrong values")
        let pairs = try engine.allPairs()
        do {
            let same = pairs.map(\.0) == model.keys
            #expect(same, "\(policy): scan keys")
        }
        #expect(pairs.allSatisfy { model.values[$0.0] == $0.1 }, "\(policy): scan values")
        let stats = engine.bufferPoolStatistics
        #expect(stats.residentPages <= frames, "\(policy)")
        #expect(stats.misses > afterWrite.misses, "\(policy): reading a dataset larger than the pool must miss")
        #expect(engine.pinnedPages == 0)
        try engine.checkpoint()
        #expect(engine.bufferPoolStatistics.dirtyPages == 0, "\(policy): dirty pages after a checkpoint")
        let report = try engine.checkIntegrity()
        #expect(report.isClean, "\(policy): \(report.problems.prefix(5))")

        // Reopen with a different policy: what was written back is what comes back.
        try engine.close()
        let reopened = try StorageEngine(fileSystem: fs, path: "pool.db",
                                         options: StorageOptions(pageSize: pageSize, bufferPoolBytes: budget, eviction: .lru))
        do {
            let same = try reopened.allPairs().map(\.0) == model.keys
            #expect(same, "\(policy): keys after reopen")
        }
        try reopened.close()
    }

    /// A repeated get is served from the pool; a get after its pages were evicted reads them again.
    @Test(arguments: EvictionPolicyKind.allCases)
    func hitsMissesAndEvictionsCounters(policy: EvictionPolicyKind) throws {
        let pageSize = 4096
        let fs = SimulatedFileSystem()
        let options = StorageOptions(pageSize: pageSize, bufferPoolBytes: (32 + Pager.scratchPageCount) * pageSize, eviction: policy)
        var engine = try StorageEngine(fileSystem: fs, path: "counters.db", options: options)
        func key(_ i: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(i).bigEndian) { Array($0) } }
        let n = 20_000
        for i in 0..<n { try engine.put(key(i), [UInt8](repeating: UInt8(i & 0xFF), count: 100)) }
        let height = try engine.checkIntegrity().trees["keyValue"]!.height
        #expect(height >= 2)
        try engine.close()
        engine = try StorageEngine(fileSystem: fs, path: "counters.db", options: options)

        let s0 = engine.bufferPoolStatistics
        #expect(s0.hits == 0 && s0.evictions == 0, "\(policy): fresh pool \(s0)")
        // Cold: every page of the path is read.
        #expect(try engine.get(key(5)) == [UInt8](repeating: 5, count: 100))
        let s1 = engine.bufferPoolStatistics
        #expect(s1.misses - s0.misses >= UInt64(height), "\(policy): cold get missed \(s1.misses - s0.misses) pages, height \(height)")
        // Warm: the same key again is all hits.
        #expect(try engine.get(key(5)) == [UInt8](repeating: 5, count: 100))
        let s2 = engine.bufferPoolStatistics
        #expect(s2.misses == s1.misses, "\(policy): repeated get missed")
        #expect(s2.hits - s1.hits >= UInt64(height), "\(policy): repeated get hit \(s2.hits - s1.hits) pages, height \(height)")

        // Churn: every key of the upper half, each read twice (so even LRU-K sees those pages as hotter
        // than key 5's leaf, which was touched twice long ago).
        for i in stride(from: n / 2, to: n, by: 7) {
            _ = try engine.get(key(i))
            _ = try engine.get(key(i))
        }
        let s3 = engine.bufferPoolStatistics
        #expect(s3.evictions > s2.evictions, "\(policy): churn through \(n / 2) keys evicted nothing")
        #expect(s3.residentPages <= s3.frameCount)
        // Cold again: key 5's leaf was evicted.
        #expect(try engine.get(key(5)) == [UInt8](repeating: 5, count: 100))
        let s4 = engine.bufferPoolStatistics
        #expect(s4.misses > s3.misses, "\(policy): a get after eviction should miss")
        #expect(s4.evictions > s3.evictions, "\(policy): the full pool had to evict for the miss")
        #expect(s4.hitRatio > 0 && s4.hitRatio < 1)
        try engine.close()
    }

    // MARK: BufferPool directly

    /// A closed database file with `pages` valid pages (header, tree pages), and a handle on it.
    static func fileWithPages(_ fs: SimulatedFileSystem, minimumPages: Int) throws -> (handle: any FileHandle, pageCount: Int) {
        let engine = try StorageEngine(fileSystem: fs, path: "direct.db", options: StorageOptions(pageSize: 4096))
        var i = 0
        while try engine.spaceStatistics().pageCount < minimumPages {
            for _ in 0..<200 {
                try engine.put(withUnsafeBytes(of: UInt32(i).bigEndian) { Array($0) }, [UInt8](repeating: UInt8(i & 0xFF), count: 200))
                i += 1
            }
        }
        let pageCount = try engine.spaceStatistics().pageCount
        #expect(try engine.spaceStatistics().freePages == 0)
        try engine.close()
        let handle = try fs.open(path: "direct.db", options: FileOpenOptions(create: false, exclusiveLock: true))
        return (handle, pageCount)
    }

    @Test(arguments: EvictionPolicyKind.allCases)
    func exhaustedWhenEveryFrameIsPinned(policy: EvictionPolicyKind) throws {
        let fs = SimulatedFileSystem()
        let (handle, pageCount) = try Self.fileWithPages(fs, minimumPages: 60)
        defer { try? handle.close() }
        let frames = BufferPool.minimumFrames
        let pool = BufferPool(file: handle, pageSize: 4096, budgetBytes: frames * 4096, policy: policy)
        #expect(pool.frameCount == frames)
        var pinned: [(PageID, Int32)] = []
        for id in PageID(0)..<PageID(frames) { pinned.append((id, try pool.pin(id))) }
        #expect(pool.pinnedCount == frames)
        #expect(Set(pinned.map(\.1)).count == frames, "\(policy): two pages share a frame")
        #expect(throws: StorageError.bufferPoolExhausted(frames: frames), "\(policy): pin with all frames pinned") {
            _ = try pool.pin(PageID(frames))
        }
        #expect(throws: StorageError.bufferPoolExhausted(frames: frames), "\(policy): new page with all frames pinned") {
            try pool.withNewPage(PageID(pageCount + 5), type: .leaf) { _ in }
        }
        // The failures changed nothing: every pinned page is still in its frame.
        for (id, frame) in pinned { #expect(pool.page(ofFrame: frame).id == id, "\(policy): frame \(frame)") }
        #expect(pool.statistics.residentPages == frames)
        // A resident page can still be pinned again (a hit, no frame needed).
        let again = try pool.pin(3)
        #expect(again == pinned[3].1)
        pool.unpin(again)
        // Releasing one frame lets exactly one other page in.
        pool.unpin(pinned[7].1)
        let frame = try pool.pin(PageID(frames))
        #expect(frame == pinned[7].1, "\(policy): the only unpinned frame must be the victim")
        #expect(pool.page(ofFrame: frame).id == PageID(frames))
        #expect(throws: StorageError.bufferPoolExhausted(frames: frames)) { _ = try pool.pin(PageID(frames + 1)) }
        pool.unpin(frame)
        for (i, (_, f)) in pinned.enumerated() where i != 7 { pool.unpin(f) }
        #expect(pool.pinnedCount == 0)
        // With everything unpinned, any page can come in again.
        for id in PageID(0)..<PageID(pageCount) { try pool.withPage(id) { #expect($0.id == id) } }
    }

    @Test(arguments: EvictionPolicyKind.allCases)
    func pinnedPagesAreNeverEvicted(policy: EvictionPolicyKind) throws {
        let fs = SimulatedFileSystem()
        let (handle, pageCount) = try Self.fileWithPages(fs, minimumPages: 120)
        defer { try? handle.close() }
        let pool = BufferPool(file: handle, pageSize: 4096, budgetBytes: 20 * 4096, policy: policy)
        var rng = SeededRandom(seed: 0xB0_0002)
        // Pin a few pages (one of them dirtied in memory) and remember their bytes.
        let keep: [PageID] = [1, 9, PageID(pageCount / 2), PageID(pageCount - 1)]
        var held: [(id: PageID, frame: Int32, bytes: [UInt8])] = []
        for id in keep {
            let frame = try pool.pin(id)
            let page = pool.page(ofFrame: frame)
            if id == 9 {
                pool.markDirty(frame)
                page.setU64(16, 0xDEAD_BEEF)   // the LSN field: harmless, and visible if lost
            }
            held.append((id, frame, Array(UnsafeRawBufferPointer(start: page.base, count: 4096))))
        }
        let before = pool.statistics
        // Churn through every other page many times, in random order, with some repeat accesses.
        var others = (PageID(0)..<PageID(pageCount)).filter { !keep.contains($0) }
        for _ in 0..<5 {
            others.shuffle(using: &rng)
            for id in others {
                try pool.withPage(id) { #expect($0.id == id) }
                if Bool.random(using: &rng) { try pool.withPage(id) { _ in } }
            }
        }
        #expect(pool.statistics.evictions - before.evictions > UInt64(2 * others.count),
                "\(policy): churn should evict")
        #expect(pool.statistics.residentPages <= pool.frameCount)
        for entry in held {
            let page = pool.page(ofFrame: entry.frame)
            #expect(page.id == entry.id, "\(policy): pinned page \(entry.id) left its frame")
            let unchanged = Array(UnsafeRawBufferPointer(start: page.base, count: 4096)) == entry.bytes
            #expect(unchanged, "\(policy): pinned page \(entry.id) changed")
            // Pinning it again is a hit on the same frame.
            let misses = pool.statistics.misses
            let frame = try pool.pin(entry.id)
            #expect(frame == entry.frame && pool.statistics.misses == misses, "\(policy): page \(entry.id)")
            pool.unpin(frame)
            pool.unpin(entry.frame)
        }
        #expect(pool.pinnedCount == 0)
        // The dirty page is written back (checksum sealed) when evicted, and reads back verified. Each
        // churn page is touched twice, so LRU-K too ranks page 9 (touched twice, long ago) coldest.
        for id in others {
            try pool.withPage(id) { _ in }
            try pool.withPage(id) { _ in }
        }
        let misses = pool.statistics.misses
        #expect(try pool.withPage(9) { $0.u64(16) } == 0xDEAD_BEEF, "\(policy): dirty page lost on eviction")
        #expect(pool.statistics.misses == misses + 1, "\(policy): page 9 should have been evicted and read back")
    }

    /// A page is verified on its first read only: read back after eviction, or after the pool wrote it,
    /// it is trusted (the database's file lock leaves the pool the file's only writer). A new pool
    /// verifies again, so damage done while no pool had the file open is caught.
    /// A checkpoint's write-back hands each megabyte of pages it wrote to the kernel's writeback, and
    /// the rest at its end, so its sync finds most of them already on their way; evictions give no hints.
    @Test func checkpointsStartWritebackEveryMegabyte() throws {
        let pageSize = 4096
        let fs = SimulatedFileSystem()
        let engine = try StorageEngine(fileSystem: fs, path: "pool.db",
                                       options: StorageOptions(pageSize: pageSize, bufferPoolBytes: 700 * pageSize))
        // Creating the file wrote and flushed its first pages: hinted like any flush.
        let created = fs.writebackHints(path: "pool.db").count
        var rng = SeededRandom(seed: 0xB0_0777)
        var bytes = 0
        while bytes < 6 << 20 {
            let value = rng.bytes(Int.random(in: 100...400, using: &rng))
            try engine.put(rng.bytes(16), value)
            bytes += value.count
        }
        // Hundreds of evictions and no checkpoint so far: no hint since the file was created.
        let evicted = fs.writebackHints(path: "pool.db").count
        #expect(engine.checkpointCount == 0 && engine.bufferPoolStatistics.writes > 500 && evicted == created,
                "\(evicted - created) hints from \(engine.bufferPoolStatistics.writes) evictions")
        let before = Int(engine.bufferPoolStatistics.writes)
        try engine.checkpoint()
        let written = Int(engine.bufferPoolStatistics.writes) - before
        let hints = fs.writebackHints(path: "pool.db").dropFirst(evicted)
        #expect(written * pageSize >= 2 << 20, "only \(written) pages written by the checkpoint")
        let batches = (written * pageSize + BufferPool.writebackBatchBytes - 1) / BufferPool.writebackBatchBytes
        #expect(hints.count == batches, "\(hints.count) hints for \(written) page writes")
        let size = UInt64(fs.fileBytes(path: "pool.db")!.count)
        for (i, (hint, writes)) in hints.enumerated() {
            // Exactly the pages written since the previous hint (the first one's span also holds the
            // evictions before the checkpoint, which are not hinted, so it only contains the hint).
            let exact = i == 0 ? writes.map { $0.lowerBound <= hint.lowerBound && hint.upperBound <= $0.upperBound } ?? false : hint == writes
            let last = i == hints.count - 1
            #expect(exact && hint.upperBound <= size && (last || hint.count >= BufferPool.writebackBatchBytes),
                    "hint \(hint) after writes spanning \(String(describing: writes))")
        }
    }

    @Test func pagesAreVerifiedOncePerPool() throws {
        let fs = SimulatedFileSystem()
        let (handle, pageCount) = try Self.fileWithPages(fs, minimumPages: 3 * BufferPool.minimumFrames)
        defer { try? handle.close() }
        // The pages a pool can read (all but pages never written, which fail verification).
        let ids = (1..<PageID(pageCount)).filter { id in
            (try? BufferPool(file: handle, pageSize: 4096, budgetBytes: 0, policy: .clock).withPage(id) { _ in }) != nil
        }
        #expect(ids.count > 2 * BufferPool.minimumFrames)
        let pool = BufferPool(file: handle, pageSize: 4096, budgetBytes: 0, policy: .clock)
        for id in ids { try pool.withPage(id) { _ in } }
        #expect(pool.statistics.verifiedReads == UInt64(ids.count))
        #expect(pool.statistics.evictions > 0, "the pool must be too small to keep every page")
        let misses = pool.statistics.misses
        for id in ids { try pool.withPage(id) { _ in } }
        #expect(pool.statistics.misses > misses, "evicted pages are read again")
        #expect(pool.statistics.verifiedReads == UInt64(ids.count), "a page read before is not verified again")

        // Damage to a page a fresh pool has not read is caught, however often the old pool read it.
        let damaged = ids[ids.count / 2]
        fs.corrupt(path: "direct.db", offset: Int(damaged) * 4096 + 100, xor: 0x40)
        let fresh = BufferPool(file: handle, pageSize: 4096, budgetBytes: 0, policy: .clock)
        #expect {
            try fresh.withPage(damaged) { _ in }
        } throws: { error in
            if case StorageError.corruption(page: damaged, _) = error { return true }
            return false
        }
        #expect(fresh.statistics.verifiedReads == 0)
    }

    /// A page that fails verification is neither cached nor leaks its frame.
    @Test func failedLoadDoesNotLeakAFrame() throws {
        let fs = SimulatedFileSystem()
        let (handle, pageCount) = try Self.fileWithPages(fs, minimumPages: 40)
        fs.corrupt(path: "direct.db", offset: 5 * 4096 + 100, xor: 0x40)
        defer { try? handle.close() }
        let frames = BufferPool.minimumFrames
        let pool = BufferPool(file: handle, pageSize: 4096, budgetBytes: frames * 4096, policy: .clock)
        // Were the frame leaked, the 17th attempt would throw bufferPoolExhausted instead.
        for attempt in 0..<3 * frames {
            #expect("attempt \(attempt)") {
                _ = try pool.pin(5)
            } throws: { error in
                if case StorageError.corruption(page: 5, _) = error { return true }
                return false
            }
        }
        // Past the end of the file is corruption too, not a zero page.
        #expect {
            _ = try pool.pin(PageID(pageCount + 100))
        } throws: { error in
            if case StorageError.corruption(page: PageID(pageCount + 100), _) = error { return true }
            return false
        }
        #expect(pool.statistics.residentPages == 0 && pool.pinnedCount == 0)
        // All frames are still available for pinning at once.
        var frameList: [Int32] = []
        for id in PageID(6)..<PageID(6 + frames) { frameList.append(try pool.pin(id)) }
        #expect(Set(frameList).count == frames)
        for f in frameList { pool.unpin(f) }
    }

    // MARK: Policies in isolation

    @Test func lruEvictsLeastRecentlyUsed() {
        let lru = LRUEviction(frameCount: 8)
        for f in Int32(0)..<8 { lru.admit(f) }
        lru.recordAccess(0)
        lru.recordAccess(3)
        lru.recordAccess(0)
        // Order, least recent first: 1 2 4 5 6 7 3 0.
        var victims: [Int32] = []
        while let v = lru.victim(isPinned: { _ in false }) { victims.append(v) }
        #expect(victims == [1, 2, 4, 5, 6, 7, 3, 0])

        for f in Int32(0)..<8 { lru.admit(f) }
        lru.remove(2)
        // Pinned frames are skipped but keep their place.
        #expect(lru.victim(isPinned: { $0 == 0 || $0 == 1 }) == 3)
        #expect(lru.victim(isPinned: { $0 == 0 }) == 1)
        #expect(lru.victim(isPinned: { _ in true }) == nil)
        #expect(lru.victim(isPinned: { _ in false }) == 0, "a frame skipped while pinned stays least recent")
        // Re-admitting a frame already listed moves it to the most recent end.
        lru.admit(4)
        #expect(lru.victim(isPinned: { _ in false }) == 5)
    }

    @Test func lruKEvictsOnceAccessedFirstThenOldestPenultimate() {
        let policy = LRUKEviction(frameCount: 8)
        for f in Int32(0)..<6 { policy.admit(f) }   // each accessed once, at times 1...6
        policy.recordAccess(2)                      // 2: accesses 3, 7
        policy.recordAccess(4)                      // 4: accesses 5, 8
        policy.recordAccess(2)                      // 2: accesses 7, 9 (penultimate 7)
        // Once-accessed frames by last access (0 1 3 5), then twice-accessed by penultimate (4: 5, 2: 7).
        var victims: [Int32] = []
        while let v = policy.victim(isPinned: { _ in false }) { victims.append(v) }
        #expect(victims == [0, 1, 3, 5, 4, 2])

        // A frame accessed once recently still goes before one accessed twice long ago.
        let p = LRUKEviction(frameCount: 4)
        p.admit(0)
        p.recordAccess(0)
        p.admit(1)
        p.admit(2)
        p.recordAccess(1)
        p.admit(3)
        #expect(p.victim(isPinned: { _ in false }) == 2)
        #expect(p.victim(isPinned: { _ in false }) == 3)
        #expect(p.victim(isPinned: { _ in false }) == 0)
        #expect(p.victim(isPinned: { _ in false }) == 1)
        #expect(p.victim(isPinned: { _ in false }) == nil)

        // Pinned frames are skipped and stay eligible afterwards; all pinned gives nil.
        let q = LRUKEviction(frameCount: 4)
        for f in Int32(0)..<4 { q.admit(f) }
        #expect(q.victim(isPinned: { $0 < 2 }) == 2)
        #expect(q.victim(isPinned: { _ in true }) == nil)
        #expect(q.victim(isPinned: { $0 == 0 }) == 1)
        q.remove(3)
        #expect(q.victim(isPinned: { $0 == 0 }) == nil)
        #expect(q.victim(isPinned: { _ in false }) == 0)
        // Re-admission resets the history: a re-admitted frame counts as accessed once.
        q.admit(1)
        q.recordAccess(1)
        q.admit(2)
        q.admit(1)
        #expect(q.victim(isPinned: { _ in false }) == 2)
    }

    @Test func clockGivesReferencedFramesASecondChance() {
        let clock = ClockEviction(frameCount: 8)
        for f in Int32(0)..<8 { clock.admit(f) }
        // Every frame is referenced on admission: the first victim needs a full sweep.
        let first = clock.victim(isPinned: { _ in false })
        #expect(first != nil)
        // Every remaining frame has had its bit cleared; touch one.
        clock.recordAccess(3 == first! ? 4 : 3)
        let touched: Int32 = first! == 3 ? 4 : 3
        var victims: [Int32] = []
        while let v = clock.victim(isPinned: { _ in false }) { victims.append(v) }
        #expect(victims.count == 7)
        #expect(victims.last == touched, "the referenced frame should go last: \(victims)")
        #expect(Set(victims + [first!]) == Set(0..<8))

        // Pinned frames are skipped; all pinned gives nil; an empty policy gives nil.
        let c = ClockEviction(frameCount: 4)
        #expect(c.victim(isPinned: { _ in false }) == nil)
        for f in Int32(0)..<4 { c.admit(f) }
        #expect(c.victim(isPinned: { _ in true }) == nil)
        let v = c.victim(isPinned: { $0 != 2 })
        #expect(v == 2)
        c.remove(0)
        #expect(c.victim(isPinned: { $0 != 0 }) == nil, "a removed frame is never a victim")
    }

    /// A reference model for LRU and LRU-K victims, checked against the implementations on random
    /// operation sequences (CLOCK is checked for its contract only: resident, unpinned, nil iff none).
    @Test(arguments: EvictionPolicyKind.allCases)
    func policiesMatchTheirContractOnRandomOperations(kind: EvictionPolicyKind) {
        let frames = 24
        for seed in UInt64(1)...20 {
            var rng = SeededRandom(seed: 0xE71C_0000 + seed)
            let policy = AnyEvictionPolicy(kind: kind, states: FrameStates(count: frames))
            var resident = Set<Int32>()
            var tick: UInt64 = 0
            var last = [UInt64](repeating: 0, count: frames)
            var penultimate = [UInt64](repeating: 0, count: frames)
            for op in 0..<3000 {
                let f = Int32.random(in: 0..<Int32(frames), using: &rng)
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<3 where !resident.contains(f):
                    policy.admit(f)
                    resident.insert(f)
                    tick += 1
                    last[Int(f)] = tick
                    penultimate[Int(f)] = 0
                case 3..<6 where resident.contains(f):
                    policy.recordAccess(f)
                    tick += 1
                    penultimate[Int(f)] = last[Int(f)]
                    last[Int(f)] = tick
                case 6 where resident.contains(f):
                    policy.remove(f)
                    resident.remove(f)
                default:
                    let pinned = Set((0..<Int32(frames)).filter { _ in Int.random(in: 0..<4, using: &rng) == 0 })
                    let candidates = resident.subtracting(pinned)
                    let victim = policy.victim(isPinned: { pinned.contains($0) })
                    let expected: Int32?
                    switch kind {
                    case .clock:
                        expected = victim
                        #expect(victim.map { candidates.contains($0) } ?? candidates.isEmpty,
                                "clock seed \(seed) op \(op): victim \(String(describing: victim)) of \(candidates)")
                    case .lru:
                        expected = candidates.min { last[Int($0)] < last[Int($1)] }
                    case .lruK:
                        func key(_ x: Int32) -> (Int, UInt64) {
                            penultimate[Int(x)] == 0 ? (0, last[Int(x)]) : (1, penultimate[Int(x)])
                        }
                        expected = candidates.min { key($0) < key($1) }
                    }
                    if victim != expected {
                        Issue.record("\(kind) seed \(seed) op \(op): victim \(String(describing: victim)), expected \(String(describing: expected))")
                        return
                    }
                    if let victim { resident.remove(victim) }
                }
            }
        }
    }

    // MARK: PageTable

    @Test(arguments: [16, 100, 1000])
    func pageTableMatchesADictionary(frameCount: Int) {
        let seed = UInt64(0x7AB1E_0000 + frameCount)
        var rng = SeededRandom(seed: seed)
        var table = PageTable(frameCount: frameCount)
        var model: [PageID: Int32] = [:]
        // Ids from a small range collide and wrap around the table; a few large ones too.
        func randomID() -> PageID {
            Int.random(in: 0..<10, using: &rng) == 0
                ? PageID.random(in: 0..<(PageID.max - 1), using: &rng)
                : PageID.random(in: 0..<PageID(4 * frameCount), using: &rng)
        }
        for op in 0..<120_000 {
            let id = randomID()
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                if model[id] == nil && model.count < frameCount {
                    let frame = Int32.random(in: 0..<Int32(frameCount), using: &rng)
                    table.insert(id, frame: frame)
                    model[id] = frame
                }
            case 1:
                table.remove(id)
                model[id] = nil
            default:
                if table.frame(of: id) != model[id] {
                    Issue.record("seed \(seed) op \(op): lookup of \(id) gave \(String(describing: table.frame(of: id))), model \(String(describing: model[id]))")
                    return
                }
            }
            if op % 5000 == 0 {
                for (id, frame) in model where table.frame(of: id) != frame {
                    Issue.record("seed \(seed) op \(op): \(id) lost")
                    return
                }
            }
        }
        for (id, frame) in model { #expect(table.frame(of: id) == frame, "seed \(seed): final \(id)") }
        // Emptying the table leaves nothing behind.
        for id in model.keys { table.remove(id) }
        for id in PageID(0)..<PageID(4 * frameCount) { #expect(table.frame(of: id) == nil, "seed \(seed): \(id) after clear") }
    }
}

// MARK: Detached reads

extension BufferPoolTests {
    static func detachedKey(_ i: Int) -> [UInt8] { Array(String(format: "key-%05d", i).utf8) }
    /// Values large enough that the tree is many times the pool.
    static func detachedValue(_ text: String) -> [UInt8] { Array((text + String(repeating: ".", count: 200)).utf8) }

    /// Reads other keys until `key`'s leaf is evicted; returns false if it never was.
    static func evictLeaf(of key: [UInt8], _ engine: StorageEngine, keys: Int) throws -> Bool {
        for round in 0..<4 {
            for i in stride(from: round, to: keys, by: 3) { _ = try engine.get(.keyValue, detachedKey(i)) }
            let missed = try engine.deferringMisses { () -> Bool in
                do { _ = try engine.get(.keyValue, key); return false } catch is DeferredPageMiss { return true }
            }
            if missed { return true }
        }
        return false
    }

    /// The interleaving a detached read must survive, forced step by step: a point read misses page P,
    /// P is read outside the lock, then P is changed, written back and evicted before the read is
    /// installed. Installing those bytes would bring back P's old contents, so they must be dropped; a
    /// miss with no write since is installed. Also: misses throw only while deferred, and nothing is
    /// read after `shutDown`.
    @Test func detachedReadsNeverInstallBytesOlderThanTheFile() throws {
        let fs = SimulatedFileSystem()
        let engine = try StorageEngine(fileSystem: fs, path: "detached.db",
                                       options: StorageOptions(pageSize: 4096, bufferPoolBytes: 24 * 4096))
        let keys = 3000
        for i in 0..<keys { try engine.put(Self.detachedKey(i), Self.detachedValue("old-\(i)")) }
        try engine.checkpoint()
        let target = Self.detachedKey(1234)
        try #require(try Self.evictLeaf(of: target, engine, keys: keys), "the target leaf stayed resident")

        // 1. The miss, and the page as the file holds it now.
        var miss: DeferredPageMiss?
        do {
            _ = try engine.deferringMisses { try engine.get(.keyValue, target) }
        } catch let m as DeferredPageMiss {
            miss = m
        }
        let first = try #require(miss)
        // Deferral ends with the call: the same read now loads under the "lock" as before.
        // 2. Descend to the leaf: each deferred attempt installs the page it missed, until the leaf misses.
        var current = first
        var leafMiss: DeferredPageMiss?
        var leafBytes: [UInt8]?
        for _ in 0..<8 {
            let bytes = try #require(try engine.detachedFile.read(current))
            do {
                _ = try engine.deferringMisses { try engine.get(.keyValue, target) }
                leafMiss = current
                leafBytes = bytes
                break
            } catch let next as DeferredPageMiss {
                try engine.installDetached(current, bytes)
                current = next
            }
        }
        // The loop ends when the read stops missing: `current` was then the leaf, read but not installed.
        let staleMiss = try #require(leafMiss)
        let staleBytes = try #require(leafBytes)
        #expect(try engine.get(.keyValue, target) == Self.detachedValue("old-1234"))
        // 3. The leaf changes and is written back, then evicted again.
        try engine.put(target, Self.detachedValue("new-1234"))
        try engine.checkpoint()
        try #require(try Self.evictLeaf(of: target, engine, keys: keys), "the target leaf stayed resident")
        // 4. The stale bytes must not be installed.
        let before = engine.bufferPoolStatistics
        try engine.installDetached(staleMiss, staleBytes)
        #expect(engine.bufferPoolStatistics.detachedDiscards == before.detachedDiscards + 1)
        #expect(engine.bufferPoolStatistics.detachedLoads == before.detachedLoads)
        #expect(try engine.get(.keyValue, target) == Self.detachedValue("new-1234"))

        // A fresh miss with no write since is installed, and then served from the pool.
        try #require(try Self.evictLeaf(of: target, engine, keys: keys), "the target leaf stayed resident")
        var value: [UInt8]?
        for _ in 0..<8 {
            do {
                value = try engine.deferringMisses { try engine.get(.keyValue, target) }
                break
            } catch let m as DeferredPageMiss {
                let bytes = try #require(try engine.detachedFile.read(m))
                let loads = engine.bufferPoolStatistics.detachedLoads
                try engine.installDetached(m, bytes)
                #expect(engine.bufferPoolStatistics.detachedLoads == loads + 1)
            }
        }
        #expect(value == Self.detachedValue("new-1234"))

        try engine.close()
        #expect(try engine.detachedFile.read(first) == nil, "a read after shutDown")
    }
}
