#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The built-in date and time functions.
///
/// - now(), current_timestamp, transaction_timestamp(), localtimestamp: the transaction's start time
///   (stable within a transaction, so not volatile); statement_timestamp(): the statement's start time;
///   clock_timestamp(): the wall clock at the call (volatile). All are timestamps without time zone in
///   UTC (Basalt has no time zones yet).
/// - current_date: the date of the transaction's start time.
/// - date_part(field, date|timestamp) → double precision and extract(field, date|timestamp) → numeric
///   (PostgreSQL 14+): fields year, month, day, hour, minute, second, milliseconds, microseconds, dow,
///   isodow, doy, week, isoyear, quarter, decade, century, millennium, epoch (plural and singular
///   spellings); an unknown field is 22023.
/// - date_trunc(field, date|timestamp) → timestamp: microseconds … millennium.
enum DateTimeFunctions {
    typealias S = FunctionSupport

    static var all: [ScalarFunction] {
        var list: [ScalarFunction] = []
        for name in ["now", "current_timestamp", "transaction_timestamp", "localtimestamp"] {
            list.append(ScalarFunction(name: name, arity: 0...0, returnType: S.signature(name, [], returns: .timestamp)) {
                (_, context) throws(ExecutionError) -> SQLValue in .timestamp(context.transactionTime)
            })
        }
        list.append(ScalarFunction(name: "statement_timestamp", arity: 0...0,
                                   returnType: S.signature("statement_timestamp", [], returns: .timestamp)) {
            (_, context) throws(ExecutionError) -> SQLValue in .timestamp(context.statementTime)
        })
        list.append(ScalarFunction(name: "clock_timestamp", arity: 0...0, isVolatile: true,
                                   returnType: S.signature("clock_timestamp", [], returns: .timestamp)) {
            (_, _) throws(ExecutionError) -> SQLValue in .timestamp(wallClockMicroseconds())
        })
        list.append(ScalarFunction(name: "current_date", arity: 0...0, returnType: S.signature("current_date", [], returns: .date)) {
            (_, context) throws(ExecutionError) -> SQLValue in
            .date(Int32(truncatingIfNeeded: CivilCalendar.split(context.transactionTime).days))
        })
        list.append(ScalarFunction(name: "date_part", arity: 2...2,
                                   returnType: S.signature("date_part", [.text, .dateTime], returns: .double)) {
            (a, _) throws(ExecutionError) -> SQLValue in
            .double(try field(S.text(a[0]), of: try timestamp(a[1])).doubleValue)
        })
        list.append(ScalarFunction(name: "extract", arity: 2...2,
                                   returnType: S.signature("extract", [.text, .dateTime], returns: .numeric(precision: nil, scale: nil))) {
            (a, _) throws(ExecutionError) -> SQLValue in
            .numeric(try field(S.text(a[0]), of: try timestamp(a[1])))
        })
        list.append(ScalarFunction(name: "date_trunc", arity: 2...2,
                                   returnType: S.signature("date_trunc", [.text, .dateTime], returns: .timestamp)) {
            (a, _) throws(ExecutionError) -> SQLValue in
            .timestamp(try truncate(S.text(a[0]), try timestamp(a[1])))
        })
        return list
    }

