/// Which rows a join keeps besides the matching pairs.
package enum JoinKind: String, Sendable {
    /// Matching pairs only (also CROSS JOIN, with no condition).
    case inner = "Inner"
    /// Every left row; unmatched ones padded with NULLs on the right.
    case left = "Left"
    /// Every right row; unmatched ones padded with NULLs on the left.
    case right = "Right"
    /// Both.
    case full = "Full"
    /// Left rows with at least one match, once each (EXISTS / IN decorrelated).
    case semi = "Semi"
    /// Left rows with no match.
    case anti = "Anti"
}
