import Testing
@testable import BasaltExecution

@Suite struct LikePatternTests {
    func like(_ text: String, _ pattern: String, escape: Character? = "\\", ci: Bool = false) throws -> Bool {
        try LikePattern(pattern: pattern, escape: escape, caseInsensitive: ci).matches(text)
    }

    @Test func wildcards() throws {
        #expect(try like("hello", "hello"))
        #expect(try !like("hello", "hell"))
        #expect(try like("hello", "h%"))
        #expect(try like("hello", "%llo"))
        #expect(try like("hello", "%l%"))
        #expect(try like("hello", "h_llo"))
        #expect(try !like("hello", "h_lo"))
        #expect(try like("", "%"))
        #expect(try !like("", "_"))
        #expect(try like("abc", "%%%c"))
        #expect(try like("日本語", "_本_"))  // _ is one character, not one byte
        #expect(try !like("日本語", "__"))
        #expect(try like("a日", "a_"))
        #expect(try like("mississippi", "%iss%ppi"))
        #expect(try !like("mississippi", "%iss%ppx"))
    }

    @Test func escapes() throws {
        #expect(try like("50%", "50\\%"))
        #expect(try !like("500", "50\\%"))
        #expect(try like("a_b", "a\\_b") && !like("axb", "a\\_b"))
        #expect(try like("a\\b", "a\\\\b"))
        #expect(try like("50%", "50#%", escape: "#"))
        #expect(try like("a\\b", "a\\b", escape: nil))  // no escape character
        #expect(thrown { try LikePattern(pattern: "abc\\", caseInsensitive: false) } == ExecutionError("22025", "LIKE pattern must not end with escape character"))
    }

    @Test func caseInsensitive() throws {
        #expect(try like("HeLLo", "hello", ci: true))
        #expect(try like("ÉCOLE", "école", ci: true))
        #expect(try !like("HeLLo", "hello"))
        #expect(try like("ABC", "a%C", ci: true))
    }

    @Test func pathologicalPatternsStayFast() throws {
        let text = String(repeating: "a", count: 20_000)
        let pattern = try LikePattern(pattern: "%a%a%a%a%b", caseInsensitive: false)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(!pattern.matches(text))
        #expect(try LikePattern(pattern: "%a%a%a%a%", caseInsensitive: false).matches(text))
        #expect(try !LikePattern(pattern: "%" + String(repeating: "_", count: 30) + "b", caseInsensitive: false).matches(text))
        // Quadratic at worst: generous bound that exponential backtracking would blow by far.
        #expect(clock.now - start < .seconds(5))
    }

    @Test func agreesWithRegexModel() throws {
        // Reference: a recursive matcher with memoization over characters.
        func model(_ t: [Character], _ p: [Character]) -> Bool {
            var memo: [Int: Bool] = [:]
            func go(_ i: Int, _ j: Int) -> Bool {
                let k = i * (p.count + 1) + j
                if let m = memo[k] { return m }
                let r: Bool
                if j == p.count { r = i == t.count }
                else if p[j] == "%" { r = go(i, j + 1) || (i < t.count && go(i + 1, j)) }
                else if i < t.count && (p[j] == "_" || p[j] == t[i]) { r = go(i + 1, j + 1) }
                else { r = false }
                memo[k] = r
                return r
            }
            return go(0, 0)
        }
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        let alphabet: [Character] = ["a", "b", "é", "%", "_"]
        for _ in 0..<3000 {
            let t = (0..<Int.random(in: 0..<8, using: &g)).map { _ in alphabet[Int.random(in: 0..<3, using: &g)] }
            let p = (0..<Int.random(in: 0..<6, using: &g)).map { _ in alphabet[Int.random(in: 0..<5, using: &g)] }
            #expect(try like(String(t), String(p), escape: nil) == model(t, p), "seed \(seed): \(String(t)) LIKE \(String(p))")
        }
    }
}
