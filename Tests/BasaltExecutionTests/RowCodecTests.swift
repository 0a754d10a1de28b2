import Testing
@testable import BasaltExecution

@Suite struct RowCodecTests {
    /// Values of a random row conformed to their types (`real` values as stored: Float-exact doubles).
    func randomRow(_ types: [SQLType], _ g: inout SeededGenerator) -> [SQLValue] {
        types.map { randomValue(of: $0, using: &g) }
    }

    func identical(_ a: [SQLValue], _ b: [SQLValue]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case let (.double(p), .double(q)): if p.bitPattern != q.bitPattern { return false }
            case let (.numeric(p), .numeric(q)): if p.significand != q.significand || p.scale != q.scale { return false }
            default: if x != y { return false }
            }
        }
        return true
    }

    @Test func layoutIsAsDocumented() throws {
        var out: [UInt8] = []
        RowCodec.encode([.integer(-1), .null, .text("hi"), .boolean(true)], into: &out)
        // N=4, bitmap 0b0010, zigzag(-1)=1, len 2 "hi", true
        #expect(out == [4, 0b0000_0010, 1, 2, 0x68, 0x69, 1])
        var decoded: [SQLValue] = []
        try RowCodec.decode(out, types: [.bigint, .text, .text, .boolean], into: &decoded)
        #expect(decoded == [.integer(-1), .null, .text("hi"), .boolean(true)])
    }

    @Test func missingTrailingColumnsAreNull() throws {
        var out: [UInt8] = []
        RowCodec.encode([.integer(7)], into: &out)
        var decoded: [SQLValue] = [.text("kept")]
        try RowCodec.decode(out, types: [.integer, .text, .double], into: &decoded)
        #expect(decoded == [.text("kept"), .integer(7), .null, .null])
        // Projections reach past the stored columns too, in table order and out of it.
        for (wanted, expected) in [([0, 2], [SQLValue.integer(7), .null]), ([1, 2], [.null, .null]), ([2, 0], [.null, .integer(7)])] {
            var projected: [SQLValue] = [.text("kept")]
            try RowCodec.decodeColumns(out, types: [.integer, .text, .double], wanted: wanted, into: &projected)
            #expect(projected == [.text("kept")] + expected, "wanted \(wanted)")
        }
    }

    @Test func randomizedRoundTrip() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        for _ in 0..<1500 {
            let types = (0..<Int.random(in: 0...12, using: &g)).map { _ in allTypes.randomElement(using: &g)! }
            let row = randomRow(types, &g)
            var out: [UInt8] = [0xAA]  // encode appends
            RowCodec.encode(row, into: &out)
            var decoded: [SQLValue] = []
            try out.withUnsafeBytes { raw in
                try RowCodec.decode(UnsafeRawBufferPointer(rebasing: raw[1...]), types: types, into: &decoded)
            }
            #expect(identical(decoded, row), "seed \(seed): \(row) → \(decoded)")
            // Projection: a random subset in random order, with repeats.
            if !types.isEmpty {
                let wanted = (0..<Int.random(in: 1...4, using: &g)).map { _ in Int.random(in: 0..<types.count, using: &g) }
                let sortedWanted = wanted.sorted()
                // Strictly ascending (the append-as-decoded path), and the others (fill by position).
                for w in [wanted, sortedWanted, Array(Set(wanted)).sorted()] {
                    var projected: [SQLValue] = []
                    try RowCodec.decodeColumns(Array(out.dropFirst()), types: types, wanted: w, into: &projected)
                    #expect(identical(projected, w.map { row[$0] }), "seed \(seed): wanted \(w)")
                    // Unread entries anywhere are NULL and leave the others' values in place.
                    let holes = w.map { Bool.random(using: &g) ? RowCodec.unread : $0 }
                    var withHoles: [SQLValue] = [.integer(7)]  // decodeColumns appends
                    try RowCodec.decodeColumns(Array(out.dropFirst()), types: types, wanted: holes, into: &withHoles)
                    #expect(identical(withHoles, [.integer(7)] + holes.map { $0 == RowCodec.unread ? .null : row[$0] }),
                            "seed \(seed): wanted \(holes)")
                }
            }
        }
    }

    @Test func corruptInputThrowsXX001AndNeverCrashes() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        var failures = 0
        for _ in 0..<1500 {
            let types = (0..<Int.random(in: 1...8, using: &g)).map { _ in allTypes.randomElement(using: &g)! }
            let row = randomRow(types, &g)
            var out: [UInt8] = []
            RowCodec.encode(row, into: &out)
            var damaged = out
            switch Int.random(in: 0..<3, using: &g) {
            case 0: damaged.removeLast(Int.random(in: 1...damaged.count, using: &g))  // truncate
            case 1: damaged[Int.random(in: 0..<damaged.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
            default: damaged.append(contentsOf: (0..<Int.random(in: 1...4, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) })
            }
            var decoded: [SQLValue] = []
            do {
                try RowCodec.decode(damaged, types: types, into: &decoded)
                #expect(decoded.count == types.count, "seed \(seed)")
            } catch {
                failures += 1
                #expect(error.sqlState == "XX001", "seed \(seed)")
            }
            var projected: [SQLValue] = []
            if let e = thrown({ try RowCodec.decodeColumns(damaged, types: types, wanted: [types.count - 1, 0], into: &projected) }) {
                #expect(e.sqlState == "XX001", "seed \(seed)")
            }
        }
        #expect(failures > 500, "seed \(seed): corruption should usually be detected")
        // Specific shapes.
        #expect(sqlState { var o: [SQLValue] = []; try RowCodec.decode([], types: [.integer], into: &o) } == "XX001")
        #expect(sqlState { var o: [SQLValue] = []; try RowCodec.decode([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], types: [.integer], into: &o) } == "XX001")
        #expect(sqlState { var o: [SQLValue] = []; try RowCodec.decode([1, 0, 0x80], types: [.integer], into: &o) } == "XX001")
        #expect(sqlState { var o: [SQLValue] = []; try RowCodec.decode([1, 0, 5, 0x61], types: [.text], into: &o) } == "XX001")
        #expect(sqlState { var o: [SQLValue] = []; try RowCodec.decode([1, 0, 2], types: [.boolean], into: &o) } == "XX001")
        #expect(sqlState { var o: [SQLValue] = []; try RowCodec.decode([1, 0, 1, 0xFF], types: [.text], into: &o) } == "XX001")  // bad UTF-8
    }

    /// `EncodedRowBatch` checks each row once when it is appended and reads columns later by offset: every
    /// value it reads must equal `decodeColumns`' for the same wanted columns (projections out of order,
    /// repeats, unread holes, rows storing fewer columns than the table has), its text and blob bytes
    /// read in place must be the value's, and a damaged row must be refused exactly when
    /// `decodeColumns` refuses it, leaving the rows before it readable. The batch is a value: copies
    /// taken along the way still read exactly their rows after later appends grew the original.
    @Test func encodedRowBatchReadsWhatDecodeColumnsDecodes() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        var refused = 0
        for _ in 0..<300 {
            let types = (0..<Int.random(in: 1...10, using: &g)).map { _ in allTypes.randomElement(using: &g)! }
            let wanted = (0..<Int.random(in: 0...5, using: &g)).map { _ in
                Int.random(in: 0..<8, using: &g) == 0 ? RowCodec.unread : Int.random(in: 0..<types.count, using: &g)
            }
            var batch = EncodedRowBatch(types: types, wanted: wanted)
            var expected: [[SQLValue]] = []
            var copies: [(batch: EncodedRowBatch, rows: [[SQLValue]])] = []
            // Now and then more rows than the first append makes room for, so the buffers grow.
            let rowCount = Int.random(in: 1...(Int.random(in: 0..<8, using: &g) == 0 ? 90 : 8), using: &g)
            for _ in 0..<rowCount {
                if Int.random(in: 0..<4, using: &g) == 0 { copies.append((batch, expected)) }
                // Some rows predate columns added later: they store a prefix of the table's columns.
                let row = Array(randomRow(types, &g).prefix(Int.random(in: 0...types.count, using: &g)))
                var bytes: [UInt8] = []
                RowCodec.encode(row, into: &bytes)
                if Int.random(in: 0..<4, using: &g) == 0 {
                    switch Int.random(in: 0..<3, using: &g) {
                    case 0: bytes.removeLast(Int.random(in: 1...bytes.count, using: &g))
                    case 1: bytes[Int.random(in: 0..<bytes.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
                    default: bytes.append(UInt8.random(in: 0...255, using: &g))
                    }
                }
                var decoded: [SQLValue] = []
                let decodeError = thrown { try RowCodec.decodeColumns(bytes, types: types, wanted: wanted, into: &decoded) }
                let appendError = thrown {
                    try bytes.withUnsafeBytes { raw in Result { () throws(ExecutionError) in try batch.append(raw) } }.get()
                }
                #expect(decodeError?.sqlState == appendError?.sqlState, "seed \(seed): \(types) \(wanted) \(bytes)")
                if let appendError {
                    #expect(appendError.sqlState == "XX001", "seed \(seed)")
                    refused += 1
                } else if decodeError == nil {
                    expected.append(decoded)
                }
            }
            #expect(batch.count == expected.count && batch.width == wanted.count, "seed \(seed)")
            for var copy in copies {
                #expect(copy.batch.count == copy.rows.count, "seed \(seed): a copy's row count changed")
                // The copy goes its own way: its next row must not show in the original, nor the
                // original's rows past the copy point in it.
                var bytes: [UInt8] = []
                RowCodec.encode(randomRow(types, &g), into: &bytes)
                var decoded: [SQLValue] = []
                try RowCodec.decodeColumns(bytes, types: types, wanted: wanted, into: &decoded)
                try bytes.withUnsafeBytes { raw in try Result { () throws(ExecutionError) in try copy.batch.append(raw) }.get() }
                copy.rows.append(decoded)
                for (r, values) in copy.rows.enumerated() where r < copy.batch.count {
                    let read = (0..<wanted.count).map { copy.batch.value(row: r, column: $0) }
                    #expect(identical(read, values), "seed \(seed): a copy's row \(r) reads \(read), not \(values)")
                }
            }
            for (r, values) in expected.enumerated() where r < batch.count {
                let read = (0..<wanted.count).map { batch.value(row: r, column: $0) }
                #expect(identical(read, values), "seed \(seed): row \(r) \(types) \(wanted): \(read) vs \(values)")
                for (c, value) in values.enumerated() {
                    #expect(batch.isNull(row: r, column: c) == value.isNull, "seed \(seed)")
                    var inPlace: [UInt8]?
                    let called = batch.withBytes(row: r, column: c) { inPlace = Array($0) }
                    switch value {
                    case .text(let text): #expect(called && inPlace == Array(text.utf8), "seed \(seed)")
                    case .blob(let bytes): #expect(called && inPlace == bytes, "seed \(seed)")
                    default: #expect(!called && inPlace == nil, "seed \(seed): \(value)")
                    }
                }
            }
        }
        #expect(refused > 20, "seed \(seed): damaged rows should often be refused")
    }

    /// Text decodes through an ASCII fast path (checked a word at a time) or full UTF-8 validation: the
    /// non-ASCII byte at every position of short and long strings, and invalid UTF-8 past the first
    /// word, must all take the right path.
    @Test func textTakesTheASCIIPathOnlyWhenEveryByteIsASCII() throws {
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 40] {
            for position in [-1] + Array(0..<length) {
                var scalars = Array(repeating: Character("a"), count: length)
                if position >= 0 { scalars[position] = "é" }
                let text = String(scalars)
                var encoded: [UInt8] = []
                RowCodec.encode([.text(text)], into: &encoded)
                var decoded: [SQLValue] = []
                try RowCodec.decode(encoded, types: [.text], into: &decoded)
                #expect(decoded == [.text(text)], "length \(length), non-ASCII at \(position)")

                // The same bytes with the non-ASCII character replaced by a lone 0xFF: invalid UTF-8.
                guard position >= 0 else { continue }
                var raw = Array(String(repeating: "a", count: length).utf8)
                raw[position] = 0xFF
                var bad: [UInt8] = []
                RowCodec.encode([.blob(raw)], into: &bad)
                #expect(sqlState { var o: [SQLValue] = []; try RowCodec.decode(bad, types: [.text], into: &o) } == "XX001",
                        "invalid byte at \(position) of \(length)")
            }
        }
    }
}
