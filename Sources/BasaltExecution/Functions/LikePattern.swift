/// A compiled SQL LIKE / ILIKE pattern.
///
/// `%` matches any run of characters (including none), `_` exactly one character, where a character is
/// a Unicode scalar (PostgreSQL's character in a UTF-8 database). The escape character (PostgreSQL's
/// default is backslash; `nil` means none, as `ESCAPE ''`) makes the next character literal. ILIKE
/// lowercases pattern and text (Swift's full Unicode lowercasing) before matching.
///
/// Matching runs over UTF-8 bytes with the greedy two-pointer algorithm that backtracks only to the most
/// recent `%`, so it takes O(text × pattern) time at worst, never exponential: `%a%a%a%a%b` against a
/// long run of `a`s stays fast.
public struct LikePattern: Sendable {
    /// One pattern element. Literal scalars are stored as their UTF-8 bytes, one element per byte: a byte
    /// comparison from a scalar boundary matches only the same scalar, since UTF-8 is self-synchronizing.
    enum Token: Sendable, Equatable {
        case byte(UInt8)
        case anyCharacter
        case anyRun
    }

    let tokens: [Token]
    let caseInsensitive: Bool

    /// Compiles `pattern`. Throws 22025 "LIKE pattern must not end with escape character" when the last
    /// character is an unpaired escape.
    public init(pattern: String, escape: Character? = "\\", caseInsensitive: Bool) throws(ExecutionError) {
        self.caseInsensitive = caseInsensitive
        var tokens: [Token] = []
        var escaping = false
        for ch in pattern {
            if escaping {
                LikePattern.appendLiteral(ch, caseInsensitive: caseInsensitive, to: &tokens)
                escaping = false
            } else if let escape, ch == escape {
                escaping = true
            } else if ch == "%" {
                if tokens.last != .anyRun { tokens.append(.anyRun) }  // %% is one %
            } else if ch == "_" {
                tokens.append(.anyCharacter)
            } else {
                LikePattern.appendLiteral(ch, caseInsensitive: caseInsensitive, to: &tokens)
            }
        }
        if escaping {
            throw ExecutionError("22025", "LIKE pattern must not end with escape character")
        }
        self.tokens = tokens
    }

    private static func appendLiteral(_ ch: Character, caseInsensitive: Bool, to tokens: inout [Token]) {
        let text = caseInsensitive ? String(ch).lowercased() : String(ch)
        for b in text.utf8 { tokens.append(.byte(b)) }
    }

    /// Whether `text` matches the whole pattern.
    public func matches(_ text: String) -> Bool {
        var subject = caseInsensitive ? text.lowercased() : text
        return subject.withUTF8 { match($0) }
    }

    /// The length of the UTF-8 sequence starting with lead byte `b` (1 for stray continuation bytes).
    @inline(__always)
    static func scalarLength(_ b: UInt8) -> Int {
        if b < 0xC0 { return 1 }
        if b < 0xE0 { return 2 }
        if b < 0xF0 { return 3 }
        return 4
    }

    private func match(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        tokens.withUnsafeBufferPointer { pattern in
            let n = text.count, m = pattern.count
            var t = 0, p = 0
            var starP = -1, starT = 0
            while t < n {
                if p < m {
                    switch pattern[p] {
                    case let .byte(b) where b == text[t]:
                        p += 1; t += 1
                        continue
                    case .anyCharacter:
                        p += 1; t = min(n, t + LikePattern.scalarLength(text[t]))
                        continue
                    case .anyRun:
                        starP = p; starT = t; p += 1
                        continue
                    case .byte:
                        break
                    }
                }
                // Mismatch: let the last % absorb one more character, or fail.
                guard starP >= 0 else { return false }
                starT = min(n, starT + LikePattern.scalarLength(text[starT]))
                t = starT
                p = starP + 1
            }
            while p < m, pattern[p] == .anyRun { p += 1 }
            return p == m
        }
    }
}
