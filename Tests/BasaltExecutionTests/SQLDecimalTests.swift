import Testing
@testable import BasaltExecution

@Suite struct SQLDecimalTests {
    @Test func parsesPostgresInput() throws {
        #expect(dec("12.50").significand == 1250 && dec("12.50").scale == 2)
        #expect(dec("-3") == SQLDecimal(-3) && dec("-3").scale == 0)
        #expect(dec("1e3").significand == 1000 && dec("1e3").scale == 0)
        #expect(dec("1.5E-2").description == "0.015")
        #expect(dec("  .5 ").description == "0.5")
        #expect(dec("5.").description == "5")
        #expect(dec("+007.10").description == "7.10")
        #expect(dec("0.0000000000000000000001").description == "0.000000000000000000")
        #expect(dec("0.0000000000000000005").description == "0.000000000000000001")  // rounds half away
        for bad in ["", "abc", "1.2.3", "1e", "--1", "NaN", "1 2"] {
            #expect(sqlState { try SQLDecimal(parsing: bad) } == "22P02", "\(bad)")
        }
        #expect(sqlState { try SQLDecimal(parsing: "99999999999999999999") } == "22003")
    }

    @Test func descriptionKeepsScale() {
        #expect(SQLDecimal(significand: 1250, scale: 2).description == "12.50")
        #expect(SQLDecimal(significand: -5, scale: 2).description == "-0.05")
        #expect(SQLDecimal(significand: 0, scale: 3).description == "0.000")
        #expect(SQLDecimal(significand: Int64.min, scale: 0).description == "-9223372036854775808")
    }

    @Test func equalityAndHashAcrossScales() {
        #expect(dec("1.0") == dec("1.00"))
        #expect(dec("1.0").hashValue == dec("1.00").hashValue)
        #expect(dec("1.01") != dec("1.1"))
        #expect(dec("-0.5") < dec("0.25"))
        #expect(SQLDecimal.compare(SQLDecimal(significand: .max, scale: 0), SQLDecimal(significand: .max, scale: 18)) == 1)
    }

    @Test func rescaleRoundsHalfAwayFromZero() throws {
        #expect(try dec("2.5").rescaled(to: 0).description == "3")
        #expect(try dec("-2.5").rescaled(to: 0).description == "-3")
        #expect(try dec("2.449").rescaled(to: 1).description == "2.4")
        #expect(try dec("1.2").rescaled(to: 3).description == "1.200")
        #expect(sqlState { try SQLDecimal(significand: .max / 10, scale: 0).rescaled(to: 2) } == "22003")
    }

    @Test func arithmetic() throws {
        #expect(try SQLDecimal.adding(dec("1.5"), dec("2.25")).description == "3.75")
        #expect(try SQLDecimal.subtracting(dec("1.5"), dec("2.25")).description == "-0.75")
        #expect(try SQLDecimal.multiplying(dec("1.5"), dec("2.25")).description == "3.375")
        #expect(try SQLDecimal.dividing(dec("1"), dec("3")).description == "0.333333333333333333")
        #expect(try SQLDecimal.dividing(dec("10"), dec("4")).description == "2.5000000000000000")
        #expect(try SQLDecimal.dividing(dec("-7"), dec("2")).description == "-3.5000000000000000")
        #expect(try SQLDecimal.dividing(dec("2"), dec("3")).description == "0.666666666666666667")
        #expect(try SQLDecimal.remainder(dec("-7.5"), dec("2")).description == "-1.5")
        #expect(sqlState { try SQLDecimal.dividing(dec("1"), dec("0.00")) } == "22012")
        #expect(sqlState { try SQLDecimal.remainder(dec("1"), dec("0")) } == "22012")
        #expect(sqlState { try SQLDecimal.adding(SQLDecimal(.max), SQLDecimal(1)) } == "22003")
        #expect(sqlState { try SQLDecimal.multiplying(SQLDecimal(.max), SQLDecimal(2)) } == "22003")
        // A product too precise for 64 bits gives up fraction digits before failing.
        let p = try SQLDecimal.multiplying(dec("123456789.123456"), dec("123456789.123456"))
        #expect(p.description == "15241578780673483.70")  // exact: 15241578780673483.700809383936
    }

    @Test func randomizedArithmeticAgainstInt128() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        for _ in 0..<2000 {
            let a = SQLDecimal(significand: Int64.random(in: -1_000_000_000...1_000_000_000, using: &g), scale: Int8.random(in: 0...6, using: &g))
            let b = SQLDecimal(significand: Int64.random(in: -1_000_000_000...1_000_000_000, using: &g), scale: Int8.random(in: 0...6, using: &g))
            let s = Int(max(a.scale, b.scale))
            let wa = Int128(a.significand) * SQLDecimal.pow10Wide(s - Int(a.scale))
            let wb = Int128(b.significand) * SQLDecimal.pow10Wide(s - Int(b.scale))
            let sum = try SQLDecimal.adding(a, b)
            #expect(Int128(sum.significand) == wa + wb && Int(sum.scale) == s, "seed \(seed)")
            #expect(SQLDecimal.compare(a, b) == (wa < wb ? -1 : (wa == wb ? 0 : 1)), "seed \(seed)")
            if b.significand != 0 {
                let q = try SQLDecimal.dividing(a, b)
                #expect(Swift.abs(q.doubleValue - a.doubleValue / b.doubleValue) <= Swift.abs(a.doubleValue / b.doubleValue) * 1e-12 + 1e-15 * 10, "seed \(seed) \(a) / \(b) = \(q)")
            }
        }
    }
}
