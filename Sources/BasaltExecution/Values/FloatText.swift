/// PostgreSQL's text forms of `double precision` and `real`.
///
/// Output follows PostgreSQL 12+ with the default extra_float_digits = 1: the shortest digit string
/// that reads back to the same value (Swift's `description` computes exactly those digits), written in
/// positional notation when the decimal exponent is in -4...14 for double (-4...5 for real: PostgreSQL
/// switches at the type's DBL_DIG/FLT_DIG) and as `d.ddde±XX` otherwise; integral values have no ".0";
/// special values are "NaN", "Infinity", "-Infinity"; negative zero is "-0".
enum FloatText {
    /// The PostgreSQL output of a float8.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return layout(value.description, positionalLimit: 15)
    }

    /// The PostgreSQL output of a float4 (the value as stored, a Double holding a Float).
    static func format(real value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return layout(Float(value).description, positionalLimit: 6)
    }

    /// Re-lays out Swift's shortest representation ("1.5e-07", "100.0", "-0.0") in PostgreSQL's style.
    static func layout(_ swift: String, positionalLimit: Int) -> String {
        var text = Substring(swift)
        var negative = false
        if text.first == "-" { negative = true; text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = text[..<e]
        }
        // Digits and the position of the decimal point within them.
        var digits: [UInt8] = []
        var pointPosition: Int? = nil
        for c in text.utf8 {
            if c == UInt8(ascii: ".") { pointPosition = digits.count } else { digits.append(c - 0x30) }
        }
        var point = (pointPosition ?? digits.count) + exponent
        // Strip leading zeros (moving the point) and trailing zeros.
        while digits.count > 1, digits.first == 0 { digits.removeFirst(); point -= 1 }
        while digits.count > 1, digits.last == 0 { digits.removeLast() }
        if digits == [0] { return negative ? "-0" : "0" }
        // value = 0.d1d2d3… × 10^point; scientific exponent = point - 1.
        let sciExponent = point - 1
        var out = negative ? "-" : ""
        if sciExponent < -4 || sciExponent >= positionalLimit {
            out.append(Character(Unicode.Scalar(digits[0] + 0x30)))
            if digits.count > 1 {
                out.append(".")
                for d in digits.dropFirst() { out.append(Character(Unicode.Scalar(d + 0x30))) }
            }
            out += sciExponent < 0 ? "e-" : "e+"
            let magnitude = abs(sciExponent)
            if magnitude < 10 { out += "0" }
            out += String(magnitude)
            return out
        }
        if point <= 0 {
            out += "0." + String(repeating: "0", count: -point)
            for d in digits { out.append(Character(Unicode.Scalar(d + 0x30))) }
        } else if point >= digits.count {
            for d in digits { out.append(Character(Unicode.Scalar(d + 0x30))) }
            out += String(repeating: "0", count: point - digits.count)
        } else {
            for (i, d) in digits.enumerated() {
                if i == point { out += "." }
                out.append(Character(Unicode.Scalar(d + 0x30)))
            }
        }
        return out
    }

    enum ParseResult { case value(Double), syntax, outOfRange }

    /// PostgreSQL float8 input: surrounding whitespace, "NaN", "[+-]Infinity", "[+-]inf" (any case), or a
    /// decimal number with optional exponent. Finite text that overflows to infinity is out of range.
    static func parse(_ text: String) -> ParseResult {
        let trimmed = trimASCIIWhitespace(text)
        switch trimmed.lowercased() {
        case "nan", "+nan", "-nan": return .value(.nan)
        case "infinity", "+infinity", "inf", "+inf": return .value(.infinity)
        case "-infinity", "-inf": return .value(-.infinity)
        default: break
        }
        // Validate the grammar ourselves: Swift's Double(String) also takes hex floats and "nan(…)".
        var sawDigit = false, sawPoint = false
        var i = trimmed.utf8.startIndex
        let u = trimmed.utf8
        if i < u.endIndex, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i = u.index(after: i) }
        while i < u.endIndex {
            let c = u[i]
            if c >= 0x30 && c <= 0x39 { sawDigit = true } else if c == UInt8(ascii: ".") && !sawPoint { sawPoint = true } else { break }
            i = u.index(after: i)
        }
        guard sawDigit else { return .syntax }
        if i < u.endIndex, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i = u.index(after: i)
            if i < u.endIndex, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i = u.index(after: i) }
            var expDigit = false
            while i < u.endIndex, u[i] >= 0x30 && u[i] <= 0x39 { expDigit = true; i = u.index(after: i) }
            guard expDigit else { return .syntax }
        }
        guard i == u.endIndex, let v = Double(trimmed) else { return .syntax }
        if v.isInfinite { return .outOfRange }
        if v == 0 {
            // Underflow: a non-zero mantissa digit that rounded to zero ("1e-400").
            let mantissa = trimmed.utf8.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
            if mantissa.contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) { return .outOfRange }
        }
        return .value(v)
    }

    static func trimASCIIWhitespace(_ text: String) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        var s = Substring(text)
        while let f = s.first, isSpace(f) { s = s.dropFirst() }
        while let l = s.last, isSpace(l) { s = s.dropLast() }
        return s
    }
}
