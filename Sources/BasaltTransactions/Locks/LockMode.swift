/// A lock mode of the multiple-granularity protocol (Gray et al.). A transaction locks a resource in one
/// of these modes after locking every ancestor in the mode's `parentIntention` (see `LockResource`).
///
/// Compatibility (✓ = both may be granted on one resource at once to different owners):
///
/// |     | IS | IX | S  | SIX | X |
/// |-----|----|----|----|-----|---|
/// | IS  | ✓  | ✓  | ✓  | ✓   |   |
/// | IX  | ✓  | ✓  |    |     |   |
/// | S   | ✓  |    | ✓  |     |   |
/// | SIX | ✓  |    |    |     |   |
/// | X   |    |    |    |     |   |
///
/// Strength is a partial order: IS < IX < SIX < X and IS < S < SIX; S and IX are incomparable, and their
/// least upper bound is SIX. The raw values list the modes in an order compatible with it (no mode
/// precedes one it covers), which `supremum` relies on.
package enum LockMode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// IS: the holder will lock some descendants in S.
    case intentionShared = 0
    /// IX: the holder will lock some descendants in X (or S).
    case intentionExclusive = 1
    /// S: the holder reads the whole resource (and every descendant).
    case shared = 2
    /// SIX: S on the whole resource plus the intention to lock some descendants in X.
    case sharedIntentionExclusive = 3
    /// X: the holder reads and writes the whole resource (and every descendant).
    case exclusive = 4

    /// This mode as one bit, for the masks below.
    @inlinable
    package var bit: UInt8 { 1 << rawValue }

    /// The modes (as bits) that may be granted to other owners while this one is held. Symmetric.
    @inlinable
    package var compatibleMask: UInt8 {
        switch self {
        case .intentionShared: return 0b0_1111 // IS, IX, S, SIX
        case .intentionExclusive: return 0b0_0011 // IS, IX
        case .shared: return 0b0_0101 // IS, S
        case .sharedIntentionExclusive: return 0b0_0001 // IS
        case .exclusive: return 0
        }
    }

    /// The modes (as bits) this one is at least as strong as, itself included.
    @inlinable
    package var coveredMask: UInt8 {
        switch self {
        case .intentionShared: return 0b0_0001 // IS
        case .intentionExclusive: return 0b0_0011 // IS, IX
        case .shared: return 0b0_0101 // IS, S
        case .sharedIntentionExclusive: return 0b0_1111 // IS, IX, S, SIX
        case .exclusive: return 0b1_1111
        }
    }

    /// Whether `other` may be granted to a different owner while this mode is held (the table above).
    @inlinable
    package func isCompatible(with other: LockMode) -> Bool {
        compatibleMask & other.bit != 0
    }

    /// Whether holding this mode already grants everything `other` grants (it is at least as strong), so
    /// a request for `other` by the holder needs nothing new.
    @inlinable
    package func covers(_ other: LockMode) -> Bool {
        coveredMask & other.bit != 0
    }

    /// The weakest mode that covers both `a` and `b`: what a holder of `a` asking for `b` ends up holding
    /// (S ⊔ IX = SIX, IS ⊔ m = m, X ⊔ m = X).
    @inlinable
    package static func supremum(_ a: LockMode, _ b: LockMode) -> LockMode {
        // The first mode in raw-value order that covers both is the least upper bound, because the raw
        // order never puts a mode before one it covers (see the type's doc).
        // (Raw values rather than `allCases`, which builds an array on every call.)
        let both = a.bit | b.bit
        var raw: UInt8 = 0
        while let mode = LockMode(rawValue: raw) {
            if mode.coveredMask & both == both { return mode }
            raw += 1
        }
        return .exclusive
    }

    /// The mode every ancestor of a resource must be held in before this mode may be taken on the
    /// resource: IS for IS and S, IX for IX, SIX and X.
    @inlinable
    package var parentIntention: LockMode {
        switch self {
        case .intentionShared, .shared: return .intentionShared
        case .intentionExclusive, .sharedIntentionExclusive, .exclusive: return .intentionExclusive
        }
    }

    /// The usual abbreviation: "IS", "IX", "S", "SIX" or "X".
    package var description: String {
        switch self {
        case .intentionShared: return "IS"
        case .intentionExclusive: return "IX"
        case .shared: return "S"
        case .sharedIntentionExclusive: return "SIX"
        case .exclusive: return "X"
        }
    }
}
