/// Conversions between day counts / microsecond timestamps and calendar fields, and PostgreSQL's text
/// forms of dates and timestamps.
///
/// The calendar is the proleptic Gregorian one (PostgreSQL's), with astronomical year numbering inside
/// (year 0 = 1 BC); text uses PostgreSQL's "YYYY-MM-DD" with a " BC" suffix for years ≤ 0.
/// Algorithms: Howard Hinnant's days_from_civil / civil_from_days, exact for the whole Int32 day range.
enum CivilCalendar {
    static let microsecondsPerDay: Int64 = 86_400_000_000

    /// Days since 1970-01-01 of the given civil date (no range check of month/day).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count.
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Floor division of a timestamp into (days, microseconds within the day ≥ 0).
    static func split(_ micros: Int64) -> (days: Int64, time: Int64) {
        var d = micros / microsecondsPerDay
        var t = micros % microsecondsPerDay
        if t < 0 { d -= 1; t += microsecondsPerDay }
        return (d, t)
    }

    // MARK: Formatting

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// "YYYY-MM-DD" (with " BC" for years ≤ 0).
    static func formatDate(days: Int64) -> String {
        let (y, m, d) = civil(days: days)
        let bc = y <= 0
        let year = bc ? 1 - y : y
        return "\(pad(year, 4))-\(pad(m, 2))-\(pad(d, 2))" + (bc ? " BC" : "")
    }

    /// "YYYY-MM-DD HH:MM:SS[.ffffff]" with trailing fraction zeros removed (PostgreSQL's output).
    static func formatTimestamp(_ micros: Int64) -> String {
        let (days, time) = split(micros)
        let (y, m, d) = civil(days: days)
        let bc = y <= 0
        let year = bc ? 1 - y : y
        let seconds = time / 1_000_000
        var fraction = time % 1_000_000
        var text = "\(pad(year, 4))-\(pad(m, 2))-\(pad(d, 2)) \(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
        if fraction != 0 {
            var digits = 6
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            text += "." + pad(fraction, digits)
        }
        if bc { text += " BC" }
        return text
    }

    // MARK: Parsing

    /// A small cursor over ASCII bytes.
    struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var atEnd: Bool { i >= bytes.count }
        mutating func digits(min: Int, max: Int) -> Int64? {
            var v: Int64 = 0, n = 0
            while i < bytes.count, n < max, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                v = v * 10 + Int64(bytes[i] - 0x30)
                i += 1
                n += 1
            }
            return n >= min ? v : nil
        }
        mutating func take(_ c: UInt8) -> Bool {
            if i < bytes.count, bytes[i] == c { i += 1; return true }
            return false
        }
        mutating func skipSpaces() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
    }

    enum ParseFailure: Error { case syntax, range }

    /// Parses "YYYY-MM-DD" at the scanner; the day is validated once the era is known (`validated`),
    /// because whether a year is a leap year depends on it (2 BC is astronomical year -1).
    static func parseDate(_ s: inout Scanner) throws(ParseFailure) -> (year: Int64, month: Int64, day: Int64) {
        guard let y = s.digits(min: 1, max: 7), s.take(UInt8(ascii: "-")),
              let m = s.digits(min: 1, max: 2), s.take(UInt8(ascii: "-")),
              let d = s.digits(min: 1, max: 2) else { throw .syntax }
        return (y, m, d)
    }

    /// Days since 1970-01-01 of a parsed date in its era, validating month and day.
    static func validated(_ date: (year: Int64, month: Int64, day: Int64), bc: Bool) throws(ParseFailure) -> Int64 {
        let year = bc ? 1 - date.year : date.year
        guard date.month >= 1, date.month <= 12, date.day >= 1, date.day <= daysInMonth(year, date.month) else { throw .range }
        return days(year: year, month: date.month, day: date.day)
    }

    /// Parses an optional " BC"/" AD" era suffix and the end of input; returns whether it was BC.
    static func parseEra(_ s: inout Scanner) throws(ParseFailure) -> Bool {
        s.skipSpaces()
        if s.atEnd { return false }
        let rest = String(decoding: s.bytes[s.i...], as: UTF8.self).uppercased()
        if rest == "BC" { s.i = s.bytes.count; return true }
        if rest == "AD" { s.i = s.bytes.count; return false }
        throw .syntax
    }

    /// PostgreSQL date input restricted to ISO: "YYYY-MM-DD", optionally followed by a time (ignored,
    /// validated) and " BC". Returns days since 1970-01-01.
    static func parseDateText(_ text: String) throws(ParseFailure) -> Int64 {
        var s = Scanner(bytes: Array(text.utf8))
        s.skipSpaces()
        let date = try parseDate(&s)
        if s.take(UInt8(ascii: " ")) || s.take(UInt8(ascii: "T")) || s.take(UInt8(ascii: "t")) {
            s.skipSpaces()
            if !s.atEnd, s.bytes[s.i] >= 0x30, s.bytes[s.i] <= 0x39 { _ = try parseTime(&s) }
        }
        return try validated(date, bc: try parseEra(&s))
    }

    /// "HH:MM[:SS[.ffffff]]" → microseconds within the day (24:00:00 allowed, as PostgreSQL does).
    static func parseTime(_ s: inout Scanner) throws(ParseFailure) -> Int64 {
        guard let h = s.digits(min: 1, max: 2), s.take(UInt8(ascii: ":")),
              let mi = s.digits(min: 2, max: 2) else { throw .syntax }
        var sec: Int64 = 0, micros: Int64 = 0
        if s.take(UInt8(ascii: ":")) {
            guard let v = s.digits(min: 2, max: 2) else { throw .syntax }
            sec = v
            if s.take(UInt8(ascii: ".")) {
                var n = 0
                var roundUp = false
                while !s.atEnd, s.bytes[s.i] >= 0x30, s.bytes[s.i] <= 0x39 {
                    let digit = Int64(s.bytes[s.i] - 0x30)
                    if n < 6 { micros = micros * 10 + digit } else if n == 6 { roundUp = digit >= 5 }
                    n += 1
                    s.i += 1
                }
                guard n > 0 else { throw .syntax }
                for _ in min(n, 6)..<6 { micros *= 10 }
                if roundUp { micros += 1 }
            }
        }
        guard h <= 24, mi <= 59, sec <= 60 else { throw .range }
        let total = ((h * 60 + mi) * 60 + sec) * 1_000_000 + micros
        guard total <= microsecondsPerDay else { throw .range }
        return total
    }

    /// PostgreSQL timestamp input restricted to ISO: "YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][ BC]".
    static func parseTimestampText(_ text: String) throws(ParseFailure) -> Int64 {
        var s = Scanner(bytes: Array(text.utf8))
        s.skipSpaces()
        let date = try parseDate(&s)
        var time: Int64 = 0
        if s.take(UInt8(ascii: "T")) || s.take(UInt8(ascii: "t")) {
            time = try parseTime(&s)
        } else if s.take(UInt8(ascii: " ")) {
            s.skipSpaces()
            if !s.atEnd, s.bytes[s.i] >= 0x30, s.bytes[s.i] <= 0x39 { time = try parseTime(&s) }
        }
        let days = try validated(date, bc: try parseEra(&s))
        let (p, o1) = days.multipliedReportingOverflow(by: microsecondsPerDay)
        let (r, o2) = p.addingReportingOverflow(time)
        if o1 || o2 { throw .range }
        return r
    }
}
