import Testing
@testable import BasaltSLT

/// Expected outputs are what SQLite 3.40.1's sqlite3_column_int64 / sqlite3_column_double +
/// sqlite3_snprintf("%.3f") / sqlite3_column_text return for the value (checked against the
/// real library through ctypes while writing these tests), except `R` values of 1e13 and more,
/// where the 16-digit limit rounds (as SQLite ≥ 3.43 and the corpus do) instead of truncating
/// (3.40.1 printed 123456789012345678.0 as `123456789012345600.000`).
@Suite("Value formatting by type letter")
struct SLTValueFormatterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var value: SLTValue
        var printed: String
        var testDescription: String { "\(value) → \(printed)" }
    }

    @Test func nullIsNULLForEveryType() {
        for type in [SLTColumnType.integer, .real, .text] {
            #expect(SLTValueFormatter.format(.null, as: type) == "NULL")
        }
    }

    @Test(arguments: [
        Case(value: i(0), printed: "0"),
        Case(value: i(-5), printed: "-5"),
        Case(value: i(Int64.min), printed: "-9223372036854775808"),
        Case(value: r(1.5), printed: "1"),
        Case(value: r(-2.5), printed: "-2"),
        Case(value: r(-0.0001), printed: "0"),
        Case(value: r(1e20), printed: "9223372036854775807"),
        Case(value: r(9.3e18), printed: "9223372036854775807"),
        Case(value: r(-9.3e18), printed: "-9223372036854775808"),
        Case(value: r(.infinity), printed: "9223372036854775807"),
        Case(value: r(-.infinity), printed: "-9223372036854775808"),
        Case(value: r(123456789012345678.0), printed: "123456789012345680"),
        Case(value: t("12abc"), printed: "12"),
        Case(value: t("abc"), printed: "0"),
        Case(value: t("1e3"), printed: "1"),
        Case(value: t("1.9"), printed: "1"),
        Case(value: t("-1.9"), printed: "-1"),
        Case(value: t("  -42x"), printed: "-42"),
        Case(value: t("\t 3"), printed: "3"),
        Case(value: t("+7"), printed: "7"),
        Case(value: t("000123"), printed: "123"),
        Case(value: t(".5"), printed: "0"),
        Case(value: t("- 5"), printed: "0"),
        Case(value: t(""), printed: "0"),
        Case(value: t("99999999999999999999"), printed: "9223372036854775807"),
        Case(value: t("-99999999999999999999"), printed: "-9223372036854775808"),
        Case(value: t("9223372036854775808"), printed: "9223372036854775807"),
        Case(value: t("-9223372036854775808"), printed: "-9223372036854775808"),
        Case(value: .blob(Array("12".utf8)), printed: "12"),
    ])
    func integerColumn(_ c: Case) {
        #expect(SLTValueFormatter.format(c.value, as: .integer) == c.printed)
    }

    @Test(arguments: [
        Case(value: r(1.5), printed: "1.500"),
        Case(value: r(2.0), printed: "2.000"),
        Case(value: r(0.1 + 0.2), printed: "0.300"),
        Case(value: r(1e20), printed: "100000000000000000000.000"),
        Case(value: r(-0.0001), printed: "-0.000"),
        Case(value: r(-0.0), printed: "0.000"),
        Case(value: r(0.0005), printed: "0.001"),
        Case(value: r(0.0015), printed: "0.002"),
        Case(value: r(2.5e-4), printed: "0.000"),
        Case(value: r(-0.0005), printed: "-0.001"),
        Case(value: r(-0.00049), printed: "-0.000"),
        Case(value: r(1.0005), printed: "1.001"),
        Case(value: r(0.9995), printed: "1.000"),
        Case(value: r(1234.5675), printed: "1234.568"),
        Case(value: r(17.0625), printed: "17.063"),
        Case(value: r(9.99999), printed: "10.000"),
        Case(value: r(-12.9999), printed: "-13.000"),
        Case(value: r(12345.678), printed: "12345.678"),
        Case(value: r(1.0 / 3), printed: "0.333"),
        Case(value: r(1e15), printed: "1000000000000000.000"),
        Case(value: r(123456789012345678.0), printed: "123456789012345700.000"),
        Case(value: r(123456789012345.6), printed: "123456789012345.600"),
        Case(value: r(-9223372036854775808.0), printed: "-9223372036854776000.000"),
        Case(value: r(9.3e18), printed: "9300000000000000000.000"),
        Case(value: r(.infinity), printed: "Inf"),
        Case(value: r(-.infinity), printed: "-Inf"),
        Case(value: i(0), printed: "0.000"),
        Case(value: i(-5), printed: "-5.000"),
        Case(value: i(Int64.max), printed: "9223372036854776000.000"),
        Case(value: i(Int64.min), printed: "-9223372036854776000.000"),
        Case(value: i(123456789012345678), printed: "123456789012345700.000"),
        Case(value: t("12abc"), printed: "12.000"),
        Case(value: t("abc"), printed: "0.000"),
        Case(value: t("1e3"), printed: "1000.000"),
        Case(value: t("1.5e3"), printed: "1500.000"),
        Case(value: t("1.9"), printed: "1.900"),
        Case(value: t(".5"), printed: "0.500"),
        Case(value: t("1e"), printed: "1.000"),
        Case(value: t("2.5e-3xyz"), printed: "0.003"),
        Case(value: t("1e400"), printed: "Inf"),
        Case(value: t("99999999999999999999"), printed: "100000000000000000000.000"),
        Case(value: t(""), printed: "0.000"),
        Case(value: .blob(Array("12".utf8)), printed: "12.000"),
    ])
    func realColumn(_ c: Case) {
        #expect(SLTValueFormatter.format(c.value, as: .real) == c.printed)
    }

    #if arch(x86_64)
    /// Beyond 16 significant digits SQLite prints zeros (SQLite 3.40.1's `long double` digits
    /// are 1499999999999999|9…, rounded at the 16th digit).
    @Test func realColumnHugeValueRoundsAtTheSixteenthDigit() {
        let expected = "15" + String(repeating: "0", count: 99) + ".000"
        #expect(SLTValueFormatter.format(r(1.5e100), as: .real) == expected)
    }
    #endif

    @Test(arguments: [
        Case(value: t("hello"), printed: "hello"),
        Case(value: t("table t29 row 6"), printed: "table t29 row 6"),
        Case(value: t(""), printed: "(empty)"),
        Case(value: t("héllo"), printed: "h@@llo"),
        Case(value: t("a\tb\n"), printed: "a@b@"),
        Case(value: t("~\u{7F}"), printed: "~@"),
        Case(value: i(42), printed: "42"),
        Case(value: i(-9223372036854775808), printed: "-9223372036854775808"),
        Case(value: r(1.5), printed: "1.5"),
        Case(value: r(2.0), printed: "2.0"),
        Case(value: r(-0.0), printed: "0.0"),
        Case(value: r(100.0), printed: "100.0"),
        Case(value: r(0.1 + 0.2), printed: "0.3"),
        Case(value: r(1.0 / 3), printed: "0.333333333333333"),
        Case(value: r(-0.0001), printed: "-0.0001"),
        Case(value: r(1e-5), printed: "1.0e-05"),
        Case(value: r(1e14), printed: "100000000000000.0"),
        Case(value: r(1e15), printed: "1.0e+15"),
        Case(value: r(1e20), printed: "1.0e+20"),
        Case(value: r(1.5e100), printed: "1.5e+100"),
        Case(value: r(123456789012345.6), printed: "123456789012346.0"),
        Case(value: r(4503599627370497.5), printed: "4.5035996273705e+15"),
        Case(value: r(123456789012345678.0), printed: "1.23456789012346e+17"),
        Case(value: r(1.2345678901234568e-07), printed: "1.23456789012346e-07"),
        Case(value: r(Double.leastNonzeroMagnitude), printed: "4.94065645841247e-324"),
        Case(value: r(.infinity), printed: "Inf"),
        Case(value: r(-.infinity), printed: "-Inf"),
        Case(value: .blob(Array("ab".utf8) + [0] + Array("cd".utf8)), printed: "ab"),
        Case(value: .blob([0x01, 0x7F, 0x7E]), printed: "@@~"),
        Case(value: .blob([]), printed: "(empty)"),
        Case(value: .blob([0]), printed: "(empty)"),
    ])
    func textColumn(_ c: Case) {
        #expect(SLTValueFormatter.format(c.value, as: .text) == c.printed)
    }

    @Test func typeLettersOtherThanIAndRMeanText() {
        #expect(SLTColumnType.parse("IRTX") == [.integer, .real, .text, .text])
        #expect(SLTValueFormatter.format(row: [i(1), r(1), i(1), t("")], types: [.integer, .real]) == ["1", "1.000", "1", "(empty)"])
    }
}
