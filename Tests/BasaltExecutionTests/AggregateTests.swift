import Testing
@testable import BasaltExecution

@Suite struct AggregateTests {
    func run(_ kind: AggregateKind, _ type: SQLType, _ values: [SQLValue], distinct: Bool = false,
             separator: SQLValue = .text(",")) throws(ExecutionError) -> SQLValue {
        var acc = AggregateAccumulator(kind: kind, argumentType: type, distinct: distinct)
        for v in values { try acc.add(v, separator: separator) }
        return acc.result()
    }

    @Test func resultTypes() throws {
        #expect(try AggregateAccumulator.resultType(.count, argument: .text) == .bigint)
        #expect(try AggregateAccumulator.resultType(.sum, argument: .integer) == .bigint)
        #expect(try AggregateAccumulator.resultType(.sum, argument: .real) == .double)
        #expect(try AggregateAccumulator.resultType(.sum, argument: .numeric(precision: 5, scale: 2)) == .numeric(precision: nil, scale: nil))
        #expect(try AggregateAccumulator.resultType(.avg, argument: .smallint) == .double)
        #expect(try AggregateAccumulator.resultType(.max, argument: .varchar(3)) == .varchar(3))
        #expect(try AggregateAccumulator.resultType(.stringAgg, argument: .text) == .text)
        #expect(try AggregateAccumulator.resultType(.every, argument: .boolean) == .boolean)
        #expect(sqlState { try AggregateAccumulator.resultType(.sum, argument: .text) } == "42883")
        #expect(sqlState { try AggregateAccumulator.resultType(.avg, argument: .boolean) } == "42883")
        #expect(sqlState { try AggregateAccumulator.resultType(.boolAnd, argument: .integer) } == "42883")
    }

    @Test func emptyAndNullInput() throws {
        for kind in [AggregateKind.sum, .avg, .min, .max, .stringAgg, .boolAnd, .boolOr, .every] {
            #expect(try run(kind, .integer, []) == .null)
            #expect(try run(kind, .integer, [.null, .null]) == .null)
        }
        #expect(try run(.count, .integer, [.null, .null]) == .integer(0))
        #expect(try run(.countStar, .integer, [.null, .null]) == .integer(2))
        #expect(try run(.count, .integer, []) == .integer(0))
    }

    @Test func basics() throws {
        #expect(try run(.sum, .integer, [.integer(1), .null, .integer(2)]) == .integer(3))
        #expect(sqlState { try run(.sum, .bigint, [.integer(.max), .integer(1)]) } == "22003")
        #expect(try run(.sum, .numeric(precision: nil, scale: nil), [.numeric(dec("1.5")), .numeric(dec("2.25"))]).textValue == "3.75")
        #expect(try run(.sum, .double, [.double(0.5), .double(0.25)]) == .double(0.75))
        #expect(try run(.avg, .integer, [.integer(1), .integer(2)]) == .double(1.5))
        #expect(try run(.avg, .bigint, [.integer(.max), .integer(.max)]) == .double(Double(Int64.max)))  // no overflow
        #expect(try run(.avg, .numeric(precision: nil, scale: nil), [.numeric(dec("1")), .numeric(dec("2"))]).textValue == "1.5000000000000000")
        #expect(try run(.min, .text, [.text("b"), .null, .text("a")]) == .text("a"))
        #expect(try run(.max, .double, [.double(1), .double(.nan)]) == .double(.nan))
        #expect(try run(.stringAgg, .text, [.text("a"), .null, .text("b"), .text("c")]) == .text("a,b,c"))
        #expect(try run(.boolAnd, .boolean, [.boolean(true), .null, .boolean(false)]) == .boolean(false))
        #expect(try run(.boolOr, .boolean, [.boolean(false), .boolean(true)]) == .boolean(true))
        #expect(try run(.every, .boolean, [.boolean(true)]) == .boolean(true))
        #expect(try run(.count, .integer, [.integer(1), .integer(1), .double(1), .integer(2)], distinct: true) == .integer(2))
        #expect(try run(.sum, .integer, [.integer(1), .integer(1), .integer(2)], distinct: true) == .integer(3))
        #expect(try run(.stringAgg, .text, [.text("x"), .text("x")], distinct: true) == .text("x"))
        #expect(sqlState { try run(.sum, .integer, [.text("1")]) } == "42883")
    }

    @Test func modelCheckedOnRandomInput() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        for _ in 0..<300 {
            let n = Int.random(in: 0..<30, using: &g)
            let values: [SQLValue] = (0..<n).map { _ in
                Int.random(in: 0..<5, using: &g) == 0 ? .null : .integer(Int64.random(in: -5...5, using: &g))
            }
            let distinct = Bool.random(using: &g)
            var inputs = values.filter { !$0.isNull }
            if distinct {
                var seen = Set<Int64>()
                inputs = inputs.filter { if case let .integer(i) = $0 { return seen.insert(i).inserted } else { return false } }
            }
            let ints = inputs.map { v -> Int64 in if case let .integer(i) = v { return i } else { return 0 } }
            #expect(try run(.count, .integer, values, distinct: distinct) == .integer(Int64(ints.count)), "seed \(seed)")
            #expect(try run(.countStar, .integer, values) == .integer(Int64(values.count)), "seed \(seed)")
            #expect(try run(.sum, .integer, values, distinct: distinct) == (ints.isEmpty ? .null : .integer(ints.reduce(0, +))), "seed \(seed)")
            #expect(try run(.min, .integer, values, distinct: distinct) == (ints.min().map { .integer($0) } ?? .null), "seed \(seed)")
            #expect(try run(.max, .integer, values, distinct: distinct) == (ints.max().map { .integer($0) } ?? .null), "seed \(seed)")
            let avg = try run(.avg, .integer, values, distinct: distinct)
            if ints.isEmpty {
                #expect(avg == .null, "seed \(seed)")
            } else if case let .double(a) = avg {
                #expect(Swift.abs(a - Double(ints.reduce(0, +)) / Double(ints.count)) < 1e-12, "seed \(seed)")
            } else {
                Issue.record("seed \(seed): avg is not a double: \(avg)")
            }
            let bools = values.map { v -> SQLValue in if case let .integer(i) = v { return .boolean(i > 0) } else { return .null } }
            let nonNull = bools.compactMap { v -> Bool? in if case let .boolean(b) = v { return b } else { return nil } }
            #expect(try run(.boolAnd, .boolean, bools) == (nonNull.isEmpty ? .null : .boolean(nonNull.allSatisfy { $0 })), "seed \(seed)")
            #expect(try run(.boolOr, .boolean, bools) == (nonNull.isEmpty ? .null : .boolean(nonNull.contains(true))), "seed \(seed)")
        }
    }
}
