import Testing
@testable import BasaltExecution

@Suite struct FunctionTests {
    let context = FunctionContext(statementTime: 1_700_000_000_123_456, transactionTime: 1_700_000_000_000_000)

    func call(_ name: String, _ args: SQLValue...) throws(ExecutionError) -> SQLValue {
        guard let f = FunctionRegistry.builtins.lookup(name) else { throw .undefinedFunction(name) }
        return try f.call(args, context: context)
    }

    func type(_ name: String, _ types: SQLType...) throws(ExecutionError) -> SQLType {
        try FunctionRegistry.builtins.lookup(name)!.returnType(types)
    }

    @Test func registry() {
        var r = FunctionRegistry()
        #expect(r.lookup("abs") == nil)
        r.register(FunctionRegistry.builtins.lookup("abs")!)
        #expect(r.lookup("ABS")?.name == "abs")
        #expect(FunctionRegistry.builtins.lookup("lower") != nil)
        #expect(FunctionRegistry.builtins.lookup("random")!.isVolatile && !FunctionRegistry.builtins.lookup("now")!.isVolatile)
        #expect(sqlState { try FunctionRegistry.builtins.lookup("abs")!.call([], context: context) } == "42883")
    }

    @Test func math() throws {
        #expect(try call("abs", .integer(-5)) == .integer(5))
        #expect(try call("abs", .double(-1.5)) == .double(1.5))
        #expect(try call("abs", .numeric(dec("-1.50"))).textValue == "1.50")
        #expect(sqlState { try call("abs", .integer(.min)) } == "22003")
        #expect(try call("round", .double(2.5)) == .double(2))    // rint
        #expect(try call("round", .double(3.5)) == .double(4))
        #expect(try call("round", .numeric(dec("2.5"))).textValue == "3")  // half away from zero
        #expect(try call("round", .numeric(dec("-2.5"))).textValue == "-3")
        #expect(try call("round", .numeric(dec("3.14159")), .integer(2)).textValue == "3.14")
        #expect(try call("round", .double(2.675), .integer(2)).textValue == "2.68")  // via numeric (15 digits)
        #expect(try call("round", .numeric(dec("1234.5")), .integer(-2)).textValue == "1200")
        #expect(try call("round", .integer(7), .integer(1)).textValue == "7.0")
        #expect(try call("ceil", .double(1.2)) == .double(2) && call("ceiling", .double(-1.2)) == .double(-1))
        #expect(try call("ceil", .numeric(dec("-1.5"))).textValue == "-1")
        #expect(try call("floor", .double(-1.2)) == .double(-2) && call("floor", .numeric(dec("1.9"))).textValue == "1")
        #expect(try call("trunc", .double(-1.7)) == .double(-1) && call("trunc", .numeric(dec("1.789")), .integer(2)).textValue == "1.78")
        #expect(try call("sign", .double(-3)) == .double(-1) && call("sign", .numeric(dec("0.5"))).textValue == "1")
        #expect(try call("sqrt", .double(16)) == .double(4))
        #expect(thrown { try call("sqrt", .double(-1)) }?.sqlState == "2201F")
        #expect(try call("power", .double(2), .double(10)) == .double(1024) && call("pow", .integer(2), .integer(3)) == .double(8))
        #expect(sqlState { try call("power", .double(0), .double(-1)) } == "2201F")
        #expect(sqlState { try call("power", .double(-8), .double(1.0 / 3)) } == "2201F")
        #expect(sqlState { try call("power", .double(10), .double(400)) } == "22003")
        #expect(try call("exp", .double(0)) == .double(1))
        #expect(sqlState { try call("exp", .double(1000)) } == "22003")
        #expect(try call("ln", .double(1)) == .double(0))
        #expect(thrown { try call("ln", .double(0)) }?.sqlState == "2201E")
        #expect(thrown { try call("log", .double(-1)) }?.sqlState == "2201E")
        #expect(try call("log", .double(1000)) == .double(3))
        #expect(try call("log", .double(2), .double(8)) == .double(3))
        #expect(try call("mod", .integer(-7), .integer(3)) == .integer(-1))
        #expect(sqlState { try call("mod", .integer(1), .integer(0)) } == "22012")
        #expect(try call("pi") == .double(Double.pi))
        if case let .double(r) = try call("random") { #expect(r >= 0 && r < 1) } else { Issue.record("random is a double") }
        #expect(try type("round", .integer) == .double && type("round", .numeric(precision: 5, scale: 2)) == .numeric(precision: nil, scale: nil))
        #expect(try type("abs", .integer) == .integer)
        #expect(sqlState { try type("abs", .text) } == "42883")
        #expect(try call("abs", .null) == .null)  // strict
    }

    /// `length` counts code points eight bytes at a time where it can: every mix of ASCII and
    /// multi-byte characters, across word boundaries, against the scalar count.
    @Test func lengthCountsCodePointsAcrossWords() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "日", "😀", "z", "ß"]
        for _ in 0..<500 {
            let text = String((0..<Int.random(in: 0...40, using: &rng)).map { _ in Character(pieces.randomElement(using: &rng)!) })
            #expect(try call("length", .text(text)) == .integer(Int64(text.unicodeScalars.count)), "\(text)")
        }
    }

    @Test func strings() throws {
        #expect(try call("length", .text("héllo")) == .integer(5) && call("char_length", .text("")) == .integer(0))
        #expect(try call("character_length", .text("日本")) == .integer(2))
        #expect(try call("octet_length", .text("héllo")) == .integer(6))
        #expect(try call("length", .blob([1, 2, 3])) == .integer(3))
        #expect(try call("lower", .text("ÀBC")) == .text("àbc") && call("upper", .text("àbc")) == .text("ÀBC"))
        #expect(try call("initcap", .text("hello wORLD-foo bar2x")) == .text("Hello World-Foo Bar2x"))
        #expect(try call("substr", .text("hello"), .integer(2), .integer(3)) == .text("ell"))
        #expect(try call("substring", .text("hello"), .integer(0), .integer(3)) == .text("he"))  // PG: start < 1 eats count
        #expect(try call("substr", .text("hello"), .integer(-5), .integer(3)) == .text(""))
        #expect(try call("substr", .text("hello"), .integer(3)) == .text("llo"))
        #expect(try call("substr", .text("日本語"), .integer(2), .integer(1)) == .text("本"))
        #expect(sqlState { try call("substr", .text("hello"), .integer(1), .integer(-1)) } == "22011")
        #expect(try call("strpos", .text("héllo"), .text("llo")) == .integer(3))
        #expect(try call("position", .text("llo"), .text("héllo")) == .integer(3))
        #expect(try call("strpos", .text("abc"), .text("x")) == .integer(0) && call("strpos", .text("abc"), .text("")) == .integer(1))
        #expect(try call("left", .text("hello"), .integer(2)) == .text("he") && call("left", .text("hello"), .integer(-2)) == .text("hel"))
        #expect(try call("right", .text("hello"), .integer(2)) == .text("lo") && call("right", .text("hello"), .integer(-2)) == .text("llo"))
        #expect(try call("trim", .text("  a b  ")) == .text("a b") && call("btrim", .text("xxaxx"), .text("x")) == .text("a"))
        #expect(try call("ltrim", .text("  a ")) == .text("a ") && call("rtrim", .text("  a ")) == .text("  a"))
        #expect(try call("rtrim", .text("abcxyx"), .text("xy")) == .text("abc"))
        #expect(try call("replace", .text("abcabc"), .text("b"), .text("XY")) == .text("aXYcaXYc"))
        #expect(try call("replace", .text("abc"), .text(""), .text("X")) == .text("abc"))
        #expect(try call("concat", .text("a"), .null, .integer(1), .boolean(true)) == .text("a1t"))
        #expect(try call("concat_ws", .text(","), .text("a"), .null, .text("b")) == .text("a,b"))
        #expect(try call("concat_ws", .null, .text("a")) == .null)
        #expect(try call("repeat", .text("ab"), .integer(3)) == .text("ababab") && call("repeat", .text("ab"), .integer(-1)) == .text(""))
        #expect(sqlState { try call("repeat", .text("ab"), .integer(Int64.max / 2)) } == "54000")
        #expect(try call("reverse", .text("abc日")) == .text("日cba"))
        #expect(try call("lpad", .text("hi"), .integer(5)) == .text("   hi") && call("lpad", .text("hi"), .integer(5), .text("xy")) == .text("xyxhi"))
        #expect(try call("lpad", .text("hello"), .integer(2)) == .text("he"))
        #expect(try call("rpad", .text("hi"), .integer(5), .text("xy")) == .text("hixyx"))
        #expect(try call("split_part", .text("a,b,c"), .text(","), .integer(2)) == .text("b"))
        #expect(try call("split_part", .text("a,b,c"), .text(","), .integer(-1)) == .text("c"))
        #expect(try call("split_part", .text("a,b,c"), .text(","), .integer(4)) == .text(""))
        #expect(sqlState { try call("split_part", .text("a"), .text(","), .integer(0)) } == "22023")
        #expect(try call("starts_with", .text("alphabet"), .text("alph")) == .boolean(true))
        #expect(try call("starts_with", .text("alphabet"), .text("b")) == .boolean(false))
        #expect(try call("md5", .text("")) == .text("d41d8cd98f00b204e9800998ecf8427e"))
        #expect(try call("md5", .text("The quick brown fox jumps over the lazy dog")) == .text("9e107d9d372bb6826bd81d3542a419d6"))
        #expect(try call("md5", .text(String(repeating: "a", count: 1000))) == .text("cabe45dcc9ae5b66ba86600cca6b8ba8"))
        #expect(try call("chr", .integer(65)) == .text("A") && call("chr", .integer(0x65E5)) == .text("日"))
        #expect(sqlState { try call("chr", .integer(0)) } == "54000")
        #expect(try call("ascii", .text("A")) == .integer(65) && call("ascii", .text("")) == .integer(0))
        #expect(try call("to_hex", .integer(255)) == .text("ff") && call("to_hex", .integer(-1)) == .text("ffffffffffffffff"))
        #expect(try call("lower", .null) == .null && call("substr", .text("x"), .null) == .null)
        #expect(sqlState { try type("lower", .integer) } == "42883")
        #expect(try type("length", .varchar(3)) == .integer)
    }

    @Test func dateTime() throws {
        #expect(try call("now") == .timestamp(context.transactionTime))
        #expect(try call("current_timestamp") == .timestamp(context.transactionTime))
        #expect(try call("transaction_timestamp") == .timestamp(context.transactionTime))
        #expect(try call("localtimestamp") == .timestamp(context.transactionTime))
        #expect(try call("statement_timestamp") == .timestamp(context.statementTime))
        #expect(try call("current_date") == .date(19675))  // 2023-11-14
        if case let .timestamp(t) = try call("clock_timestamp") {
            #expect(t > 1_600_000_000_000_000)
        } else { Issue.record("clock_timestamp is a timestamp") }
        #expect(FunctionRegistry.builtins.lookup("clock_timestamp")!.isVolatile)
        let ts = SQLValue.timestamp(1_700_000_000_123_456)  // 2023-11-14 22:13:20.123456, a Tuesday
        #expect(try call("date_part", .text("year"), ts) == .double(2023))
        #expect(try call("date_part", .text("month"), ts) == .double(11))
        #expect(try call("date_part", .text("day"), ts) == .double(14))
        #expect(try call("date_part", .text("hour"), ts) == .double(22))
        #expect(try call("date_part", .text("minute"), ts) == .double(13))
        #expect(try call("date_part", .text("second"), ts) == .double(20.123456))
        #expect(try call("date_part", .text("dow"), ts) == .double(2))
        #expect(try call("date_part", .text("isodow"), .date(3)) == .double(7))  // 1970-01-04 was a Sunday
        #expect(try call("date_part", .text("doy"), ts) == .double(318))
        #expect(try call("date_part", .text("week"), ts) == .double(46))
        #expect(try call("date_part", .text("quarter"), ts) == .double(4))
        #expect(try call("date_part", .text("century"), ts) == .double(21))
        #expect(try call("date_part", .text("epoch"), ts) == .double(1_700_000_000.123456))
        #expect(try call("date_part", .text("year"), .date(0)) == .double(1970))
        #expect(try call("date_part", .text("year"), .text("2020-05-06")) == .double(2020))
        #expect(try call("extract", .text("second"), ts).textValue == "20.123456")
        #expect(sqlState { try call("date_part", .text("fortnight"), ts) } == "22023")
        #expect(try call("date_trunc", .text("month"), ts).textValue == "2023-11-01 00:00:00")
        #expect(try call("date_trunc", .text("hour"), ts).textValue == "2023-11-14 22:00:00")
        #expect(try call("date_trunc", .text("week"), ts).textValue == "2023-11-13 00:00:00")
        #expect(try call("date_part", .text("year"), .null) == .null)
        #expect(sqlState { try type("date_part", .text, .integer) } == "42883")
    }

    @Test func conditional() throws {
        #expect(try call("greatest", .integer(1), .null, .integer(3), .integer(2)) == .integer(3))
        #expect(try call("least", .integer(1), .null, .integer(3)) == .integer(1))
        #expect(try call("greatest", .null, .null) == .null)
        #expect(try call("greatest", .integer(1), .double(0.5)) == .double(1))
        #expect(try call("least", .text("b"), .text("a")) == .text("a"))
        #expect(try type("greatest", .integer, .double) == .double)
        #expect(sqlState { try type("greatest", .integer, .text) } == "42804")
        #expect(try call("num_nulls", .null, .integer(1), .null) == .integer(2))
        #expect(try call("num_nonnulls", .null, .integer(1), .null) == .integer(1))
    }
}
