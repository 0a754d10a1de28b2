import Foundation
import Testing
@testable import BasaltSQL

/// A small deterministic generator (SplitMix64) so every fuzz run is reproducible from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random token soup and mutations of real statements must give statements or a positioned
/// SQLSyntaxError — never a crash or a hang — and whatever parses must round-trip through printing.
/// `BASALT_PARSER_FUZZ=N` sets the number of inputs (default 20,000); `BASALT_PARSER_FUZZ_SEED` the seed.
@Suite struct FuzzTests {
    static let vocabulary: [String] = [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "ALL", "INTERSECT",
        "EXCEPT", "DISTINCT", "AS", "ON", "JOIN", "LEFT", "CROSS", "NATURAL", "USING", "AND", "OR", "NOT", "IS", "NULL",
        "TRUE", "BETWEEN", "IN", "LIKE", "ESCAPE", "EXISTS", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "INSERT",
        "INTO", "VALUES", "DEFAULT", "UPDATE", "SET", "DELETE", "CREATE", "TABLE", "INDEX", "VIEW", "TRIGGER", "DROP",
        "IF", "EXISTS", "PRIMARY", "KEY", "REFERENCES", "CHECK", "UNIQUE", "BEGIN", "COMMIT", "ROLLBACK", "WITH",
        "RECURSIVE", "OF", "SYSTEM", "TIME", "ANY", "ROW", "EXPLAIN", "ANALYZE", "CONFLICT", "DO", "NOTHING",
        "RETURNING", "ISNULL", "NOTNULL", "COLLATE", "FILTER", "OVER", "FETCH", "FIRST", "ROWS", "ONLY", "TO",
        "a", "b", "t1", "col0", "\"q\"", "\"", "'", "'str'", "'it''s'", "E'\\n'", "X'AB'", "X'A", "$$x$$", "$", "$1", "?",
        "0", "1", "42", "1.5", ".5", "1e10", "99999999999999999999", "(", ")", "(", ")", ",", ".", ";", "+", "-",
        "*", "/", "%", "^", "||", "=", "==", "<>", "!=", "<", "<=", ">", ">=", "::", "~", "&", "|", "<<", ">>", "#",
        "--", "/*", "*/", "\n", "é", "[", "]", "@", "!", ":",
    ]

    static func seedStatements() -> [String] {
        var seeds = RoundTripTests.statements
        guard let files = SQLLogicTestCorpus.files() else { return seeds }
        for file in files {
            let records = SQLLogicTestCorpus.records(inFile: file)
            let stride = max(1, records.count / 150)
            for (index, record) in records.enumerated() where index % stride == 0 && !record.guardedForOtherEngine {
                seeds.append(record.sql)
            }
        }
        return seeds
    }

    static func tokenSoup(_ random: inout SplitMix64) -> String {
        let count = Int.random(in: 0...40, using: &random)
        var parts: [String] = []
        for _ in 0..<count { parts.append(vocabulary.randomElement(using: &random)!) }
        return parts.joined(separator: Bool.random(using: &random) ? " " : "")
    }

    static func mutate(_ sql: String, _ random: inout SplitMix64) -> String {
        var bytes = Array(sql.utf8)
        let mutations = Int.random(in: 1...4, using: &random)
        for _ in 0..<mutations {
            let tokens = Lexer(bytes: bytes).tokenize().filter { !$0.range.isEmpty }
            switch Int.random(in: 0..<7, using: &random) {
            case 0: // insert a random byte
                let byte = UInt8.random(in: 0x09...0x7E, using: &random)
                bytes.insert(byte, at: Int.random(in: 0...bytes.count, using: &random))
            case 1: // delete a byte range
                guard !bytes.isEmpty else { continue }
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, start + Int.random(in: 1...8, using: &random))
                bytes.removeSubrange(start..<end)
            case 2: // swap two bytes
                guard bytes.count > 1 else { continue }
                bytes.swapAt(Int.random(in: 0..<bytes.count, using: &random), Int.random(in: 0..<bytes.count, using: &random))
            case 3: // insert a vocabulary token
                let token = Array((" " + vocabulary.randomElement(using: &random)! + " ").utf8)
                bytes.insert(contentsOf: token, at: Int.random(in: 0...bytes.count, using: &random))
            case 4: // delete a token
                guard let token = tokens.randomElement(using: &random) else { continue }
                bytes.removeSubrange(token.range.clamped(to: 0..<bytes.count))
            case 5: // swap two tokens
                guard tokens.count > 1 else { continue }
                let first = tokens.randomElement(using: &random)!
                let second = tokens.randomElement(using: &random)!
                let (a, b) = first.range.lowerBound < second.range.lowerBound ? (first, second) : (second, first)
                guard a.range.upperBound <= b.range.lowerBound, b.range.upperBound <= bytes.count else { continue }
                let aBytes = Array(bytes[a.range])
                let bBytes = Array(bytes[b.range])
                bytes.replaceSubrange(b.range, with: aBytes)
                bytes.replaceSubrange(a.range, with: bBytes)
            default: // duplicate a slice (grows nesting and repetition)
                guard !bytes.isEmpty else { continue }
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, start + Int.random(in: 1...40, using: &random))
                let slice = Array(bytes[start..<end])
                bytes.insert(contentsOf: slice, at: Int.random(in: 0...bytes.count, using: &random))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func fuzz() {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["BASALT_PARSER_FUZZ"].flatMap(Int.init) ?? 20_000
        let seed = environment["BASALT_PARSER_FUZZ_SEED"].flatMap(UInt64.init) ?? 0xBA5A_17
        let seeds = FuzzTests.seedStatements()
        print("fuzz: seed \(seed), \(count) inputs, \(seeds.count) seed statements")
        let started = Date()
        var parsedCount = 0
        var errorCount = 0
        var issues = 0
        for iteration in 0..<count {
            var random = SplitMix64(seed: seed &+ UInt64(iteration))
            let sql: String
            switch Int.random(in: 0..<4, using: &random) {
            case 0: sql = FuzzTests.tokenSoup(&random)
            default: sql = FuzzTests.mutate(seeds.randomElement(using: &random)!, &random)
            }
            let options = ParserOptions(sqliteCompoundPrecedence: iteration % 2 == 0)
            do {
                let statements = try Parser.parse(sql, options: options)
                parsedCount += 1
                for statement in statements {
                    let printed = statement.description
                    let reparsed = try? Parser.parseStatement(printed, options: ParserOptions())
                    // With SQLite precedence the printer may add set-operation parentheses that reparse
                    // into `.parenthesized`, so equality is only required under PostgreSQL rules.
                    if reparsed == nil || (!options.sqliteCompoundPrecedence && reparsed != statement) {
                        issues += 1
                        if issues <= 10 {
                            Issue.record("round trip failed (seed \(seed), iteration \(iteration)): \(sql)\nprinted: \(printed)")
                        }
                    }
                }
            } catch {
                errorCount += 1
                if error.offset < 0 || error.offset > sql.utf8.count || error.line < 1 || error.column < 1 {
                    issues += 1
                    if issues <= 10 {
                        Issue.record("bad error position (seed \(seed), iteration \(iteration)): \(error) for \(sql)")
                    }
                }
                _ = error.formatted(source: sql)
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print("fuzz: \(count) inputs in \(String(format: "%.1f", seconds)) s: \(parsedCount) parsed, \(errorCount) syntax errors, \(issues) issues (seed \(seed))")
        #expect(issues == 0, "fuzz seed \(seed)")
    }
}
