/// LRU-K with K = 2: evicts the frame with the largest backward 2-distance.
///
/// A frame accessed fewer than twice has an infinite backward distance and goes first (ties: oldest last
/// access). Otherwise the frame whose second-to-last access is oldest goes. Priorities live in an indexed
/// binary min-heap, so access and eviction are O(log n).
///
/// Invariants: `heap` holds exactly the resident frames; `position[f]` is `f`'s index in `heap` or -1;
/// the heap is ordered by `priority`, which only grows for a frame while it stays resident.
final class LRUKEviction: EvictionPolicy {
    private var last: [UInt64]
    private var penultimate: [UInt64]
    private var position: [Int32]
    private var heap: [Int32] = []
    private var clock: UInt64 = 0

    init(frameCount: Int) {
        last = Array(repeating: 0, count: frameCount)
        penultimate = Array(repeating: 0, count: frameCount)
        position = Array(repeating: -1, count: frameCount)
        heap.reserveCapacity(frameCount)
    }

    /// Frames seen fewer than K times sort before all others (high bit clear), by last access.
    @inline(__always) private func priority(_ frame: Int32) -> UInt64 {
        let p = penultimate[Int(frame)]
        return p == 0 ? last[Int(frame)] : (1 << 63) | p
    }

    func admit(_ frame: Int32) {
        clock += 1
        last[Int(frame)] = clock
        penultimate[Int(frame)] = 0
        if position[Int(frame)] >= 0 {
            siftDown(Int(position[Int(frame)]))
            siftUp(Int(position[Int(frame)]))
        } else {
            heap.append(frame)
            position[Int(frame)] = Int32(heap.count - 1)
            siftUp(heap.count - 1)
        }
    }

    @inline(__always) func recordAccess(_ frame: Int32) {
        clock += 1
        penultimate[Int(frame)] = last[Int(frame)]
        last[Int(frame)] = clock
        let at = position[Int(frame)]
        if at >= 0 { siftDown(Int(at)) }
    }

    func remove(_ frame: Int32) {
        let at = Int(position[Int(frame)])
        guard at >= 0 else { return }
        removeAt(at)
    }

    func victim(isPinned: (Int32) -> Bool) -> Int32? {
        var skipped: [Int32] = []
        defer {
            for frame in skipped { insert(frame) }
        }
        while let top = heap.first {
            removeAt(0)
            if isPinned(top) {
                skipped.append(top)
                continue
            }
            return top
        }
        return nil
    }

    private func insert(_ frame: Int32) {
        heap.append(frame)
        position[Int(frame)] = Int32(heap.count - 1)
        siftUp(heap.count - 1)
    }

    private func removeAt(_ index: Int) {
        let frame = heap[index]
        let lastIndex = heap.count - 1
        if index != lastIndex {
            heap[index] = heap[lastIndex]
            position[Int(heap[index])] = Int32(index)
        }
        heap.removeLast()
        position[Int(frame)] = -1
        if index < heap.count {
            siftDown(index)
            siftUp(index)
        }
    }

    private func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard priority(heap[child]) < priority(heap[parent]) else { break }
            swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ start: Int) {
        var parent = start
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var smallest = left
            if left + 1 < count, priority(heap[left + 1]) < priority(heap[left]) { smallest = left + 1 }
            guard priority(heap[smallest]) < priority(heap[parent]) else { break }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    @inline(__always) private func swapAt(_ i: Int, _ j: Int) {
        heap.swapAt(i, j)
        position[Int(heap[i])] = Int32(i)
        position[Int(heap[j])] = Int32(j)
    }
}
