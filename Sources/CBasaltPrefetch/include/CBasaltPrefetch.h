#ifndef CBASALT_PREFETCH_H
#define CBASALT_PREFETCH_H

/// Hints the CPU to start loading the cache line holding `address` for reading, without waiting for
/// it: a B+tree node search prefetches its slot array at once, so the binary search's dependent probes
/// find their lines in flight instead of missing one after another. Swift has no prefetch of its own;
/// inlined through the importer, this is one instruction.
static inline __attribute__((always_inline)) void basalt_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
