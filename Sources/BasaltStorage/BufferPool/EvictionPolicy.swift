/// Chooses which buffer pool frame to reuse when a page must come in and no frame is free.
///
/// Frames are identified by index (`0..<frameCount`). The buffer pool tells the policy when a frame starts
/// holding a page (`admit`), every time it is accessed (`recordAccess`), and when it is emptied outside
/// eviction (`remove`). `victim` must return a resident frame for which `isPinned` is false, or `nil`
/// when every resident frame is pinned; the returned frame is no longer resident for the policy.
///
/// The set of conformers is closed (CLOCK, LRU, LRU-K): the buffer pool dispatches through
/// `EvictionPolicyKind` with a `switch`, so the hot path pays no existential call.
protocol EvictionPolicy: AnyObject {
    init(frameCount: Int)
    func admit(_ frame: Int32)
    func recordAccess(_ frame: Int32)
    func remove(_ frame: Int32)
    func victim(isPinned: (Int32) -> Bool) -> Int32?
}

/// The eviction policies a database can be configured with.
public enum EvictionPolicyKind: String, Sendable, CaseIterable, Codable {
    /// Second-chance CLOCK: one reference bit per frame, a sweeping hand. The default: cheapest per access.
    case clock
    /// Least recently used: a doubly linked list over frames.
    case lru
    /// LRU-K with K = 2 (O'Neil et al.): evicts the frame whose second-to-last access is oldest; frames
    /// seen once go first. Resists scan pollution.
    case lruK = "lru-k"
}

/// Static dispatch over the closed set of policies.
enum AnyEvictionPolicy {
    case clock(ClockEviction)
    case lru(LRUEviction)
    case lruK(LRUKEviction)

    init(kind: EvictionPolicyKind, states: FrameStates) {
        let frameCount = states.count
        switch kind {
        case .clock: self = .clock(ClockEviction(states: states))
        case .lru: self = .lru(LRUEviction(frameCount: frameCount))
        case .lruK: self = .lruK(LRUKEviction(frameCount: frameCount))
        }
    }

    @inline(__always) func admit(_ frame: Int32) {
        switch self {
        case .clock(let p): p.admit(frame)
        case .lru(let p): p.admit(frame)
        case .lruK(let p): p.admit(frame)
        }
    }

    @inline(__always) func recordAccess(_ frame: Int32) {
        switch self {
        case .clock(let p): p.recordAccess(frame)
        case .lru(let p): p.recordAccess(frame)
        case .lruK(let p): p.recordAccess(frame)
        }
    }

    func remove(_ frame: Int32) {
        switch self {
        case .clock(let p): p.remove(frame)
        case .lru(let p): p.remove(frame)
        case .lruK(let p): p.remove(frame)
        }
    }

    func victim(isPinned: (Int32) -> Bool) -> Int32? {
        switch self {
        case .clock(let p): return p.victim(isPinned: isPinned)
        case .lru(let p): return p.victim(isPinned: isPinned)
        case .lruK(let p): return p.victim(isPinned: isPinned)
        }
    }
}
