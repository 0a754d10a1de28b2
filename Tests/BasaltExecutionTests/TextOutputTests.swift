import Testing
@testable import BasaltExecution

@Suite struct TextOutputTests {
    @Test func doublesLikePostgres12() {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (2.0, "2"), (-0.0, "-0"), (1e20, "1e+20"), (1e15, "1e+15"), (1e14, "100000000000000"),
            (123456789012345680, "1.2345678901234568e+17"), (0.0001, "0.0001"), (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"), (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
            (1.0 / 3.0, "0.3333333333333333"), (-2.5, "-2.5"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (100, "100"), (123.456, "123.456"),
        ]
        for (value, text) in cases { #expect(SQLValue.double(value).textValue == text, "\(value)") }
        #expect(SQLValue.double(Double(Float(0.1))).text(as: .real) == "0.1")
        #expect(SQLValue.double(1e6).text(as: .real) == "1e+06")
        #expect(SQLValue.double(123456).text(as: .real) == "123456")
    }

    @Test func otherValues() {
        #expect(SQLValue.integer(-42).textValue == "-42")
        #expect(SQLValue.numeric(dec("12.50")).textValue == "12.50")
        #expect(SQLValue.boolean(true).textValue == "t" && SQLValue.boolean(false).textValue == "f")
        #expect(SQLValue.blob([0x00, 0xAB, 0x10]).textValue == "\\x00ab10")
        #expect(SQLValue.blob([]).textValue == "\\x")
        #expect(SQLValue.date(0).textValue == "1970-01-01")
        #expect(SQLValue.date(19782).textValue == "2024-02-29")
        #expect(SQLValue.date(-719_163).textValue == "0001-12-31 BC")
        #expect(SQLValue.timestamp(1_500_000).textValue == "1970-01-01 00:00:01.5")
        #expect(SQLValue.timestamp(-1).textValue == "1969-12-31 23:59:59.999999")
        #expect(SQLValue.timestamp(1_700_000_000_000_000).textValue == "2023-11-14 22:13:20")
        #expect(SQLValue.null.description == "NULL")
        #expect(SQLValue.text("x").description == "x")
    }
}
