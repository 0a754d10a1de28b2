/// Least-recently-used order kept as a doubly linked list threaded through two index arrays.
///
/// Invariant: the list holds exactly the resident frames, least recently used at `head`, most recently
/// used at `tail`; `-1` terminates it. Every operation is O(1) except `victim`, which skips pinned frames.
final class LRUEviction: EvictionPolicy {
    private var prev: [Int32]
    private var next: [Int32]
    private var inList: [Bool]
    private var head: Int32 = -1
    private var tail: Int32 = -1

    init(frameCount: Int) {
        prev = Array(repeating: -1, count: frameCount)
        next = Array(repeating: -1, count: frameCount)
        inList = Array(repeating: false, count: frameCount)
    }

    func admit(_ frame: Int32) {
        if inList[Int(frame)] { unlink(frame) }
        append(frame)
    }

    @inline(__always) func recordAccess(_ frame: Int32) {
        guard frame != tail else { return }
        unlink(frame)
        append(frame)
    }

    func remove(_ frame: Int32) {
        if inList[Int(frame)] { unlink(frame) }
    }

    func victim(isPinned: (Int32) -> Bool) -> Int32? {
        var frame = head
        while frame != -1 {
            if !isPinned(frame) {
                unlink(frame)
                return frame
            }
            frame = next[Int(frame)]
        }
        return nil
    }

    private func append(_ frame: Int32) {
        prev[Int(frame)] = tail
        next[Int(frame)] = -1
        if tail != -1 { next[Int(tail)] = frame } else { head = frame }
        tail = frame
        inList[Int(frame)] = true
    }

    private func unlink(_ frame: Int32) {
        let p = prev[Int(frame)], n = next[Int(frame)]
        if p != -1 { next[Int(p)] = n } else { head = n }
        if n != -1 { prev[Int(n)] = p } else { tail = p }
        prev[Int(frame)] = -1
        next[Int(frame)] = -1
        inList[Int(frame)] = false
    }
}
