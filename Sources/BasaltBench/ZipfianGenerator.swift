// The YCSB request distributions: zipfian ranks (Gray et al.) and YCSB's scrambled zipfian, which
// hashes each rank with FNV-1a 64 so the popular records are spread over the key space instead of
// clustered at its start. Deterministic: every draw comes from the caller's generator (a seeded
// BenchRandom in basalt-bench), never from a system or Foundation random source.
import Foundation

/// Zipfian-distributed ranks in `0..<items`: rank 0 is the most popular, rank r is drawn with
/// probability proportional to 1 / (r + 1)^theta.
///
/// The algorithm is the one of Jim Gray, Prakash Sundaresan, Susanne Englert, Ken Baclawski and Peter J.
/// Weinberger, "Quickly generating billion-record synthetic databases", SIGMOD 1994 (section on the
/// zipfian distribution), as YCSB's `ZipfianGenerator` implements it: one uniform draw u per value,
/// ranks 0 and 1 handled exactly, every other rank by the closed form
/// `items * (eta * u - eta + 1)^alpha`, with `zetan = sum_{i=1..items} 1/i^theta`,
/// `alpha = 1 / (1 - theta)` and `eta = (1 - (2 / items)^(1 - theta)) / (1 - zeta(2, theta) / zetan)`.
struct ZipfianGenerator: Sendable {
    /// YCSB's default zipfian constant (`zipfianconstant`).
    static let ycsbTheta = 0.99

    let items: UInt64
    let theta: Double
    /// zeta(items, theta); computing it is O(items), so callers with a huge fixed count pass it in.
    let zetan: Double
    private let alpha: Double
    private let eta: Double
    /// 1 + 0.5^theta: below it (and at or above 1), u * zetan picks rank 1.
    private let secondRankBound: Double

    /// `zetan`, when given, must be `zeta(items, theta)` (see `ScrambledZipfianGenerator`).
    init(items: UInt64, theta: Double = ZipfianGenerator.ycsbTheta, zetan: Double? = nil) {
        precondition(items >= 2, "a zipfian distribution needs at least 2 items")
        precondition(theta > 0 && theta < 1, "theta must be in (0, 1)")
        self.items = items
        self.theta = theta
        let zetan = zetan ?? Self.zeta(items, theta)
        self.zetan = zetan
        alpha = 1 / (1 - theta)
        eta = (1 - pow(2 / Double(items), 1 - theta)) / (1 - Self.zeta(2, theta) / zetan)
        secondRankBound = 1 + pow(0.5, theta)
    }

    /// sum_{i=1..n} 1 / i^theta.
    static func zeta(_ n: UInt64, _ theta: Double) -> Double {
        var sum = 0.0
        var i: UInt64 = 1
        while i <= n {
            sum += 1 / pow(Double(i), theta)
            i += 1
        }
        return sum
    }

    /// The next rank, from one uniform draw of `random`.
    func next<R: RandomNumberGenerator>(using random: inout R) -> UInt64 {
        let u = unitInterval(&random)
        let uz = u * zetan
        if uz < 1 { return 0 }
        if uz < secondRankBound { return 1 }
        let rank = UInt64(Double(items) * pow(eta * u - eta + 1, alpha))
        // YCSB can return `items` itself when u is within rounding of 1; keep the result in range.
        return min(rank, items - 1)
    }
}

/// YCSB's `ScrambledZipfianGenerator` with its default constant 0.99: a zipfian rank drawn from a space
/// of 10^10 + 1 items (YCSB's `ITEM_COUNT`, with its precomputed `ZETAN`, so no O(n) zeta sum is needed),
/// hashed with `fnvHash64` and reduced modulo `items`. The popularity skew is that of a zipfian over
/// `items` keys (the hottest key gets the same share: about 1 / zetan of all requests, plus the tail
/// ranks hashing onto it), but the hot keys are scattered over `0..<items` rather than being the first
/// few, so they do not share pages.
///
/// YCSB's CoreWorkload sizes this generator at `recordcount + 1` and rejects the one id beyond the
/// loaded records; basalt-bench sizes it at exactly `items` (one id of difference in the modulus).
struct ScrambledZipfianGenerator: Sendable {
    /// YCSB `ScrambledZipfianGenerator.ITEM_COUNT`.
    static let rankSpace: UInt64 = 10_000_000_000
    /// YCSB `ScrambledZipfianGenerator.ZETAN`: zeta(10^10, 0.99).
    static let rankSpaceZetan = 26.46902820178302

    let items: UInt64
    private let ranks: ZipfianGenerator

    init(items: UInt64) {
        precondition(items >= 1, "need at least one item")
        self.items = items
        // YCSB: new ZipfianGenerator(0, ITEM_COUNT, 0.99, ZETAN), i.e. ITEM_COUNT + 1 ranks.
        ranks = ZipfianGenerator(items: Self.rankSpace + 1, theta: ZipfianGenerator.ycsbTheta, zetan: Self.rankSpaceZetan)
    }

    /// The next item in `0..<items`.
    func next<R: RandomNumberGenerator>(using random: inout R) -> UInt64 {
        fnvHash64(ranks.next(using: &random)) % items
    }
}

/// YCSB's `Utils.fnvhash64`: FNV-1a 64 over the 8 little-endian bytes of `value`, then the absolute value
/// of the result read as a signed 64-bit integer. (Java's `Math.abs(Long.MIN_VALUE)` stays negative; here
/// that one input maps to 2^63 instead.)
func fnvHash64(_ value: UInt64) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    var rest = value
    for _ in 0..<8 {
        hash ^= rest & 0xFF
        hash &*= 0x0000_0100_0000_01B3
        rest >>= 8
    }
    return Int64(bitPattern: hash).magnitude
}

/// A uniform double in [0, 1) from the top 53 bits of one draw.
@inline(__always)
func unitInterval<R: RandomNumberGenerator>(_ random: inout R) -> Double {
    Double(random.next() >> 11) * 0x1p-53
}
