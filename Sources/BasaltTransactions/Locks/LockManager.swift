// The lock manager: hierarchical IS/IX/S/SIX/X locks on `LockResource`s, held by owners (transaction
// ids), with FIFO wait queues, a lock timeout and wait-for-graph deadlock detection.
//
// All state lives in one `LockTable` behind one pthread mutex, taken once per `acquire` (for the
// resource and all its ancestors), `release`, `releaseAll`, detector pass or introspection call:
//
//   entries   resource → LockEntry: its holders (owner, mode) and its queue of waiting LockRequests
//   owners    owner → OwnerLocks: the resources it holds, in acquisition order (for releaseAll),
//             and the last parent it locked under (so a run of key locks skips their ancestors)
//   waiting   owner → the one LockRequest it is blocked on (for the deadlock detector)
//
// Invariants (referred to as L1…L8 below):
// L1. The modes granted on one resource to different owners are pairwise compatible. An owner holds a
//     resource at most once, in the supremum of every mode it was granted there.
// L2. `entries[r]` exists iff r has a holder or a queued request: empty entries are removed at once, so
//     the table is as large as the set of locks held and waited for.
// L3. `owners[o]` lists each resource whose holders include o exactly once, and is absent when o holds
//     nothing (so `releaseAll` of an owner holding nothing is one hash lookup).
// L4. A queue holds upgrades (requests by an owner already holding the resource) first, in arrival
//     order, then new requests in arrival order. An upgrade is granted as soon as its target mode is
//     compatible with every OTHER holder; a new request only at the head of the queue (no upgrade and
//     no earlier request waits: no barging, so a queued X is never starved by a stream of S) and when
//     compatible with every holder.
// L5. A request's `state` is `.waiting` iff it is in its resource's queue. Whoever takes it out sets the
//     state in the same critical section: the granter (`.granted`), the detector (`.victim`), or the
//     request's own thread when it times out (it then throws). `waiting[o]` is set by o's thread for
//     the whole of its wait, so it may briefly hold a request that is no longer `.waiting`.
// L6. When the mutex is released, no queue holds a request L4 would grant: every change that can make
//     one grantable (a release, a request leaving the queue) calls `grantWaiters` on that entry.
// L7. Holding a resource implies holding at least the mode's `parentIntention` on every ancestor:
//     `acquire` takes ancestors first and `releaseAll` drops everything at once. (`release` of a
//     single ancestor can break this; it exists for tests.)
// L8. If `owners[o].parent` is (p, m), o holds p in a mode covering m: a held mode only grows until
//     it is released, `release` clears the cache whatever it releases, and `releaseAll` drops the
//     whole record. With L7, an acquire of a child of p whose parent intention m covers has nothing to
//     do on p or p's ancestors, and skips them without hashing them.
//
// Wait-for graph (built by each detector pass from the waiting requests): a waiting owner → every other
// owner holding the resource in a mode incompatible with the request's target; a waiting NEW request
// also → the owner of every request queued ahead of it. Textbook graphs stop at earlier INCOMPATIBLE
// requests, but with strict FIFO (L4) a new request cannot pass even a compatible one, so without
// those edges a cycle through "waits to be granted after" would go unseen (e.g. holder H: IX; queue:
// S, IX, IS: the IS conflicts with nothing but waits behind the S, which waits for H; if H then waits
// for the IS owner, only the IS → S edge closes the cycle). Each cycle's youngest owner (largest id)
// is the victim; its request leaves the queue and its `acquire` throws `LockError.deadlock`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BasaltStorage

