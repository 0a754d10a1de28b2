/// Bytes that never move, carved from large chunks and freed all at once when the arena goes.
///
/// A large transaction buffers millions of small keys and values. As separate heap blocks they cost
/// an allocation each, and freeing them together leaves glibc's allocator millions of blocks to sort
/// on the next allocations, slowing whatever runs after the commit. In an arena they are a few
/// dozen blocks.
///
/// Invariants: every chunk in `chunks` is owned here and freed by `deinit`; bytes handed out lie
/// inside one chunk and stay valid, unmoved, until the arena is deinitialized; `next ..< next +
/// remaining` is the unused tail of the newest chunk.
///
/// Not thread-safe: an arena belongs to one owner at a time (a transaction's write set, one commit).
///
/// Unchecked exclusivity on the fields: only this class's own non-reentrant methods touch them, which
/// call nothing that could come back into the arena, so accesses never overlap; the runtime checks
/// cost a thread-local lookup per allocation (one per buffered row).
package final class ByteArena {
    @exclusivity(unchecked) private var chunks: [UnsafeMutableRawPointer] = []
    @exclusivity(unchecked) private var next: UnsafeMutableRawPointer?
    @exclusivity(unchecked) private var remaining = 0
    @exclusivity(unchecked) private var nextChunkSize = ByteArena.firstChunkSize
    /// Bytes handed out so far (not counting the unused tails of chunks).
    @exclusivity(unchecked) package private(set) var usedBytes = 0

    /// Small transactions stay small; chunks double up to `largestChunkSize`, so a large transaction
    /// uses few of them. A request larger than a chunk gets a chunk of its own size.
    static let firstChunkSize = 1 << 10
    static let largestChunkSize = 1 << 20

    package init() {}

    deinit {
        for chunk in chunks { chunk.deallocate() }
    }

    /// Room for `count` bytes, 8-byte aligned, uninitialized; valid until the arena is deinitialized.
    package func allocate(_ count: Int) -> UnsafeMutableRawPointer {
        let size = (count + 7) & ~7
        // `next` is nil before the first chunk (and after `adopt`), where even an empty request needs one.
        if size > remaining || next == nil { addChunk(atLeast: size) }
        let pointer = next!
        next = pointer + size
        remaining -= size
        usedBytes += count
        return pointer
    }

    /// A copy of `bytes` in the arena.
    package func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let pointer = allocate(bytes.count)
        if let base = bytes.baseAddress, bytes.count > 0 { pointer.copyMemory(from: base, byteCount: bytes.count) }
        return UnsafeRawBufferPointer(start: pointer, count: bytes.count)
    }

    /// Takes over every chunk of `other`, which is left empty: the bytes `other` handed out stay valid,
    /// unmoved, until this arena is deinitialized. Later allocations from `other` take new chunks.
    package func adopt(_ other: ByteArena) {
        precondition(other !== self, "an arena cannot adopt itself")
        chunks.append(contentsOf: other.chunks)
        usedBytes += other.usedBytes
        other.chunks = []
        other.next = nil
        other.remaining = 0
        other.usedBytes = 0
    }

    private func addChunk(atLeast size: Int) {
        let chunkSize = max(size, nextChunkSize)
        nextChunkSize = min(nextChunkSize * 2, Self.largestChunkSize)
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 8)
        chunks.append(chunk)
        next = chunk
        remaining = chunkSize
    }
}
