import Testing
@testable import BasaltExecution

@Suite struct ComparisonTests {
    @Test func nullComparesToNil() {
        #expect(SQLValue.compare(.null, .integer(1)) == nil)
        #expect(SQLValue.compare(.integer(1), .null) == nil)
        #expect(SQLValue.compare(.null, .null) == nil)
    }

    @Test func exactNumericComparison() {
        #expect(SQLValue.compare(.integer(9_007_199_254_740_993), .double(9_007_199_254_740_992)) == 1)
        #expect(SQLValue.compare(.double(9_007_199_254_740_992), .integer(9_007_199_254_740_993)) == -1)
        #expect(SQLValue.compare(.integer(.max), .double(9_223_372_036_854_775_808.0)) == -1)
        #expect(SQLValue.compare(.integer(.min), .double(-9_223_372_036_854_775_808.0)) == 0)
        #expect(SQLValue.compare(.integer(2), .double(2.5)) == -1)
        #expect(SQLValue.compare(.integer(-2), .double(-2.5)) == 1)
        #expect(SQLValue.compare(.integer(1), .double(.nan)) == -1)
        #expect(SQLValue.compare(.integer(1), .double(.infinity)) == -1)
        #expect(SQLValue.compare(.numeric(dec("1.50")), .integer(1)) == 1)
        #expect(SQLValue.compare(.numeric(dec("0.1")), .double(0.1)) == 0)  // PostgreSQL: numeric → float8
        #expect(SQLValue.compare(.numeric(dec("2.0")), .numeric(dec("2"))) == 0)
    }

    @Test func doubleOrderIsPostgres() {
        #expect(SQLValue.compare(.double(.nan), .double(.nan)) == 0)
        #expect(SQLValue.compare(.double(.nan), .double(.infinity)) == 1)
        #expect(SQLValue.compare(.double(-0.0), .double(0.0)) == 0)
        #expect(SQLValue.compare(.double(-.infinity), .double(-1e308)) == -1)
    }

    @Test func textAndBlobByBytes() {
        #expect(SQLValue.compare(.text("a"), .text("b")) == -1)
        #expect(SQLValue.compare(.text("B"), .text("a")) == -1)  // C collation: upper case first
        #expect(SQLValue.compare(.text("ab"), .text("a")) == 1)
        #expect(SQLValue.compare(.text("\u{E9}"), .text("e\u{301}")) == 1)
        #expect(SQLValue.compare(.text("\u{FFFF}"), .text("😀")) == -1)  // code point order, not UTF-16
        #expect(SQLValue.compare(.blob([1, 2]), .blob([1, 2, 0])) == -1)
        #expect(SQLValue.compare(.blob([0xFF]), .blob([0x01, 0x02])) == 1)
        #expect(SQLValue.compare(.text("abcdefghij1"), .text("abcdefghij2")) == -1)
    }

    @Test func otherClassesAndClassRank() {
        #expect(SQLValue.compare(.boolean(false), .boolean(true)) == -1)
        #expect(SQLValue.compare(.date(0), .timestamp(1)) == -1)
        #expect(SQLValue.compare(.timestamp(86_400_000_000), .date(1)) == 0)
        #expect(SQLValue.compare(.boolean(true), .integer(0)) == -1)
        #expect(SQLValue.compare(.integer(5), .text("1")) == -1)
        #expect(SQLValue.compare(.text("z"), .blob([0])) == -1)
        #expect(SQLValue.compare(.blob([0]), .date(0)) == -1)
    }

    @Test func sortCompareIsATotalOrder() {
        #expect(SQLValue.sortCompare(.null, .integer(1), nullsFirst: true) == -1)
        #expect(SQLValue.sortCompare(.null, .integer(1), nullsFirst: false) == 1)
        #expect(SQLValue.sortCompare(.null, .null, nullsFirst: false) == 0)
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        var values: [SQLValue] = []
        for _ in 0..<400 { values.append(randomValue(of: allTypes.randomElement(using: &g)!, using: &g)) }
        let sorted = values.sorted { SQLValue.sortCompare($0, $1, nullsFirst: true) < 0 }
        for i in sorted.indices.dropFirst() {
            #expect(SQLValue.sortCompare(sorted[i - 1], sorted[i], nullsFirst: true) <= 0, "seed \(seed)")
        }
        // Antisymmetry.
        for _ in 0..<2000 {
            let a = values.randomElement(using: &g)!, b = values.randomElement(using: &g)!
            #expect(SQLValue.sortCompare(a, b, nullsFirst: true) == -SQLValue.sortCompare(b, a, nullsFirst: true), "seed \(seed) \(a) \(b)")
        }
    }
}