/// Grants and queues locks on database resources for transactions, detects deadlocks between them, and
/// times out waits.
///
/// Contract:
/// - `acquire` blocks the calling thread until the lock is granted, the wait exceeds `timeout`, or the
///   deadlock detector chooses the caller as a victim. An owner makes one request at a time (one thread
///   per transaction), and never calls `release`/`releaseAll` for itself while blocked in `acquire`.
/// - Owners are transaction ids; a larger id is a younger transaction, and deadlock victims are the
///   youngest in their cycle.
/// - Locks are held until `releaseAll(owner:)` (strict two-phase locking); a failed `acquire` keeps what
///   was granted before it, so the caller rolls back and releases everything.
///
/// Every method is thread-safe. A detector thread runs every `deadlockCheckInterval` unless disabled;
/// it stops on `stop()` or when the manager is deallocated.
package final class LockManager: Sendable {
    private let table: LockTable
    private let detector: BackgroundThread?

    /// A manager with no locks. `timeout` bounds every wait (`.zero` waits for ever, though deadlock
    /// detection still applies; it must not be negative); `deadlockCheckInterval` is the detector's
    /// period (1 ms at least). With `startDetector: false` no thread runs and deadlocks are only found by
    /// calling `detectDeadlocks()` (for deterministic tests).
    package init(timeout: Duration, deadlockCheckInterval: Duration, startDetector: Bool = true) {
        precondition(timeout >= .zero, "the lock timeout must not be negative")
        let table = LockTable(timeout: timeout)
        self.table = table
        // The thread keeps the table (not the manager) alive, so the manager's deinit can stop it.
        detector = startDetector
            ? BackgroundThread(interval: deadlockCheckInterval) { _ = table.detectDeadlocks() }
            : nil
    }

    deinit {
        detector?.stop()
    }

    /// How long a request may wait before `acquire` throws `LockError.timeout`; `.zero` means for ever.
    /// Changeable at run time from any thread: a new value applies to waits that start afterwards.
    /// Must not be negative.
    package var timeout: Duration {
        get { table.timeout }
        set {
            precondition(newValue >= .zero, "the lock timeout must not be negative")
            table.timeout = newValue
        }
    }

    /// Locks `resource` in `mode` for `owner`, after locking each ancestor (database first) in
    /// `mode.parentIntention`. Returns at once if the owner already holds a mode covering the request;
    /// if it holds a weaker one, upgrades it to `LockMode.supremum(held, mode)`, waiting only for other
    /// holders whose modes conflict. A new request waits until it is compatible with every holder and
    /// every earlier request has been granted or has left the queue (FIFO).
    ///
    /// Throws `LockError.timeout` after waiting `timeout`, or `LockError.deadlock` when the detector
    /// chose this owner as a deadlock victim; the request is then withdrawn, but locks granted before
    /// (including ancestors' intention locks taken by this call) stay held until `releaseAll`.
    package func acquire(_ resource: LockResource, _ mode: LockMode, owner: UInt64) throws(LockError) {
        try table.acquire(resource, mode, owner: owner)
    }

    /// Locks `resource` in `mode` for `owner` (with its ancestors' intentions, as `acquire`) only if
    /// that needs no wait: returns false, queueing nothing, when a holder's mode conflicts or (for a new
    /// request) anything waits in the queue. Ancestor intentions granted before a refusal stay held
    /// until `releaseAll`, as with a failed `acquire`. Lock escalation uses it, so escalating never
    /// waits and never closes a deadlock cycle.
    package func tryAcquire(_ resource: LockResource, _ mode: LockMode, owner: UInt64) -> Bool {
        table.tryAcquire(resource, mode, owner: owner)
    }

    /// Releases `owner`'s lock on `resource` (whatever its mode) and grants what became grantable. A
    /// no-op if the owner does not hold it. Does not release descendants: releasing an ancestor while
    /// holding a descendant breaks the protocol, so outside tests use `releaseAll`.
    package func release(_ resource: LockResource, owner: UInt64) {
        table.release(resource, owner: owner)
    }

    /// Releases every lock `owner` holds (at commit or rollback) and grants what became grantable. Costs
    /// one mutex acquisition and one hash lookup for an owner holding nothing.
    package func releaseAll(owner: UInt64) {
        table.releaseAll(owner: owner)
    }

    /// Runs one deadlock-detection pass now: finds every cycle in the wait-for graph, picks each cycle's
    /// youngest owner as the victim, withdraws the victims' requests (their `acquire` throws
    /// `LockError.deadlock`) and returns the victims in the order they were chosen.
    @discardableResult
    package func detectDeadlocks() -> [UInt64] {
        table.detectDeadlocks()
    }

    /// Stops the detector thread and waits for it to finish; afterwards only `detectDeadlocks()` finds
    /// deadlocks. Idempotent; also done on deinit.
    package func stop() {
        detector?.stop()
    }

    /// Every granted lock and every waiting request at one instant, grouped by resource (holders before
    /// the queue, the queue in order; resources in no particular order). A waiting upgrade appears twice:
    /// granted in its current mode and waiting for its target.
    package func snapshot() -> [LockInfo] {
        table.snapshot()
    }

    /// Counters since the manager was created.
    package var statistics: LockStatistics {
        table.statistics
    }
}

