import Testing
@testable import BasaltExecution

@Suite struct EqualityTests {
    @Test func groupingEqualityAcrossNumericClasses() {
        let one: [SQLValue] = [.integer(1), .double(1.0), .numeric(dec("1.00")), .numeric(dec("1"))]
        for a in one {
            for b in one {
                #expect(a == b, "\(a) vs \(b)")
                #expect(a.hashValue == b.hashValue, "\(a) vs \(b)")
            }
        }
        #expect(SQLValue.double(-0.0) == .double(0.0) && SQLValue.double(-0.0).hashValue == SQLValue.integer(0).hashValue)
        #expect(SQLValue.double(.nan) == .double(.nan))
        #expect(SQLValue.double(.nan).hashValue == SQLValue.double(-.nan).hashValue)
        #expect(SQLValue.integer(1) != .double(1.5))
        #expect(SQLValue.integer(9_007_199_254_740_993) != .double(9_007_199_254_740_992))  // exact, not via Double
    }

    @Test func nullEqualsNullForGrouping() {
        #expect(SQLValue.null == .null)
        #expect(SQLValue.null != .integer(0))
        #expect(Set<SQLValue>([.null, .null, .integer(1), .double(1)]).count == 2)
    }

    @Test func textUsesBytesNotCanonicalEquivalence() {
        let composed = SQLValue.text("\u{E9}"), decomposed = SQLValue.text("e\u{301}")
        #expect("\u{E9}" == "e\u{301}")  // Swift says equal…
        #expect(composed != decomposed)  // …SQL ("C" collation) does not
        #expect(Set([composed, decomposed]).count == 2)
        #expect(SQLValue.text("a") == .text("a") && SQLValue.text("a").hashValue == SQLValue.text("a").hashValue)
    }

    @Test func otherClasses() {
        #expect(SQLValue.blob([1, 2]) == .blob([1, 2]) && SQLValue.blob([1]) != .blob([1, 0]))
        #expect(SQLValue.boolean(true) != .integer(1))
        #expect(SQLValue.text("1") != .integer(1))
        #expect(SQLValue.date(1) == .timestamp(86_400_000_000))
        #expect(SQLValue.date(1).hashValue == SQLValue.timestamp(86_400_000_000).hashValue)
        #expect(SQLValue.date(1) != .date(2))
    }

    @Test func randomizedHashConsistency() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        let numericTypes: [SQLType] = [.bigint, .double, .numeric(precision: nil, scale: nil)]
        for _ in 0..<3000 {
            let a = randomValue(of: numericTypes.randomElement(using: &g)!, using: &g)
            // Equal partners in other classes.
            var partners: [SQLValue] = [a]
            if case let .integer(i) = a { partners += [.numeric(SQLDecimal(i)), .double(Double(i))] }
            if case let .numeric(n) = a { partners += [.numeric(n.normalized), .double(n.doubleValue)] }
            for b in partners where a == b {
                #expect(a.hashValue == b.hashValue, "seed \(seed): \(a) \(b)")
            }
        }
    }
}
