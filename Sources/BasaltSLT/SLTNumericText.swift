/// SQLite's conversions of text (and blob bytes) to numbers, as `sqlite3_column_int64` and
/// `sqlite3_column_double` apply them to TEXT and BLOB values.
enum SLTNumericText {
    /// `sqlite3Atoi64`: leading whitespace, an optional sign, then the longest run of digits;
    /// anything after is ignored and no digits give 0. Out-of-range values saturate.
    /// So `"12abc"` → 12, `"abc"` → 0, `"1e3"` → 1, `"1.9"` → 1, `"-1.9"` → -1.
    static func int64(_ bytes: some Collection<UInt8>) -> Int64 {
        var i = bytes.startIndex
        while i != bytes.endIndex && SLTScriptParser.isSpace(bytes[i]) { i = bytes.index(after: i) }
        var negative = false
        if i != bytes.endIndex && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
            negative = bytes[i] == UInt8(ascii: "-")
            i = bytes.index(after: i)
        }
        var magnitude: UInt64 = 0
        var overflow = false
        while i != bytes.endIndex, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let d = UInt64(bytes[i] - UInt8(ascii: "0"))
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(d)
            if o1 || o2 { overflow = true }
            magnitude = sum
            i = bytes.index(after: i)
        }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if overflow || magnitude > limit {
            return negative ? Int64.min : Int64.max
        }
        if negative {
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return Int64(magnitude)
    }

    /// `sqlite3AtoF`: leading whitespace, then the longest prefix that reads as a decimal number
    /// (sign, digits, `.` digits, exponent with digits); no number gives 0.0.
    /// So `"1e3"` → 1000, `"12abc"` → 12, `".5"` → 0.5, `"1e"` → 1, `"1e400"` → +infinity.
    static func double(_ bytes: some Collection<UInt8>) -> Double {
        let b = Array(bytes)
        var i = 0
        while i < b.count && SLTScriptParser.isSpace(b[i]) { i += 1 }
        var text: [UInt8] = []
        if i < b.count && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
            if b[i] == UInt8(ascii: "-") { text.append(UInt8(ascii: "-")) }
            i += 1
        }
        func isDigit(_ j: Int) -> Bool { j < b.count && b[j] >= UInt8(ascii: "0") && b[j] <= UInt8(ascii: "9") }
        var digits = 0
        var integerPart: [UInt8] = []
        while isDigit(i) {
            integerPart.append(b[i])
            i += 1
            digits += 1
        }
        var fraction: [UInt8] = []
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            while isDigit(i) {
                fraction.append(b[i])
                i += 1
                digits += 1
            }
        }
        guard digits > 0 else { return 0 }
        text.append(contentsOf: integerPart.isEmpty ? [UInt8(ascii: "0")] : integerPart)
        if !fraction.isEmpty {
            text.append(UInt8(ascii: "."))
            text.append(contentsOf: fraction)
        }
        if i < b.count && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            var j = i + 1
            var exponent: [UInt8] = [UInt8(ascii: "e")]
            if j < b.count && (b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: "+")) {
                exponent.append(b[j])
                j += 1
            }
            var expDigits = 0
            while isDigit(j) {
                if expDigits < 6 { exponent.append(b[j]) }
                expDigits += 1
                j += 1
            }
            if expDigits > 0 { text.append(contentsOf: exponent) }
        }
        return Double(String(decoding: text, as: UTF8.self)) ?? 0
    }

    /// SQLite's `doubleToInt64`: truncation toward zero, saturating at the Int64 range
    /// (NaN, which SQLite never stores, gives 0).
    static func int64(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value <= -9.223_372_036_854_775_808e18 { return Int64.min }
        if value >= 9.223_372_036_854_775_808e18 { return Int64.max }
        return Int64(value)
    }
}