/// One row of `LockManager.snapshot()`: a lock held or waited for.
package struct LockInfo: Sendable {
    /// The locked resource.
    package let resource: LockResource
    /// The transaction id holding or waiting.
    package let owner: UInt64
    /// The mode held, or, while waiting, the mode that will be held once granted (for an upgrade, the
    /// supremum of the held and requested modes).
    package let mode: LockMode
    /// Whether the lock is held (true) or waited for (false).
    package let granted: Bool
    /// When the wait began; nil for a granted lock.
    package let waitingSince: ContinuousClock.Instant?
}

/// Counters of a `LockManager`, counted per resource (a key lock with its two ancestors counts up to
/// three requests).
package struct LockStatistics: Sendable, Equatable {
    /// Requests granted, at once or after waiting, upgrades included; requests already covered by a
    /// held mode are not counted.
    package var acquired = 0
    /// Requests that had to wait (however the wait ended).
    package var waits = 0
    /// Waits that ended in `LockError.timeout`.
    package var timeouts = 0
    /// Waits that ended in `LockError.deadlock` (one per victim).
    package var deadlocks = 0

    /// Counters with the given values (all zero by default).
    package init(acquired: Int = 0, waits: Int = 0, timeouts: Int = 0, deadlocks: Int = 0) {
        self.acquired = acquired
        self.waits = waits
        self.timeouts = timeouts
        self.deadlocks = deadlocks
    }
}

// MARK: - Lock table

/// The state of a `LockManager` and the operations on it; see the invariants at the top of the file.
///
/// Sendable (unchecked): every `var` here, and every `LockRequest` and `LockEntry` reachable from them,
/// is read and written only while `mutex` is held: each entry point locks it first and unlocks it on
/// return, and a blocked `acquire` gives it up only inside `pthread_cond_(timed)wait`, which takes it
/// back before returning. The mutex lives in memory this object owns for its whole life.
private final class LockTable: @unchecked Sendable {
    // `@exclusivity(unchecked)`: the mutex already makes every access exclusive between threads, and
    // within one thread the code never holds two overlapping accesses to the same property (an entry
    // being updated in place only ever touches the other properties). The runtime checks measured
    // about a tenth of an uncontended acquire and release.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @exclusivity(unchecked) private var entries: [LockResource: LockEntry] = [:]
    @exclusivity(unchecked) private var owners: [UInt64: OwnerLocks] = [:]
    @exclusivity(unchecked) private var waiting: [UInt64: LockRequest] = [:]
    /// Emptied `owners` arrays kept for reuse (capacity intact), so a transaction's first lock does
    /// not allocate its list in steady state. Bounded in count and in each array's capacity.
    @exclusivity(unchecked) private var spareResourceLists: [[LockResource]] = []
    @exclusivity(unchecked) private var currentTimeout: Duration
    @exclusivity(unchecked) private var counters = LockStatistics()