    /// Microseconds since the epoch by the system's real-time clock.
    static func wallClockMicroseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }

    /// The argument as a timestamp (dates at midnight; text parsed as a timestamp).
    static func timestamp(_ v: SQLValue) throws(ExecutionError) -> Int64 {
        guard case let .timestamp(t) = try v.cast(to: .timestamp, explicit: true) else {
            throw .datatypeMismatch("argument of type \(v.storageTypeName) is not a date or timestamp")
        }
        return t
    }

    static func unknownUnit(_ name: String) -> ExecutionError {
        .invalidParameter("unit \"\(name)\" not recognized for type timestamp without time zone")
    }

    /// Canonical unit names: "years" → "year", "secs" → "second", …
    static func unit(_ raw: String) -> String {
        let s = String(FloatText.trimASCIIWhitespace(raw.lowercased()))
        switch s {
        case "y", "year", "years", "yr", "yrs": return "year"
        case "mon", "mons", "month", "months": return "month"
        case "d", "day", "days": return "day"
        case "h", "hour", "hours", "hr", "hrs": return "hour"
        case "m", "min", "mins", "minute", "minutes": return "minute"
        case "s", "sec", "secs", "second", "seconds": return "second"
        case "ms", "msec", "msecs", "millisecond", "milliseconds": return "milliseconds"
        case "us", "usec", "usecs", "microsecond", "microseconds": return "microseconds"
        case "w", "week", "weeks": return "week"
        case "qtr", "quarter": return "quarter"
        case "decade", "decades": return "decade"
        case "century", "centuries": return "century"
        case "millennium", "millennia", "millenniums": return "millennium"
        default: return s
        }
    }

    /// Days since the epoch of ISO week-numbering facts: (ISO year, ISO week) of `days`.
    static func isoWeek(_ days: Int64) -> (year: Int64, week: Int64) {
        let weekday = ((days + 3) % 7 + 7) % 7 + 1  // Monday = 1 … Sunday = 7; 1970-01-01 was a Thursday
        let thursday = days - (weekday - 1) + 3
        let year = CivilCalendar.civil(days: thursday).year
        let week = (thursday - CivilCalendar.days(year: year, month: 1, day: 1)) / 7 + 1
        return (year, week)
    }

    /// The value of a date_part field, exactly (seconds and epoch keep their microseconds).
    static func field(_ name: String, of t: Int64) throws(ExecutionError) -> SQLDecimal {
        let (days, time) = CivilCalendar.split(t)
        let (y, m, d) = CivilCalendar.civil(days: days)
        let year = y > 0 ? y : y - 1  // no year 0: 1 BC is -1
        func micros(_ v: Int64) -> SQLDecimal { SQLDecimal(significand: v, scale: 6) }
        switch unit(name) {
        case "year": return SQLDecimal(year)
        case "month": return SQLDecimal(m)
        case "day": return SQLDecimal(d)
        case "hour": return SQLDecimal(time / 3_600_000_000)
        case "minute": return SQLDecimal(time / 60_000_000 % 60)
        case "second": return micros(time % 60_000_000)
        case "milliseconds": return SQLDecimal(significand: time % 60_000_000, scale: 3)
        case "microseconds": return SQLDecimal(time % 60_000_000)
        case "dow": return SQLDecimal(((days + 4) % 7 + 7) % 7)
        case "isodow": return SQLDecimal(((days + 3) % 7 + 7) % 7 + 1)
        case "doy": return SQLDecimal(days - CivilCalendar.days(year: y, month: 1, day: 1) + 1)
        case "week": return SQLDecimal(isoWeek(days).week)
        case "isoyear":
            let iy = isoWeek(days).year
            return SQLDecimal(iy > 0 ? iy : iy - 1)
        case "quarter": return SQLDecimal((m - 1) / 3 + 1)
        case "decade": return SQLDecimal(y >= 0 ? y / 10 : -((9 - y) / 10))
        case "century": return SQLDecimal(y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100))
        case "millennium": return SQLDecimal(y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000))
        case "epoch": return micros(t)
        default: throw unknownUnit(name)
        }
    }

    /// date_trunc: the timestamp with every field below `name` reset.
    static func truncate(_ name: String, _ t: Int64) throws(ExecutionError) -> Int64 {
        let (days, time) = CivilCalendar.split(t)
        let (y, m, _) = CivilCalendar.civil(days: days)
        let day = CivilCalendar.microsecondsPerDay
        func at(_ d: Int64) -> Int64 { d * day }
        switch unit(name) {
        case "microseconds": return t
        case "milliseconds": return days * day + time / 1000 * 1000
        case "second": return days * day + time / 1_000_000 * 1_000_000
        case "minute": return days * day + time / 60_000_000 * 60_000_000
        case "hour": return days * day + time / 3_600_000_000 * 3_600_000_000
        case "day": return at(days)
        case "week": return at(days - (((days + 3) % 7 + 7) % 7))
        case "month": return at(CivilCalendar.days(year: y, month: m, day: 1))
        case "quarter": return at(CivilCalendar.days(year: y, month: (m - 1) / 3 * 3 + 1, day: 1))
        case "year": return at(CivilCalendar.days(year: y, month: 1, day: 1))
        case "decade": return at(CivilCalendar.days(year: y >= 0 ? y / 10 * 10 : -((9 - y) / 10) * 10, month: 1, day: 1))
        case "century": return at(CivilCalendar.days(year: (y > 0 ? (y - 1) / 100 : -((99 - y) / 100) - 1) * 100 + 1, month: 1, day: 1))
        case "millennium": return at(CivilCalendar.days(year: (y > 0 ? (y - 1) / 1000 : -((999 - y) / 1000) - 1) * 1000 + 1, month: 1, day: 1))
        default: throw unknownUnit(name)
        }
    }
}
