import Testing
@testable import BasaltExecution

@Suite struct ArithmeticTests {
    @Test func integerArithmetic() throws {
        #expect(try SQLValue.add(.integer(2), .integer(3)) == .integer(5))
        #expect(try SQLValue.subtract(.integer(2), .integer(3)) == .integer(-1))
        #expect(try SQLValue.multiply(.integer(-4), .integer(3)) == .integer(-12))
        #expect(try SQLValue.divide(.integer(7), .integer(2)) == .integer(3))
        #expect(try SQLValue.divide(.integer(-7), .integer(2)) == .integer(-3))  // truncates toward zero
        #expect(try SQLValue.remainder(.integer(-7), .integer(2)) == .integer(-1))  // dividend's sign
        #expect(try SQLValue.remainder(.integer(7), .integer(-2)) == .integer(1))
        #expect(try SQLValue.remainder(.integer(.min), .integer(-1)) == .integer(0))
        #expect(try SQLValue.negate(.integer(5)) == .integer(-5))
    }

    @Test func overflowAndZeroDivisionCodes() {
        #expect(thrown { try SQLValue.add(.integer(.max), .integer(1)) } == ExecutionError("22003", "bigint out of range"))
        #expect(sqlState { try SQLValue.subtract(.integer(.min), .integer(1)) } == "22003")
        #expect(sqlState { try SQLValue.multiply(.integer(.max), .integer(2)) } == "22003")
        #expect(sqlState { try SQLValue.divide(.integer(.min), .integer(-1)) } == "22003")
        #expect(sqlState { try SQLValue.negate(.integer(.min)) } == "22003")
        #expect(sqlState { try SQLValue.divide(.integer(1), .integer(0)) } == "22012")
        #expect(sqlState { try SQLValue.remainder(.integer(1), .integer(0)) } == "22012")
        #expect(sqlState { try SQLValue.divide(.double(1.0), .double(0.0)) } == "22012")
        #expect(sqlState { try SQLValue.divide(.numeric(dec("1.5")), .numeric(dec("0.0"))) } == "22012")
        #expect(sqlState { try SQLValue.remainder(.numeric(dec("1.5")), .integer(0)) } == "22012")
        #expect(sqlState { try SQLValue.divide(.integer(1), .double(0)) } == "22012")
        #expect(thrown { try SQLValue.multiply(.double(1e308), .double(10)) }?.message == "value out of range: overflow")
        #expect(thrown { try SQLValue.multiply(.double(1e-308), .double(1e-308)) }?.message == "value out of range: underflow")
        #expect(sqlState { try SQLValue.add(.double(.infinity), .double(1)) } == nil)  // inf in, inf out is fine
    }

    @Test func nullPropagates() throws {
        #expect(try SQLValue.add(.null, .integer(1)) == .null)
        #expect(try SQLValue.divide(.null, .integer(0)) == .null)
        #expect(try SQLValue.divide(.integer(1), .null) == .null)
        #expect(try SQLValue.negate(.null) == .null)
        #expect(try SQLValue.concatenate(.text("a"), .null) == .null)
        #expect(try SQLValue.bitAnd(.null, .integer(1)) == .null)
    }

    @Test func mixedClasses() throws {
        let r = try SQLValue.add(.integer(1), .numeric(dec("2.50")))
        guard case let .numeric(n) = r else { Issue.record("expected numeric, got \(r)"); return }
        #expect(n.description == "3.50")
        #expect(try SQLValue.multiply(.numeric(dec("1.5")), .double(2)) == .double(3))
        if case .double = try SQLValue.add(.integer(1), .double(0.5)) {} else { Issue.record("integer + double is double") }
        #expect(try SQLValue.add(.integer(1), .double(0.5)) == .double(1.5))
        #expect(try SQLValue.divide(.integer(1), .numeric(dec("4"))).textValue == "0.250000000000000000")  // PG: scale 20, capped at 18
        #expect(try SQLValue.remainder(.double(7.5), .double(2)) == .double(1.5))
    }

    @Test func datesAndTypeErrors() throws {
        #expect(try SQLValue.add(.date(10), .integer(5)) == .date(15))
        #expect(try SQLValue.add(.integer(5), .date(10)) == .date(15))
        #expect(try SQLValue.subtract(.date(10), .integer(15)) == .date(-5))
        #expect(try SQLValue.subtract(.date(10), .date(3)) == .integer(7))
        #expect(sqlState { try SQLValue.add(.date(.max), .integer(1)) } == "22008")
        #expect(sqlState { try SQLValue.add(.text("1"), .integer(1)) } == "42883")
        #expect(sqlState { try SQLValue.multiply(.boolean(true), .integer(1)) } == "42883")
        #expect(sqlState { try SQLValue.negate(.text("x")) } == "42883")
    }

    @Test func concatenationAndBitwise() throws {
        #expect(try SQLValue.concatenate(.text("a"), .text("b")) == .text("ab"))
        #expect(try SQLValue.concatenate(.text("n="), .integer(5)) == .text("n=5"))
        #expect(try SQLValue.concatenate(.numeric(dec("1.50")), .text("!")) == .text("1.50!"))
        #expect(try SQLValue.concatenate(.blob([1]), .blob([2])) == .blob([1, 2]))
        #expect(sqlState { try SQLValue.concatenate(.integer(1), .integer(2)) } == "42883")
        #expect(try SQLValue.bitAnd(.integer(12), .integer(10)) == .integer(8))
        #expect(try SQLValue.bitOr(.integer(12), .integer(10)) == .integer(14))
        #expect(try SQLValue.bitXor(.integer(12), .integer(10)) == .integer(6))
        #expect(try SQLValue.shiftLeft(.integer(1), .integer(4)) == .integer(16))
        #expect(try SQLValue.shiftRight(.integer(-16), .integer(2)) == .integer(-4))
        #expect(try SQLValue.bitNot(.integer(0)) == .integer(-1))
        #expect(sqlState { try SQLValue.bitAnd(.double(1), .integer(1)) } == "42883")
    }
}
