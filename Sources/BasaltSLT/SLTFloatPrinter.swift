/// SQLite's own `printf` conversion of floating point values (`%.3f` and `%!.15g`).
///
/// SQLite does not use the C library here: it adds a rounding term, normalizes the value in
/// `long double` and emits at most 16 significant digits (26 with `!`), printing `0` for the
/// rest. So `%.3f` of `1e20` is `100000000000000000000.000`, `-0.0001` gives `-0.000`, and
/// infinities give `Inf` / `-Inf`. This is a port of SQLite 3.40's code (checked against
/// 3.40.1 on 20 000 random doubles) with one change: where the 16-digit limit cuts digits off
/// (|x| ≥ 1e13 for `%.3f`), the last kept digit is rounded half-up instead of truncated, as
/// SQLite ≥ 3.43 does and as the corpus expects (`evidence/slt_lang_aggfunc.test` prints
/// -9223372036854775808.0 as `-9223372036854776000.000`; 3.40 printed `…775000.000`).
///
/// The arithmetic uses `Float80` where Swift has it (x86-64), which is what SQLite's
/// `long double` is there; elsewhere it uses `Double`, as SQLite does where `long double` is
/// `double`.
enum SLTFloatPrinter {
    #if arch(x86_64) && !os(Windows) && !os(Android)
    /// SQLite's `LONGDOUBLE_TYPE` on this platform.
    typealias LongDouble = Float80
    #else
    /// SQLite's `LONGDOUBLE_TYPE` on this platform.
    typealias LongDouble = Double
    #endif

    /// SQLite's `arRound` table: 0.5 × 10^-i as doubles.
    private static let rounders: [Double] = [
        5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05, 5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10,
    ]

    /// A C `double` constant widened to `long double` (not a more precise `long double` literal).
    @inline(__always)
    private static func c(_ value: Double) -> LongDouble { LongDouble(value) }

    /// `%.3f` (or another precision) as `sqlite3_snprintf` prints it.
    static func fixed(_ value: Double, precision: Int = 3) -> String {
        format(value, precision: precision, generic: false, altForm2: false)
    }

    /// `%!.15g` as SQLite prints it: how SQLite turns a REAL into text (`1.5`, `2.0`, `1.0e+20`).
    static func realToText(_ value: Double) -> String {
        format(value, precision: 15, generic: true, altForm2: true)
    }

    /// A port of the `etFLOAT` / `etGENERIC` branch of SQLite's `sqlite3_str_vappendf`.
    static func format(_ value: Double, precision requested: Int, generic: Bool, altForm2: Bool) -> String {
        var precision = max(requested, 0)
        var realvalue = LongDouble(value)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        if realvalue < 0 {
            realvalue = -realvalue
            out.append(UInt8(ascii: "-"))
        }
        if generic && precision > 0 { precision -= 1 }
        var index = precision & 0xFFF
        var rounder = rounders[index % 10]
        while index >= 10 {
            rounder *= 1.0e-10
            index -= 10
        }
        if !generic {
            let rx = Double(realvalue)
            let ex = -1023 + Int((rx.bitPattern >> 52) & 0x7FF)
            if precision + ex / 3 < 15 {
                rounder = Double(LongDouble(rounder) + realvalue * c(3e-16))
            }
            realvalue += LongDouble(rounder)
        }
        if realvalue.isNaN { return "NaN" }
        var exp = 0
        if realvalue > 0 {
            var scale: LongDouble = 1
            while realvalue >= c(1e100) * scale && exp <= 350 {
                scale *= c(1e100)
                exp += 100
            }
            while realvalue >= c(1e10) * scale && exp <= 350 {
                scale *= c(1e10)
                exp += 10
            }
            while realvalue >= c(10.0) * scale && exp <= 350 {
                scale *= c(10.0)
                exp += 1
            }
            realvalue /= scale
            while realvalue < c(1e-8) {
                realvalue *= c(1e8)
                exp -= 8
            }
            while realvalue < c(1.0) {
                realvalue *= c(10.0)
                exp -= 1
            }
            if exp > 350 {
                out.append(contentsOf: "Inf".utf8)
                return String(decoding: out, as: UTF8.self)
            }
        }
        var exponentForm = false
        let removeTrailingZeros: Bool
        if generic {
            realvalue += LongDouble(rounder)
            if realvalue >= c(10.0) {
                realvalue *= c(0.1)
                exp += 1
            }
            removeTrailingZeros = true
            if exp < -4 || exp > precision {
                exponentForm = true
            } else {
                precision -= exp
            }
        } else {
            removeTrailingZeros = altForm2
        }
        var e2 = exponentForm ? 0 : exp
        var significantDigits = 16 + (altForm2 ? 10 : 0)
        let decimalPoint = precision > 0 || altForm2

        var lastSignificant: Int? = nil
        var roundUpAtLimit = false
        var limitReached = false
        func emitDigit() {
            if significantDigits <= 0 {
                if !limitReached {
                    limitReached = true
                    roundUpAtLimit = Int(realvalue) >= 5
                }
                out.append(UInt8(ascii: "0"))
                return
            }
            significantDigits -= 1
            var d = Int(realvalue)
            d = min(max(d, 0), 9)
            realvalue = (realvalue - LongDouble(d)) * c(10.0)
            out.append(UInt8(ascii: "0") + UInt8(d))
            if significantDigits == 0 { lastSignificant = out.count - 1 }
        }

        if e2 < 0 {
            out.append(UInt8(ascii: "0"))
        } else {
            while e2 >= 0 {
                emitDigit()
                e2 -= 1
            }
        }
        if decimalPoint { out.append(UInt8(ascii: ".")) }
        e2 += 1
        while e2 < 0 {
            out.append(UInt8(ascii: "0"))
            precision -= 1
            e2 += 1
        }
        while precision > 0 {
            emitDigit()
            precision -= 1
        }
        if roundUpAtLimit, var k = lastSignificant {
            // Round half-up at the last significant digit, as newer SQLite does and as the
            // corpus expects (e.g. -9223372036854775808.0 prints -9223372036854776000.000).
            while true {
                if k < 0 || out[k] == UInt8(ascii: "-") {
                    out.insert(UInt8(ascii: "1"), at: k + 1)
                    break
                }
                if out[k] == UInt8(ascii: ".") {
                    k -= 1
                } else if out[k] == UInt8(ascii: "9") {
                    out[k] = UInt8(ascii: "0")
                    k -= 1
                } else {
                    out[k] += 1
                    break
                }
            }
        }
        if removeTrailingZeros && decimalPoint {
            while out.last == UInt8(ascii: "0") { out.removeLast() }
            if out.last == UInt8(ascii: ".") {
                if altForm2 {
                    out.append(UInt8(ascii: "0"))
                } else {
                    out.removeLast()
                }
            }
        }
        if exponentForm {
            out.append(UInt8(ascii: "e"))
            var e = exp
            if e < 0 {
                out.append(UInt8(ascii: "-"))
                e = -e
            } else {
                out.append(UInt8(ascii: "+"))
            }
            if e >= 100 {
                out.append(UInt8(ascii: "0") + UInt8(e / 100))
                e %= 100
            }
            out.append(UInt8(ascii: "0") + UInt8(e / 10))
            out.append(UInt8(ascii: "0") + UInt8(e % 10))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