    init(timeout: Duration) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        currentTimeout = timeout
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    private func withMutex<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    var timeout: Duration {
        get { withMutex { currentTimeout } }
        set { withMutex { currentTimeout = newValue } }
    }

    var statistics: LockStatistics {
        withMutex { counters }
    }

    // MARK: Acquire

    func acquire(_ resource: LockResource, _ mode: LockMode, owner: UInt64) throws(LockError) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if let parent = resource.parent {
            let intention = mode.parentIntention
            // L8: the common run of key locks in one tree finds its ancestors covered here. (Through
            // indices: the optional subscript would copy the record, and its array on the next append.)
            var slot = owners.index(forKey: owner)
            if slot.map({ owners.values[$0].parentCovers(parent, intention) }) != true {
                try acquireWithAncestors(parent, intention, owner)
                // The parent is now held, so the owner has a record (L3), holding it in a mode
                // covering `intention`.
                slot = owners.index(forKey: owner)
                if let slot { owners.values[slot].parent = (parent, intention) }
            }
            try acquireOne(resource, mode, owner, ownerSlot: slot)
        } else {
            try acquireOne(resource, mode, owner)
        }
    }

    func tryAcquire(_ resource: LockResource, _ mode: LockMode, owner: UInt64) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return tryAcquireWithAncestors(resource, mode, owner)
    }

    /// `tryAcquire` under the mutex: ancestors first (L7), stopping at the first refusal.
    private func tryAcquireWithAncestors(_ resource: LockResource, _ mode: LockMode, _ owner: UInt64) -> Bool {
        if let parent = resource.parent, !tryAcquireWithAncestors(parent, mode.parentIntention, owner) {
            return false
        }
        guard let index = entries.index(forKey: resource) else {
            // Nobody holds or waits for it: grant (the entry is created holding, so never empty, L2).
            var entry = LockEntry()
            entry.holders.add(owner, mode)
            entries[resource] = entry
            counters.acquired += 1
            recordHolding(resource, owner)
            return true
        }
        let (held, others) = entries.values[index].holders.find(owner)
        if let held {
            if held.covers(mode) { return true }
            let target = LockMode.supremum(held, mode)
            guard others & ~target.compatibleMask == 0 else { return false }
            entries.values[index].holders.setMode(target, of: owner)
            counters.acquired += 1
            return true
        }
        guard entries.values[index].queue.isEmpty, others & ~mode.compatibleMask == 0 else { return false }
        entries.values[index].holders.add(owner, mode)
        counters.acquired += 1
        recordHolding(resource, owner)
        return true
    }

    /// Ancestors first (L7), so a lock is never held without its parents' intentions.
    private func acquireWithAncestors(_ resource: LockResource, _ mode: LockMode, _ owner: UInt64) throws(LockError) {
        if let parent = resource.parent {
            try acquireWithAncestors(parent, mode.parentIntention, owner)
        }
        try acquireOne(resource, mode, owner)
    }

    private enum Attempt {
        case covered
        case upgraded
        case granted
        case wait(LockRequest)
    }

    /// `ownerSlot`, if given, is `owners.index(forKey: owner)`, still valid (so a grant records the
    /// holding without hashing the owner again).
    private func acquireOne(
        _ resource: LockResource, _ mode: LockMode, _ owner: UInt64,
        ownerSlot: Dictionary<UInt64, OwnerLocks>.Index? = nil
    ) throws(LockError) {
        // One hash of the resource: the entry is created in place when missing (then granted at once, so
        // it is never left empty, L2).
        let attempt = update(&entries[resource, default: LockEntry()]) { entry -> Attempt in
            let (held, others) = entry.holders.find(owner)
            if let held {
                if held.covers(mode) { return .covered }
                let target = LockMode.supremum(held, mode)
                // L4: an upgrade waits only for other holders, never for the queue.
                if others & ~target.compatibleMask == 0 {
                    entry.holders.setMode(target, of: owner)
                    return .upgraded
                }
                let request = LockRequest(owner: owner, resource: resource, mode: mode, target: target, isUpgrade: true)
                entry.enqueue(request)
                return .wait(request)
            }
            // L4: a new request is granted at once only if nothing waits ahead of it.
            if entry.queue.isEmpty && others & ~mode.compatibleMask == 0 {
                entry.holders.add(owner, mode)
                return .granted
            }
            let request = LockRequest(owner: owner, resource: resource, mode: mode, target: mode, isUpgrade: false)
            entry.enqueue(request)
            return .wait(request)
        }
        switch attempt {
        case .covered:
            return
        case .upgraded:
            counters.acquired += 1
        case .granted:
            counters.acquired += 1
            // Nothing above changed `owners`, so the slot is still valid.
            if let ownerSlot {
                owners.values[ownerSlot].resources.append(resource)
            } else {
                recordHolding(resource, owner)
            }
        case let .wait(request):
            try wait(for: request)
        }
    }

    /// Blocks (the mutex released) until `request` leaves its queue; see L5 for who takes it out.
    private func wait(for request: LockRequest) throws(LockError) {
        assert(waiting[request.owner] == nil, "owner \(request.owner) is already waiting for another lock")
        waiting[request.owner] = request
        defer { waiting[request.owner] = nil }
        counters.waits += 1
        // Read once: a timeout changed later applies to later waits only.
        let deadline = currentTimeout == .zero ? nil : request.since + currentTimeout
        while true {
            switch request.state {
            case .granted:
                return // The granter updated holders, `owners` and the counters.
            case let .victim(cycle):
                throw .deadlock(victim: request.owner, cycle: cycle)
            case .waiting:
                break
            }
            if let deadline {
                let now = ContinuousClock.now
                if now >= deadline {
                    withdraw(request)
                    counters.timeouts += 1
                    throw .timeout(resource: request.resource.description, mode: request.mode, waited: request.since.duration(to: now))
                }
                request.wait(on: mutex, until: deadline)
            } else {
                request.wait(on: mutex)
            }
        }
    }

    /// Takes a waiting request out of its queue (timeout or deadlock victim) and grants what its
    /// departure unblocked (L6).
    private func withdraw(_ request: LockRequest) {
        guard let index = entries.index(forKey: request.resource) else {
            assertionFailure("L2/L5: a waiting request's entry is missing")
            return
        }
        entries.values[index].queue.removeAll { $0 === request }
        afterChange(at: index, request.resource)
    }

    /// Grants what became grantable in the entry at `index` (L6), then removes it if empty (L2).
    private func afterChange(at index: Dictionary<LockResource, LockEntry>.Index, _ resource: LockResource) {
        let isEmpty = update(&entries.values[index]) { entry in
            grantWaiters(&entry, resource)
            return entry.isEmpty
        }
        if isEmpty {
            entries.remove(at: index)
        }
    }

    /// Grants queued requests in L4's order. Granting only adds or strengthens holders, which can never
    /// make another request grantable, so one forward pass restores L6.
    private func grantWaiters(_ entry: inout LockEntry, _ resource: LockResource) {
        var index = 0
        while index < entry.queue.count {
            let request = entry.queue[index]
            let (_, others) = entry.holders.find(request.owner)
            let compatible = others & ~request.target.compatibleMask == 0
            if request.isUpgrade {
                if compatible {
                    entry.holders.setMode(request.target, of: request.owner)
                    entry.queue.remove(at: index)
                    grant(request, newHolding: false)
                } else {
                    index += 1
                }
                continue
            }
            // A new request: only from the head of the queue, and then the next one may follow.
            guard index == 0, compatible else { return }
            entry.holders.add(request.owner, request.target)
            entry.queue.remove(at: 0)
            grant(request, newHolding: true)
        }
    }

    private func grant(_ request: LockRequest, newHolding: Bool) {
        request.state = .granted
        counters.acquired += 1
        if newHolding { recordHolding(request.resource, request.owner) }
        request.signal()
    }

    private func recordHolding(_ resource: LockResource, _ owner: UInt64) {
        owners[owner, default: OwnerLocks(resources: spareResourceLists.popLast() ?? [])].resources.append(resource)
    }

    // MARK: Release

    func release(_ resource: LockResource, owner: UInt64) {
        withMutex {
            guard let position = owners.index(forKey: owner),
                  let slot = owners.values[position].resources.firstIndex(of: resource)
            else { return }
            owners.values[position].resources.remove(at: slot)
            owners.values[position].parent = nil // L8, whatever was released
            if owners.values[position].resources.isEmpty {
                recycle(owners.remove(at: position).value.resources)
            }
            releaseHolding(resource, owner)
        }
    }

    func releaseAll(owner: UInt64) {
        withMutex {
            guard let held = owners.removeValue(forKey: owner)?.resources else { return }
            assert(waiting[owner] == nil, "releaseAll for owner \(owner) while it waits in acquire")
            // Latest first, so descendants go before their ancestors (not needed for correctness: the
            // whole release is one critical section).
            for resource in held.reversed() {
                releaseHolding(resource, owner)
            }
            recycle(consume held)
        }
    }

    private func releaseHolding(_ resource: LockResource, _ owner: UInt64) {
        guard let index = entries.index(forKey: resource) else {
            assertionFailure("L3: owner \(owner) lists \(resource), which has no entry")
            return
        }
        entries.values[index].holders.remove(owner)
        afterChange(at: index, resource)
    }

    private func recycle(_ list: consuming [LockResource]) {
        guard spareResourceLists.count < 32, list.capacity <= 1024 else { return }
        list.removeAll(keepingCapacity: true)
        spareResourceLists.append(list)
    }

    // MARK: Deadlock detection

    func detectDeadlocks() -> [UInt64] {
        withMutex {
            guard !waiting.isEmpty else { return [] }
            let graph = waitForGraph()
            let victims = chooseVictims(graph)
            for (victim, cycle) in victims {
                guard let request = waiting[victim] else { continue }
                request.state = .victim(cycle: cycle)
                withdraw(request)
                counters.deadlocks += 1
                request.signal()
            }
            return victims.map(\.victim)
        }
    }

    /// Waiting owner → the owners it waits for (see the top of the file), without duplicates.
    private func waitForGraph() -> [UInt64: [UInt64]] {
        var graph: [UInt64: [UInt64]] = [:]
        for (owner, request) in waiting {
            guard case .waiting = request.state, let entry = entries[request.resource] else { continue }
            var targets: [UInt64] = []
            entry.holders.forEach { holder in
                if holder.owner != owner, !request.target.isCompatible(with: holder.mode), !targets.contains(holder.owner) {
                    targets.append(holder.owner)
                }
            }
            if !request.isUpgrade {
                for earlier in entry.queue {
                    if earlier === request { break }
                    if earlier.owner != owner, !targets.contains(earlier.owner) { targets.append(earlier.owner) }
                }
            }
            graph[owner] = targets
        }
        return graph
    }

    /// Finds cycles one at a time by depth-first search and removes each cycle's youngest owner until
    /// none is left. Returns each victim with its cycle, rotated to start at the victim.
    private func chooseVictims(_ graph: [UInt64: [UInt64]]) -> [(victim: UInt64, cycle: [UInt64])] {
        var victims: [(victim: UInt64, cycle: [UInt64])] = []
        var removed: Set<UInt64> = []
        // Owners from which no cycle is reachable. Stays true across searches: removing a victim only
        // removes paths.
        var acyclic: Set<UInt64> = []
        let starts = graph.keys.sorted() // deterministic choice of cycles

        func findCycle() -> [UInt64]? {
            var path: [UInt64] = []
            var positionOnPath: [UInt64: Int] = [:]
            func visit(_ owner: UInt64) -> [UInt64]? {
                if removed.contains(owner) || acyclic.contains(owner) { return nil }
                if let position = positionOnPath[owner] { return Array(path[position...]) }
                guard let next = graph[owner] else {
                    acyclic.insert(owner) // not waiting: ends every path through it
                    return nil
                }
                positionOnPath[owner] = path.count
                path.append(owner)
                for target in next {
                    if let cycle = visit(target) { return cycle }
                }
                path.removeLast()
                positionOnPath[owner] = nil
                acyclic.insert(owner)
                return nil
            }
            for start in starts {
                if let cycle = visit(start) { return cycle }
            }
            return nil
        }

        while let cycle = findCycle() {
            let victim = cycle.max()!
            let position = cycle.firstIndex(of: victim)!
            victims.append((victim, Array(cycle[position...] + cycle[..<position])))
            removed.insert(victim)
        }
        return victims
    }

    // MARK: Introspection

    func snapshot() -> [LockInfo] {
        withMutex {
            var infos: [LockInfo] = []
            for (resource, entry) in entries {
                entry.holders.forEach { holder in
                    infos.append(LockInfo(resource: resource, owner: holder.owner, mode: holder.mode, granted: true, waitingSince: nil))
                }
                for request in entry.queue {
                    infos.append(LockInfo(resource: resource, owner: request.owner, mode: request.target, granted: false, waitingSince: request.since))
                }
            }
            return infos
        }
    }
}

