/// The built-in string functions, with PostgreSQL's semantics. Lengths and positions count characters
/// (Unicode scalars); `octet_length` counts UTF-8 bytes. Case mapping (lower, upper, initcap) is Swift's
/// full Unicode mapping, like PostgreSQL under a UTF-8 ICU/libc locale.
enum StringFunctions {
    /// Code points in valid UTF-8: the bytes that are not continuation bytes (10xxxxxx), eight at a
    /// time where a word is all ASCII.
    static func codePointCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0, i = 0
        let n = bytes.count
        while i + 8 <= n {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if word & 0x8080_8080_8080_8080 == 0 {
                count += 8
            } else {
                // A continuation byte has bit 7 set and bit 6 clear.
                let continuation = word & ~(word << 1) & 0x8080_8080_8080_8080
                count += 8 - continuation.nonzeroBitCount
            }
            i += 8
        }
        while i < n {
            if bytes[i] & 0xC0 != 0x80 { count += 1 }
            i += 1
        }
        return count
    }

    typealias S = FunctionSupport

    static func function(_ name: String, _ arity: ClosedRange<Int>, _ classes: [S.ArgumentClass], returns: SQLType,
                         strict: Bool = true,
                         _ body: @escaping @Sendable ([SQLValue]) throws(ExecutionError) -> SQLValue) -> ScalarFunction {
        ScalarFunction(name: name, arity: arity, isStrict: strict, returnType: S.signature(name, classes, returns: returns),
                       body: { (args, _) throws(ExecutionError) -> SQLValue in try body(args) })
    }

    static var all: [ScalarFunction] {
        var list: [ScalarFunction] = []
        for name in ["length", "char_length", "character_length"] {
            list.append(ScalarFunction(
                name: name, arity: 1...1,
                returnType: { (types: [SQLType]) throws(ExecutionError) -> SQLType in
                    guard types[0] == .bytea || S.ArgumentClass.text.accepts(types[0]) else { throw S.noMatch(name, types) }
                    return .integer
                },
                body: { (args, _) throws(ExecutionError) -> SQLValue in
                    if case let .blob(b) = args[0] { return .integer(Int64(b.count)) }
                    if case .text(var text) = args[0] {
                        // Characters are code points: count the UTF-8 bytes that start one, on the
                        // contiguous storage (no per-scalar decoding).
                        let count = text.withUTF8 { StringFunctions.codePointCount(UnsafeRawBufferPointer($0)) }
                        return .integer(Int64(count))
                    }
                    return .integer(Int64(S.text(args[0]).unicodeScalars.count))
                }))
        }
        list.append(ScalarFunction(
            name: "octet_length", arity: 1...1,
            returnType: { (types: [SQLType]) throws(ExecutionError) -> SQLType in
                guard types[0] == .bytea || S.ArgumentClass.text.accepts(types[0]) else { throw S.noMatch("octet_length", types) }
                return .integer
            },
            body: { (args, _) throws(ExecutionError) -> SQLValue in
                if case let .blob(b) = args[0] { return .integer(Int64(b.count)) }
                return .integer(Int64(S.text(args[0]).utf8.count))
            }))
        list.append(function("lower", 1...1, [.text], returns: .text) { .text(S.text($0[0]).lowercased()) })
        list.append(function("upper", 1...1, [.text], returns: .text) { .text(S.text($0[0]).uppercased()) })
        list.append(function("initcap", 1...1, [.text], returns: .text) { .text(initcap(S.text($0[0]))) })
        for name in ["substr", "substring"] {
            list.append(function(name, 2...3, [.text, .integer, .integer], returns: .text) { (a) throws(ExecutionError) -> SQLValue in
                .text(try substring(S.text(a[0]), start: try S.integer(a[1]), count: a.count > 2 ? try S.integer(a[2]) : nil))
            })
        }
        // position(substring, string): the arguments in SQL reading order of POSITION(substring IN string).
        list.append(function("position", 2...2, [.text], returns: .integer) { .integer(strpos(S.text($0[1]), S.text($0[0]))) })
        list.append(function("strpos", 2...2, [.text], returns: .integer) { .integer(strpos(S.text($0[0]), S.text($0[1]))) })
        list.append(function("left", 2...2, [.text, .integer], returns: .text) { (a) throws(ExecutionError) -> SQLValue in
            let scalars = Array(S.text(a[0]).unicodeScalars)
            let n = try S.integer(a[1])
            let keep = n >= 0 ? min(Int64(scalars.count), n) : max(0, Int64(scalars.count) + n)
            return .text(string(scalars[0..<Int(keep)]))
        })
        list.append(function("right", 2...2, [.text, .integer], returns: .text) { (a) throws(ExecutionError) -> SQLValue in
            let scalars = Array(S.text(a[0]).unicodeScalars)
            let n = try S.integer(a[1])
            let keep = n >= 0 ? min(Int64(scalars.count), n) : max(0, Int64(scalars.count) + n)
            return .text(string(scalars[(scalars.count - Int(keep))...]))
        })
        for (name, leading, trailing) in [("trim", true, true), ("btrim", true, true), ("ltrim", true, false), ("rtrim", false, true)] {
            list.append(function(name, 1...2, [.text], returns: .text) { a in
                .text(trim(S.text(a[0]), characters: a.count > 1 ? S.text(a[1]) : " ", leading: leading, trailing: trailing))
            })
        }
        list.append(function("replace", 3...3, [.text], returns: .text) { a in
            let from = S.text(a[1])
            let s = S.text(a[0])
            return .text(from.isEmpty ? s : replace(s, from, S.text(a[2])))
        })
        list.append(ScalarFunction(
            name: "concat", arity: 0...255, isStrict: false,
            returnType: { (_: [SQLType]) throws(ExecutionError) -> SQLType in .text },
            body: { (args, _) throws(ExecutionError) -> SQLValue in
                var out = ""
                for v in args where !v.isNull { out += S.text(v) }
                return .text(out)
            }))
        list.append(ScalarFunction(
            name: "concat_ws", arity: 1...255, isStrict: false,
            returnType: { (types: [SQLType]) throws(ExecutionError) -> SQLType in
                guard S.ArgumentClass.text.accepts(types[0]) else { throw S.noMatch("concat_ws", types) }
                return .text
            },
            body: { (args, _) throws(ExecutionError) -> SQLValue in
                if args[0].isNull { return .null }
                let separator = S.text(args[0])
                return .text(args.dropFirst().filter { !$0.isNull }.map(S.text).joined(separator: separator))
            }))
        list.append(function("repeat", 2...2, [.text, .integer], returns: .text) { (a) throws(ExecutionError) -> SQLValue in
            let s = S.text(a[0])
            let n = try S.integer(a[1])
            if n <= 0 || s.isEmpty { return .text("") }
            let (total, overflow) = n.multipliedReportingOverflow(by: Int64(s.utf8.count))
            if overflow { throw ExecutionError("54000", "requested length too large") }
            try S.checkLength(total)
            return .text(String(repeating: s, count: Int(n)))
        })
        list.append(function("reverse", 1...1, [.text], returns: .text) { a in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: S.text(a[0]).unicodeScalars.reversed())
            return .text(String(view))
        })
        for (name, left) in [("lpad", true), ("rpad", false)] {
            list.append(function(name, 2...3, [.text, .integer, .text], returns: .text) { (a) throws(ExecutionError) -> SQLValue in
                let s = Array(S.text(a[0]).unicodeScalars)
                let n = try S.integer(a[1])
                let fill = Array((a.count > 2 ? S.text(a[2]) : " ").unicodeScalars)
                return .text(try pad(s, to: n, with: fill, left: left))
            })
        }
        list.append(function("split_part", 3...3, [.text, .text, .integer], returns: .text) { (a) throws(ExecutionError) -> SQLValue in
            try splitPart(S.text(a[0]), S.text(a[1]), try S.integer(a[2]))
        })
        list.append(function("starts_with", 2...2, [.text], returns: .boolean) { a in
            .boolean(S.text(a[0]).utf8.starts(with: S.text(a[1]).utf8))
        })
        list.append(ScalarFunction(
            name: "md5", arity: 1...1,
            returnType: { (types: [SQLType]) throws(ExecutionError) -> SQLType in
                guard types[0] == .bytea || S.ArgumentClass.text.accepts(types[0]) else { throw S.noMatch("md5", types) }
                return .text
            },
            body: { (args, _) throws(ExecutionError) -> SQLValue in
                if case let .blob(b) = args[0] { return .text(MD5.hex(b)) }
                return .text(MD5.hex(Array(S.text(args[0]).utf8)))
            }))
        list.append(function("chr", 1...1, [.integer], returns: .text) { (a) throws(ExecutionError) -> SQLValue in
            let code = try S.integer(a[0])
            if code == 0 { throw ExecutionError("54000", "null character not permitted") }
            guard let u = UInt32(exactly: code), let scalar = Unicode.Scalar(u) else {
                throw ExecutionError("54000", "requested character too large for encoding: \(code)")
            }
            return .text(String(Character(scalar)))
        })
        list.append(function("ascii", 1...1, [.text], returns: .integer) { a in
            .integer(Int64(S.text(a[0]).unicodeScalars.first?.value ?? 0))
        })
        list.append(function("to_hex", 1...1, [.integer], returns: .text) { (a) throws(ExecutionError) -> SQLValue in
            .text(String(UInt64(bitPattern: try S.integer(a[0])), radix: 16))
        })
        return list
    }

    static func string<C: Collection>(_ scalars: C) -> String where C.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// PostgreSQL's initcap: the first letter or digit of each run of letters/digits upper case, the rest
    /// lower case.
    static func initcap(_ s: String) -> String {
        var out = ""
        var inWord = false
        for ch in s {
            let isWordCharacter = ch.isLetter || ch.isNumber
            if isWordCharacter {
                out += inWord ? ch.lowercased() : ch.uppercased()
            } else {
                out.append(ch)
            }
            inWord = isWordCharacter
        }
        return out
    }

    /// PostgreSQL's substr: characters from 1-based `start` for `count` characters, where the part before
    /// position 1 counts against `count`; 22011 for a negative count.
    static func substring(_ s: String, start: Int64, count: Int64?) throws(ExecutionError) -> String {
        let scalars = Array(s.unicodeScalars)
        var end = Int64(scalars.count) + 1
        if let count {
            if count < 0 { throw ExecutionError("22011", "negative substring length not allowed") }
            let (e, o) = start.addingReportingOverflow(count)
            end = o ? Int64.max : min(e, end)
        }
        let from = max(start, 1)
        if from >= end || from > Int64(scalars.count) { return "" }
        return string(scalars[Int(from - 1)..<Int(end - 1)])
    }

    /// 1-based character position of the first occurrence of `needle` in `haystack`, 0 if none; 1 for an
    /// empty needle.
    static func strpos(_ haystack: String, _ needle: String) -> Int64 {
        let h = Array(haystack.utf8), n = Array(needle.utf8)
        if n.isEmpty { return 1 }
        if n.count > h.count { return 0 }
        var characters: Int64 = 0  // lead bytes seen up to and including i: i's character number
        for i in 0...(h.count - n.count) {
            if h[i] & 0xC0 != 0x80 { characters += 1 }
            if h[i] == n[0] && h[i..<i + n.count].elementsEqual(n) { return characters }
        }
        return 0
    }

    static func trim(_ s: String, characters: String, leading: Bool, trailing: Bool) -> String {
        let set = Set(characters.unicodeScalars)
        var scalars = Substring(s).unicodeScalars[...]
        if leading { while let f = scalars.first, set.contains(f) { scalars = scalars.dropFirst() } }
        if trailing { while let l = scalars.last, set.contains(l) { scalars = scalars.dropLast() } }
        return string(scalars)
    }

    /// Replaces every non-overlapping occurrence of `from` (non-empty), left to right, by bytes.
    static func replace(_ s: String, _ from: String, _ to: String) -> String {
        let h = Array(s.utf8), f = Array(from.utf8), t = Array(to.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(h.count)
        var i = 0
        while i < h.count {
            if i + f.count <= h.count && h[i] == f[0] && h[i..<i + f.count].elementsEqual(f) {
                out.append(contentsOf: t)
                i += f.count
            } else {
                out.append(h[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// lpad/rpad: fills to `length` characters with repetitions of `fill`, or truncates to `length`.
    static func pad(_ s: [Unicode.Scalar], to length: Int64, with fill: [Unicode.Scalar], left: Bool) throws(ExecutionError) -> String {
        if length <= 0 { return "" }
        try S.checkLength(length)
        let n = Int(length)
        if s.count >= n || fill.isEmpty { return string(s.prefix(n)) }
        var padding: [Unicode.Scalar] = []
        padding.reserveCapacity(n - s.count)
        while padding.count < n - s.count { padding.append(fill[padding.count % fill.count]) }
        return left ? string(padding + s) : string(s + padding)
    }

    /// split_part: the n-th field (1-based; negative counts from the end); 22023 for n = 0.
    static func splitPart(_ s: String, _ delimiter: String, _ n: Int64) throws(ExecutionError) -> SQLValue {
        if n == 0 { throw .invalidParameter("field position must not be zero") }
        let fields: [String]
        if delimiter.isEmpty {
            fields = s.isEmpty ? [] : [s]
        } else {
            fields = splitBytes(s, delimiter)
        }
        let index = n > 0 ? n - 1 : Int64(fields.count) + n
        guard index >= 0 && index < Int64(fields.count) else { return .text("") }
        return .text(fields[Int(index)])
    }

    static func splitBytes(_ s: String, _ delimiter: String) -> [String] {
        let h = Array(s.utf8), d = Array(delimiter.utf8)
        if h.isEmpty { return [] }
        var fields: [String] = []
        var start = 0, i = 0
        while i + d.count <= h.count {
            if h[i..<i + d.count].elementsEqual(d) {
                fields.append(String(decoding: h[start..<i], as: UTF8.self))
                i += d.count
                start = i
            } else {
                i += 1
            }
        }
        fields.append(String(decoding: h[start...], as: UTF8.self))
        return fields
    }
}
