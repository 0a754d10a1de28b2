/// A small, fast, deterministic random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Contract: two instances built with the same seed produce the same sequence on every platform and
/// every run, which is what lets a failing crash or fault test be replayed from its printed seed. Not
/// cryptographically secure.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    // xoshiro256** state; never all zero (SplitMix64 cannot output four zeros in a row).
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole output is determined by `seed`. Every seed, including 0, is valid.
    public init(seed: UInt64) {
        // SplitMix64 spreads seeds that differ in few bits (0, 1, 2, ...) into unrelated states.
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// The next 64 uniformly distributed bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