/// Runs `body` on `value` in place (so a dictionary entry is hashed once and never copied).
private func update<T, R>(_ value: inout T, _ body: (inout T) -> R) -> R {
    body(&value)
}

// MARK: - Owners

/// What one owner holds (L3), and the parent-intention cache (L8).
private struct OwnerLocks {
    var resources: [LockResource]
    /// The parent of the owner's latest acquire with ancestors and the intention it needed there: a
    /// lower bound of the mode held on it.
    var parent: (resource: LockResource, intention: LockMode)?

    init(resources: [LockResource]) {
        self.resources = resources
    }

    /// Whether L8 proves that `intention` is held on `resource` (and on its ancestors, by L7).
    func parentCovers(_ resource: LockResource, _ intention: LockMode) -> Bool {
        guard let parent, parent.intention.covers(intention) else { return false }
        return parent.resource == resource
    }
}

// MARK: - Entries

/// The locks on one resource: who holds it in which mode, and who waits (L1, L4).
private struct LockEntry {
    var holders = LockHolders()
    var queue: [LockRequest] = []

    var isEmpty: Bool { holders.isEmpty && queue.isEmpty }

    /// Adds a request at its L4 position: an upgrade after the upgrades already queued, a new request
    /// at the end.
    mutating func enqueue(_ request: LockRequest) {
        if request.isUpgrade {
            queue.insert(request, at: queue.firstIndex { !$0.isUpgrade } ?? queue.count)
        } else {
            queue.append(request)
        }
    }
}

