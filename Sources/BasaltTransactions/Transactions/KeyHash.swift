/// The hash of a key's bytes for the transaction layer's hash tables (buffered writes, read sets).
///
/// Mixes the bytes a word at a time with a multiply-xorshift step, seeded, and finishes with
/// MurmurHash3's avalanche: creating and finalizing a SipHash `Hasher` per lookup, and hashing
/// `[UInt8]` byte by byte as the synthesized conformance does, dominated buffering a large
/// transaction's writes.
enum KeyHash {
    static func hash(_ raw: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var h = seed ^ (UInt64(raw.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i + 8 <= raw.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < raw.count {
            var tail: UInt64 = 0
            for j in i..<raw.count { tail |= UInt64(raw[j]) << (8 * UInt64(j - i)) }
            h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    static func hash(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }
}
