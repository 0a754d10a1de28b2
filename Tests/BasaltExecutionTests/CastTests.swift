import Testing
@testable import BasaltExecution

@Suite struct CastTests {
    func cast(_ v: SQLValue, _ t: SQLType, explicit: Bool = true) throws(ExecutionError) -> SQLValue {
        try v.cast(to: t, explicit: explicit)
    }

    @Test func nullStaysNull() throws {
        for t in allTypes { #expect(try cast(.null, t) == .null) }
    }

    @Test func textToIntegers() throws {
        #expect(try cast(.text(" 42 "), .integer) == .integer(42))
        #expect(try cast(.text("-32768"), .smallint) == .integer(-32768))
        #expect(try cast(.text("-9223372036854775808"), .bigint) == .integer(.min))
        #expect(thrown { try cast(.text("abc"), .integer) } == ExecutionError("22P02", "invalid input syntax for type integer: \"abc\""))
        #expect(sqlState { try cast(.text("1.5"), .integer) } == "22P02")
        #expect(sqlState { try cast(.text(""), .bigint) } == "22P02")
        #expect(thrown { try cast(.text("32768"), .smallint) }?.message == "smallint out of range")
        #expect(thrown { try cast(.text("2147483648"), .integer) }?.message == "integer out of range")
        #expect(thrown { try cast(.text("9223372036854775808"), .bigint) }?.message == "bigint out of range")
        #expect(sqlState { try cast(.integer(40000), .smallint) } == "22003")
    }

    @Test func floatToIntegerRoundsHalfToEven() throws {
        #expect(try cast(.double(2.5), .integer) == .integer(2))
        #expect(try cast(.double(3.5), .integer) == .integer(4))
        #expect(try cast(.double(-2.5), .bigint) == .integer(-2))
        #expect(sqlState { try cast(.double(.nan), .integer) } == "22003")
        #expect(sqlState { try cast(.double(9.3e18), .bigint) } == "22003")
        #expect(sqlState { try cast(.double(2147483647.6), .integer) } == "22003")
        #expect(try cast(.numeric(dec("2.5")), .integer) == .integer(3))  // numeric: half away from zero
        #expect(try cast(.numeric(dec("-2.5")), .integer) == .integer(-3))
    }

    @Test func toFloat() throws {
        #expect(try cast(.integer(3), .double) == .double(3))
        #expect(try cast(.text(" 1.5e3 "), .double) == .double(1500))
        #expect(try cast(.text("NaN"), .double) == .double(.nan))
        #expect(try cast(.text("-inf"), .double) == .double(-.infinity))
        #expect(try cast(.text("Infinity"), .real) == .double(.infinity))
        #expect(sqlState { try cast(.text("1e400"), .double) } == "22003")
        #expect(sqlState { try cast(.text("1e-400"), .double) } == "22003")
        #expect(try cast(.text("0e-400"), .double) == .double(0))
        #expect(sqlState { try cast(.text("0x10"), .double) } == "22P02")
        #expect(sqlState { try cast(.double(1e300), .real) } == "22003")
        #expect(try cast(.double(0.1), .real) == .double(Double(Float(0.1))))
        #expect(try cast(.numeric(dec("0.25")), .double) == .double(0.25))
    }

    @Test func toNumeric() throws {
        #expect(try cast(.text("12.345"), .numeric(precision: 5, scale: 2)).textValue == "12.35")
        #expect(try cast(.integer(5), .numeric(precision: 5, scale: 2)).textValue == "5.00")
        #expect(try cast(.double(0.1), .numeric(precision: nil, scale: nil)).textValue == "0.1")
        #expect(try cast(.double(1.0 / 3.0), .numeric(precision: nil, scale: nil)).textValue == "0.333333333333333")
        #expect(sqlState { try cast(.numeric(dec("9.995")), .numeric(precision: 3, scale: 2)) } == "22003")  // rounds to 10.00
        let overflow = thrown { try cast(.numeric(dec("999.995")), .numeric(precision: 5, scale: 2)) }
        #expect(overflow?.sqlState == "22003" && overflow?.message == "numeric field overflow")
        #expect(sqlState { try cast(.text("abc"), .numeric(precision: nil, scale: nil)) } == "22P02")
        #expect(sqlState { try cast(.double(.nan), .numeric(precision: nil, scale: nil)) } == "22003")
        #expect(sqlState { try cast(.boolean(true), .numeric(precision: nil, scale: nil)) } == "42846")
    }

    @Test func booleans() throws {
        for t in ["t", "TRUE", " yes ", "on", "1", "y"] { #expect(try cast(.text(t), .boolean) == .boolean(true), "\(t)") }
        for f in ["f", "False", "no", "off", "0", "n"] { #expect(try cast(.text(f), .boolean) == .boolean(false), "\(f)") }
        #expect(sqlState { try cast(.text("maybe"), .boolean) } == "22P02")
        #expect(sqlState { try cast(.text("o"), .boolean) } == "22P02")  // ambiguous on/off
        #expect(try cast(.integer(5), .boolean) == .boolean(true))
        #expect(try cast(.boolean(true), .integer) == .integer(1))
        #expect(sqlState { try cast(.integer(5), .boolean, explicit: false) } == "42804")
        #expect(sqlState { try cast(.boolean(true), .integer, explicit: false) } == "42804")
        #expect(try cast(.boolean(true), .text) == .text("true"))
    }

    @Test func textLengths() throws {
        #expect(try cast(.text("abcdef"), .varchar(3)) == .text("abc"))
        #expect(thrown { try cast(.text("abcdef"), .varchar(3), explicit: false) } == ExecutionError("22001", "value too long for type character varying(3)"))
        #expect(try cast(.text("abc   "), .varchar(3), explicit: false) == .text("abc"))
        #expect(try cast(.text("ab"), .char(4)) == .text("ab  "))
        #expect(try cast(.text("ab"), .varchar(4)) == .text("ab"))
        #expect(try cast(.text("日本語"), .varchar(3), explicit: false) == .text("日本語"))  // characters, not bytes
        #expect(try cast(.text("日本語x"), .char(3)) == .text("日本語"))
        #expect(sqlState { try cast(.text("abcd"), .char(3), explicit: false) } == "22001")
        #expect(try cast(.integer(12345), .varchar(3)) == .text("123"))
        #expect(sqlState { try cast(.integer(12345), .varchar(3), explicit: false) } == "22001")
    }

    @Test func toText() throws {
        #expect(try cast(.integer(-5), .text) == .text("-5"))
        #expect(try cast(.double(0.1), .text) == .text("0.1"))
        #expect(try cast(.numeric(dec("1.50")), .text) == .text("1.50"))
        #expect(try cast(.date(0), .text) == .text("1970-01-01"))
        #expect(try cast(.blob([0xDE, 0xAD]), .text) == .text("\\xdead"))
    }

    @Test func bytea() throws {
        #expect(try cast(.text("ab"), .bytea) == .blob([0x61, 0x62]))
        #expect(try cast(.text("\\x0aFF"), .bytea) == .blob([0x0A, 0xFF]))
        #expect(try cast(.text("a\\\\b\\001"), .bytea) == .blob([0x61, 0x5C, 0x62, 0x01]))
        #expect(sqlState { try cast(.text("\\xZZ"), .bytea) } == "22P02")
        #expect(sqlState { try cast(.text("\\x123"), .bytea) } == "22P02")
        #expect(sqlState { try cast(.integer(1), .bytea) } == "42846")
    }

    @Test func datesAndTimestamps() throws {
        #expect(try cast(.text("2024-02-29"), .date) == .date(19782))
        #expect(try cast(.text("1969-12-31"), .date) == .date(-1))
        #expect(try cast(.text("2024-01-02 10:11:12"), .date) == .date(19724))
        #expect(sqlState { try cast(.text("2023-02-29"), .date) } == "22008")
        #expect(sqlState { try cast(.text("2023-13-01"), .date) } == "22008")
        #expect(sqlState { try cast(.text("yesterday-ish"), .date) } == "22007")
        #expect(try cast(.text("1970-01-01 00:00:01.5"), .timestamp) == .timestamp(1_500_000))
        #expect(try cast(.text("1970-01-02T00:00:00"), .timestamp) == .timestamp(86_400_000_000))
        #expect(try cast(.text("1970-01-01"), .timestamp) == .timestamp(0))
        #expect(try cast(.text("1969-12-31 23:59:59.999999"), .timestamp) == .timestamp(-1))
        #expect(sqlState { try cast(.text("1970-01-01 25:00:00"), .timestamp) } == "22008")
        #expect(sqlState { try cast(.text("1970-01-01 xx"), .timestamp) } == "22007")
        #expect(try cast(.date(2), .timestamp) == .timestamp(2 * 86_400_000_000))
        #expect(try cast(.timestamp(-1), .date) == .date(-1))  // floor, not truncation
        #expect(sqlState { try cast(.integer(1), .date) } == "42846")
        #expect(try SQLValue.text("2000-01-01").checkAssignable(to: .date) == .date(10957))
    }

    @Test func randomizedTextRoundTrip() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        let types: [SQLType] = [.bigint, .double, .numeric(precision: nil, scale: nil), .date, .timestamp, .boolean, .bytea]
        for _ in 0..<2000 {
            let t = types.randomElement(using: &g)!
            let v = randomValue(of: t, using: &g, allowNull: false)
            let back = try v.cast(to: .text, explicit: true).cast(to: t, explicit: true)
            #expect(back == v, "seed \(seed): \(v) as \(t.name) → \(back)")
        }
    }
}