/// One owner's granted mode on a resource.
private struct Holder {
    let owner: UInt64
    var mode: LockMode
}

/// The holders of one resource, each owner at most once (L1). The first is stored inline, so the common
/// entry (one holder) allocates nothing; the database and tree entries list every active transaction,
/// and lookups scan them linearly (a handful of transactions per database).
private struct LockHolders {
    // Invariant: `first == nil` implies `rest.isEmpty`.
    private var first: Holder?
    private var rest: [Holder] = []

    var isEmpty: Bool { first == nil }

    /// The mode `owner` holds (nil if none) and the union, as mode bits, of every other holder's mode.
    func find(_ owner: UInt64) -> (held: LockMode?, others: UInt8) {
        guard let first else { return (nil, 0) }
        var held: LockMode?
        var others: UInt8 = 0
        if first.owner == owner { held = first.mode } else { others |= first.mode.bit }
        for holder in rest {
            if holder.owner == owner { held = holder.mode } else { others |= holder.mode.bit }
        }
        return (held, others)
    }

    /// Adds an owner that holds nothing here yet.
    mutating func add(_ owner: UInt64, _ mode: LockMode) {
        if first == nil {
            first = Holder(owner: owner, mode: mode)
        } else {
            rest.append(Holder(owner: owner, mode: mode))
        }
    }

    /// Changes an owner's mode (adds the owner if absent).
    mutating func setMode(_ mode: LockMode, of owner: UInt64) {
        if first?.owner == owner {
            first!.mode = mode
        } else if let index = rest.firstIndex(where: { $0.owner == owner }) {
            rest[index].mode = mode
        } else {
            add(owner, mode)
        }
    }

    /// Removes an owner (a no-op if absent).
    mutating func remove(_ owner: UInt64) {
        if first?.owner == owner {
            first = rest.popLast()
        } else if let index = rest.firstIndex(where: { $0.owner == owner }) {
            rest.swapAt(index, rest.count - 1)
            rest.removeLast()
        }
    }

    func forEach(_ body: (Holder) -> Void) {
        guard let first else { return }
        body(first)
        rest.forEach(body)
    }
}

// MARK: - Waiting requests

/// A request that could not be granted at once: it sits in its resource's queue while its thread
/// blocks on `condition` (one per request, so a grant wakes exactly the thread it concerns).
/// Mutable state is guarded by the lock table's mutex (see `LockTable`).
private final class LockRequest {
    enum State {
        case waiting
        case granted
        case victim(cycle: [UInt64])
    }

    let owner: UInt64
    let resource: LockResource
    /// The mode asked for.
    let mode: LockMode
    /// The mode held once granted: `mode`, or for an upgrade the supremum of the held mode and `mode`.
    let target: LockMode
    /// Whether the owner already held the resource when it asked (L4).
    let isUpgrade: Bool
    let since: ContinuousClock.Instant
    var state = State.waiting
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init(owner: UInt64, resource: LockResource, mode: LockMode, target: LockMode, isUpgrade: Bool) {
        self.owner = owner
        self.resource = resource
        self.mode = mode
        self.target = target
        self.isUpgrade = isUpgrade
        since = .now
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if !canImport(Darwin)
        // Timed waits measure against the monotonic clock, immune to wall-clock changes.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deinitialize(count: 1)
        condition.deallocate()
    }

    func signal() {
        pthread_cond_signal(condition)
    }

    /// Releases `mutex` until signalled (or a spurious wake-up), then takes it back.
    func wait(on mutex: UnsafeMutablePointer<pthread_mutex_t>) {
        pthread_cond_wait(condition, mutex)
    }

    /// Like `wait(on:)`, returning by `deadline` at the latest.
    func wait(on mutex: UnsafeMutablePointer<pthread_mutex_t>, until deadline: ContinuousClock.Instant) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return }
        // At most an hour per wait (the caller loops), far from any overflow. Rounded up to the next
        // nanosecond so the wait does not end just before the deadline and spin.
        let (seconds, attoseconds) = min(remaining, .seconds(3600)).components
        var wait = timespec(tv_sec: Int(seconds), tv_nsec: Int((attoseconds + 999_999_999) / 1_000_000_000))
        #if canImport(Darwin)
        normalize(&wait)
        pthread_cond_timedwait_relative_np(condition, mutex, &wait)
        #else
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        wait.tv_sec += now.tv_sec
        wait.tv_nsec += now.tv_nsec
        normalize(&wait)
        pthread_cond_timedwait(condition, mutex, &wait)
        #endif
    }

    private func normalize(_ time: inout timespec) {
        while time.tv_nsec >= 1_000_000_000 {
            time.tv_sec += 1
            time.tv_nsec -= 1_000_000_000
        }
    }
}
