import Foundation
import Testing
@testable import BasaltStorage

// Property tests for the order-preserving key encoding (KeyEncoder.swift, KeyDecoder.swift).
//
// Every randomized test draws from a SplitMix64 stream. The seed is random per run and printed in every
// failure message; set BASALT_KEY_TEST_SEED=<seed> to replay a failing run.

/// SplitMix64: small, fast, and good enough for test data. Named apart from the module's `SeededRandom`.
struct KeyTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed for this test run: BASALT_KEY_TEST_SEED when set, otherwise fresh.
    static func runSeed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["BASALT_KEY_TEST_SEED"], let seed = UInt64(text) {
            return seed
        }
        return UInt64.random(in: .min ... .max)
    }
}

// MARK: - The model: SQL order of components and keys

/// The kinds of value a key column can hold, in tag order.
enum KeyTestKind: Int, CaseIterable {
    case null, bool, int, double, text, blob
}

private extension KeyComponent {
    var kind: KeyTestKind {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .int: return .int
        case .double: return .double
        case .text: return .text
        case .blob: return .blob
        }
    }
}

/// -1, 0 or 1.
private func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    var i = 0
    while i < n {
        if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        i += 1
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// The intended ascending order of two components: types in tag order; NULL first; numbers by value
/// with -0 == +0 and every NaN equal and above +inf; text by UTF-8 bytes; blobs by bytes.
private func modelCompare(_ a: KeyComponent, _ b: KeyComponent) -> Int {
    switch (a, b) {
    case (.null, .null):
        return 0
    case let (.bool(x), .bool(y)):
        return x == y ? 0 : (!x ? -1 : 1)
    case let (.int(x), .int(y)):
        return x == y ? 0 : (x < y ? -1 : 1)
    case let (.double(x), .double(y)):
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN ? 0 : (x.isNaN ? 1 : -1) }
        return x == y ? 0 : (x < y ? -1 : 1)
    case let (.text(x), .text(y)):
        return compareBytes(Array(x.utf8), Array(y.utf8))
    case let (.blob(x), .blob(y)):
        return compareBytes(x, y)
    default:
        return a.kind.rawValue < b.kind.rawValue ? -1 : 1
    }
}

/// Column-by-column, each column in its direction; a key that is a prefix of the other sorts first.
private func modelCompare(_ a: [KeyComponent], _ b: [KeyComponent], descending: [Bool]) -> Int {
    for i in 0..<min(a.count, b.count) {
        let c = modelCompare(a[i], b[i])
        if c != 0 { return descending[i] ? -c : c }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// Equality that decode(encode(x)) must meet: NaN == NaN, -0.0 == +0.0, text by bytes.
private func sameValue(_ a: KeyComponent, _ b: KeyComponent) -> Bool {
    switch (a, b) {
    case let (.double(x), .double(y)): return (x.isNaN && y.isNaN) || x == y
    case let (.text(x), .text(y)): return Array(x.utf8) == Array(y.utf8)
    default: return a == b
    }
}

// MARK: - Random values, biased towards edges, prefixes and ties

private extension KeyTestRandom {
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    mutating func int64() -> Int64 {
        switch int(0...3) {
        case 0: return Int64(bitPattern: next())
        case 1: return Int64(int(-3...3))
        case 2:
            // The ends of the range and of each payload width of the compact encoding.
            let edges: [Int64] = [.min, .min + 1, -256, -255, -1, 0, 1, 255, 256, 65_535, 65_536, 1 << 55,
                                  (1 << 56) - 1, 1 << 56, .max - 1, .max]
            return edges[int(0...edges.count - 1)]
        default: return Int64(bitPattern: next()) >> Int64(int(0...62))
        }
    }

    mutating func double() -> Double {
        let specials: [Double] = [
            0.0, -0.0, 1.0, -1.0, .infinity, -.infinity, .nan, -.nan, .signalingNaN,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
            -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude, .ulpOfOne,
        ]
        switch int(0...3) {
        case 0: return Double(bitPattern: next())  // any bits: NaN payloads, subnormals, ...
        case 1: return specials[int(0...specials.count - 1)]
        case 2: return Double(int(-3...3)) / Double(int(1...4))
        default: return Double.random(in: -1e6...1e6, using: &self)
        }
    }

    /// Small alphabets make shared prefixes, embedded NULs and equal values common.
    mutating func text() -> String {
        let alphabet: [String] = ["\0", "a", "b", "\u{7F}", "\u{80}", "é", "e\u{301}", "\u{FFFF}", "😀", "z"]
        var s = ""
        for _ in 0..<int(0...6) { s += alphabet[int(0...alphabet.count - 1)] }
        return s
    }

    mutating func blob() -> [UInt8] {
        let alphabet: [UInt8] = [0x00, 0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF]
        return (0..<int(0...6)).map { _ in chance(0.8) ? alphabet[int(0...alphabet.count - 1)] : UInt8.random(in: 0...255, using: &self) }
    }

    mutating func component(_ kind: KeyTestKind) -> KeyComponent {
        switch kind {
        case .null: return .null
        case .bool: return .bool(chance(0.5))
        case .int: return .int(int64())
        case .double: return .double(double())
        case .text: return .text(text())
        case .blob: return .blob(blob())
        }
    }

    /// A value of `kind`, NULL one time in ten.
    mutating func nullable(_ kind: KeyTestKind) -> KeyComponent {
        chance(0.1) ? .null : component(kind)
    }

    /// `value` itself one time in four (to exercise ties), else a fresh one of its kind.
    mutating func nearby(_ value: KeyComponent, kind: KeyTestKind) -> KeyComponent {
        chance(0.25) ? value : nullable(kind)
    }
}

// MARK: - Checking

/// Collects the first failure of a randomized test, so a broken property reports once, with the seed.
private struct PropertyCheck {
    /// nil for a deterministic test.
    let seed: UInt64?
    let test: String
    private(set) var failed = false

    init(_ test: String, seed: UInt64?) {
        self.test = test
        self.seed = seed
    }

    /// Records the failure and returns false the first time `condition` is false.
    mutating func require(
        _ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        if condition { return true }
        if !failed {
            failed = true
            let replay = seed.map { "[seed \($0); replay with BASALT_KEY_TEST_SEED=\($0)]" } ?? "[deterministic]"
            Issue.record(
                "\(test): \(message()) \(replay)",
                sourceLocation: sourceLocation)
        }
        return false
    }
}

/// Checks order and round trip for one pair of keys; false after the first failure.
private func checkPair(
    _ a: [KeyComponent], _ b: [KeyComponent], descending: [Bool], _ check: inout PropertyCheck
) -> Bool {
    let ea = KeyEncoder.encode(a, descending: descending)
    let eb = KeyEncoder.encode(b, descending: descending)
    let model = modelCompare(a, b, descending: descending)
    let bytes = compareBytes(ea, eb)
    guard check.require(
        model == bytes,
        "order mismatch: model \(model), bytes \(bytes) for \(a) vs \(b), descending \(descending); encodings \(ea) vs \(eb)")
    else { return false }
    for (key, encoded) in [(a, ea), (b, eb)] {
        let decoded: [KeyComponent]
        do {
            decoded = try KeyDecoder.decode(encoded, descending: Array(descending.prefix(key.count)))
        } catch {
            return check.require(false, "decode of \(key) (\(encoded)) threw \(error)")
        }
        guard check.require(
            decoded.count == key.count && zip(decoded, key).allSatisfy(sameValue),
            "round trip of \(key), descending \(descending): decoded \(decoded)")
        else { return false }
    }
    return true
}

// MARK: - Tests

@Suite("Order-preserving key encoding")
struct KeyEncoderTests {
    static let pairsPerProperty = 10_000

    @Test("memcmp order equals SQL order, and keys round-trip, for each type", arguments: KeyTestKind.allCases)
    func singleTypeProperty(kind: KeyTestKind) {
        let seed = KeyTestRandom.runSeed()
        var random = KeyTestRandom(seed: seed)
        var check = PropertyCheck("single \(kind)", seed: seed)
        for _ in 0..<Self.pairsPerProperty {
            let a = random.nullable(kind)
            let b = random.nearby(a, kind: kind)
            for descending in [false, true] {
                guard checkPair([a], [b], descending: [descending], &check) else { return }
            }
        }
    }

    @Test("memcmp order equals SQL order across types (tag order)")
    func crossTypeProperty() {
        let seed = KeyTestRandom.runSeed()
        var random = KeyTestRandom(seed: seed)
        var check = PropertyCheck("cross-type", seed: seed)
        for _ in 0..<Self.pairsPerProperty {
            let a = random.component(KeyTestKind.allCases[random.int(0...5)])
            let b = random.component(KeyTestKind.allCases[random.int(0...5)])
            let descending = random.chance(0.5)
            guard checkPair([a], [b], descending: [descending], &check) else { return }
        }
    }

    @Test("composite keys of 1-4 mixed components with mixed directions")
    func compositeProperty() {
        let seed = KeyTestRandom.runSeed()
        var random = KeyTestRandom(seed: seed)
        var check = PropertyCheck("composite", seed: seed)
        for _ in 0..<Self.pairsPerProperty {
            // One schema per pair: each column has one type (plus NULL) and one direction.
            let width = random.int(1...4)
            let kinds = (0..<width).map { _ in KeyTestKind.allCases[random.int(1...5)] }
            let descending = (0..<width).map { _ in random.chance(0.5) }
            let a = kinds.map { random.nullable($0) }
            // Share a leading run of columns with `a` so later columns decide the order.
            let shared = random.int(0...width)
            var b = (0..<width).map { i in i < shared ? a[i] : random.nearby(a[i], kind: kinds[i]) }
            if random.chance(0.15) { b.removeLast(random.int(0...width - 1)) }  // a prefix key
            guard checkPair(a, b, descending: descending, &check) else { return }
            guard checkPair(b, a, descending: descending, &check) else { return }
        }
    }

    @Test("skip moves past exactly what next decodes, for every type and direction")
    func skipMatchesNext() throws {
        let seed = KeyTestRandom.runSeed()
        var random = KeyTestRandom(seed: seed)
        for round in 0..<2_000 {
            let width = random.int(1...4)
            let components = (0..<width).map { _ in random.nullable(KeyTestKind.allCases[random.int(1...5)]) }
            let descending = (0..<width).map { _ in random.chance(0.5) }
            let key = KeyEncoder.encode(components, descending: descending)
            var decoder = KeyDecoder(key)
            var skipper = KeyDecoder(key)
            for i in 0..<width {
                _ = try decoder.next(descending: descending[i])
                try skipper.skip(descending: descending[i])
                #expect(skipper.offset == decoder.offset, "seed \(seed), round \(round), component \(i)")
            }
            #expect(skipper.isAtEnd, "seed \(seed), round \(round)")
            // The last component cut short by a byte: skipping it is a typed error, never a crash.
            do {
                var cut = KeyDecoder(Array(key.dropLast()))
                for j in 0..<width - 1 { try cut.skip(descending: descending[j]) }
                #expect(throws: KeyDecodingError.self, "seed \(seed), round \(round)") { try cut.skip(descending: descending[width - 1]) }
            }
        }
    }

    @Test("edge values: every pair, both directions")
    func edgeValues() {
        var check = PropertyCheck("edge values", seed: nil)
        let doubles: [Double] = [
            -.infinity, -.greatestFiniteMagnitude, -1, -.leastNormalMagnitude, -.leastNonzeroMagnitude, -0.0,
            0.0, .leastNonzeroMagnitude, .leastNormalMagnitude, 1, .greatestFiniteMagnitude, .infinity,
            .nan, -.nan, .signalingNaN, Double(bitPattern: 0x7FF0_0000_0000_0001), Double(bitPattern: 0xFFFF_FFFF_FFFF_FFFF),
        ]
        let values: [KeyComponent] =
            [.null, .bool(false), .bool(true)]
            + [Int64.min, .min + 1, -256, -255, -1, 0, 1, 255, 256, .max - 1, .max].map { .int($0) }
            + doubles.map { .double($0) }
            + ["", "\0", "\0\0", "\0a", "a", "a\0", "a\0\0", "a\0b", "a\u{1}", "ab", "b", "\u{FF}", "😀"].map { .text($0) }
            + [[], [0], [0, 0], [0, 1], [0, 0xFF], [1], [0xFF], [0xFF, 0], [0xFF, 0xFF]].map { .blob($0) }
        for a in values {
            for b in values {
                for descending in [false, true] {
                    guard checkPair([a], [b], descending: [descending], &check) else { return }
                    guard checkPair([a, b], [b, a], descending: [descending, !descending], &check) else { return }
                }
            }
        }
    }

    @Test("the byte format is pinned (a disk format)")
    func goldenBytes() {
        func enc(_ c: KeyComponent, desc: Bool = false) -> [UInt8] { KeyEncoder.encode([c], descending: [desc]) }
        #expect(enc(.null) == [0x05])
        #expect(enc(.null, desc: true) == [0xFA])
        #expect(enc(.bool(false)) == [0x10, 0x00])
        #expect(enc(.bool(true)) == [0x10, 0x01])
        #expect(enc(.int(0)) == [0x22, 0x00])
        #expect(enc(.int(255)) == [0x22, 0xFF])
        #expect(enc(.int(256)) == [0x23, 0x01, 0x00])
        #expect(enc(.int(1_000_000)) == [0x24, 0x0F, 0x42, 0x40])
        #expect(enc(.int(Int64.max)) == [0x29, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(enc(.int(-1)) == [0x21, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(enc(.int(Int64.min)) == [0x21, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(enc(.int(258), desc: true) == [0xDC, 0xFE, 0xFD])
        #expect(enc(.int(-2), desc: true) == [0xDE, 0x80, 0, 0, 0, 0, 0, 0, 1])
        #expect(enc(.double(0)) == [0x30, 0x80, 0, 0, 0, 0, 0, 0, 0])
        #expect(enc(.double(-0.0)) == enc(.double(0)))
        #expect(enc(.double(1)) == [0x30, 0xBF, 0xF0, 0, 0, 0, 0, 0, 0])
        #expect(enc(.double(-1)) == [0x30, 0x40, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(enc(.double(.infinity)) == [0x30, 0xFF, 0xF0, 0, 0, 0, 0, 0, 0])
        #expect(enc(.double(.nan)) == [0x30, 0xFF, 0xF8, 0, 0, 0, 0, 0, 0])
        #expect(enc(.double(-.nan)) == enc(.double(.nan)))
        #expect(enc(.double(.signalingNaN)) == enc(.double(.nan)))
        #expect(enc(.text("")) == [0x40, 0x00, 0x01])
        #expect(enc(.text("a\0b")) == [0x40, 0x61, 0x00, 0xFF, 0x62, 0x00, 0x01])
        #expect(enc(.text("a"), desc: true) == [0xBF, 0x9E, 0xFF, 0xFE])
        #expect(enc(.blob([0, 0xFF])) == [0x50, 0x00, 0xFF, 0xFF, 0x00, 0x01])
        #expect(enc(.blob([0]), desc: true) == [0xAF, 0xFF, 0x00, 0xFF, 0xFE])
        #expect(KeyEncoder.encode([.int(1), .text("x")], descending: [false, true])
            == [0x22, 0x01, 0xBF, 0x87, 0xFF, 0xFE])
    }

    @Test("the struct API matches the static encoder and reuses its buffer")
    func encoderStruct() throws {
        var encoder = KeyEncoder(reservingCapacity: 64)
        encoder.appendInt(7)
        encoder.appendText("hi", descending: true)
        encoder.appendNull()
        encoder.appendDouble(2.5, descending: true)
        encoder.appendBool(true)
        encoder.appendBlob([1, 0, 2])
        let components: [KeyComponent] = [.int(7), .text("hi"), .null, .double(2.5), .bool(true), .blob([1, 0, 2])]
        let descending = [false, true, false, true, false, false]
        #expect(encoder.bytes == KeyEncoder.encode(components, descending: descending))

        var decoder = KeyDecoder(encoder.bytes)
        for (component, desc) in zip(components, descending) {
            #expect(try decoder.next(descending: desc) == component)
        }
        #expect(decoder.isAtEnd)
        try decoder.finish()

        encoder.removeAll()
        #expect(encoder.bytes.isEmpty)
        encoder.append(.int(1))
        #expect(encoder.bytes == KeyEncoder.encode([.int(1)]))
    }

    @Test("writeInt writes exactly what appendInt appends, intLength bytes, for every width and direction")
    func writeIntMatchesAppendInt() {
        let seed = KeyTestRandom.runSeed()
        var rng = KeyTestRandom(seed: seed)
        var values: [Int64] = [0, 1, -1, 255, 256, -256, .max, .min, Int64(Int32.max), Int64(Int32.min)]
        for bits in 0..<64 {
            let power = Int64(1) << bits
            values += [power, power &- 1, 0 &- power, Int64(bitPattern: rng.next()) >> Int64(bits)]
        }
        for value in values {
            for descending in [false, true] {
                var appended: [UInt8] = []
                KeyEncoder.appendInt(value, descending: descending, to: &appended)
                var written = [UInt8](repeating: 0xAA, count: 12)
                let length = written.withUnsafeMutableBytes { KeyEncoder.writeInt(value, descending: descending, to: $0.baseAddress!) }
                #expect(length == appended.count && length == KeyEncoder.intLength(value),
                        "seed \(seed): \(value) descending \(descending): wrote \(length), appended \(appended.count)")
                #expect(Array(written.prefix(length)) == appended, "seed \(seed): \(value) descending \(descending)")
                #expect(written[length...].allSatisfy { $0 == 0xAA }, "seed \(seed): \(value) wrote past its length")
            }
        }
    }

    @Test("all encoded keys start after the empty key and before the [0xFF] bound")
    func bounds() {
        let seed = KeyTestRandom.runSeed()
        var random = KeyTestRandom(seed: seed)
        var check = PropertyCheck("bounds", seed: seed)
        for _ in 0..<1_000 {
            let prefix = [random.component(.int)]
            let key = KeyEncoder.encode(prefix + [random.component(KeyTestKind.allCases[random.int(0...5)])],
                                        descending: [false, random.chance(0.5)])
            let p = KeyEncoder.encode(prefix)
            guard check.require(compareBytes(p, key) < 0 && compareBytes(key, p + [0xFF]) < 0,
                                "\(key) not within (\(p), \(p + [0xFF]))") else { return }
        }
    }

    @Test("malformed keys are rejected with a typed error")
    func malformed() {
        func decodeError(_ bytes: [UInt8], _ descending: [Bool]) -> KeyDecodingError? {
            do {
                _ = try KeyDecoder.decode(bytes, descending: descending)
                return nil
            } catch {
                return error
            }
        }
        #expect(decodeError([], [false]) == .truncated(offset: 0))
        #expect(decodeError([0x21, 0x80, 0], [false]) == .truncated(offset: 3))
        #expect(decodeError([0x24, 0x01, 0x02], [false]) == .truncated(offset: 3))
        // The retired fixed-width tag of format 2, a non-minimal width, and a sign that contradicts the tag.
        #expect(decodeError([0x20, 0x80, 0, 0, 0, 0, 0, 0, 0], [false]) == .unknownTag(0x20, offset: 0))
        #expect(decodeError([0x23, 0x00, 0x05], [false])
            == .malformed(offset: 1, detail: "integer is not in its shortest form"))
        #expect(decodeError([0xDC, 0xFF, 0xFA], [true])
            == .malformed(offset: 1, detail: "integer is not in its shortest form"))
        #expect(decodeError([0x29, 0x80, 0, 0, 0, 0, 0, 0, 0], [false])
            == .malformed(offset: 1, detail: "integer out of range"))
        #expect(decodeError([0x21, 0x80, 0, 0, 0, 0, 0, 0, 0], [false])
            == .malformed(offset: 1, detail: "non-negative integer under the negative tag"))
        #expect(decodeError([0x10], [false]) == .truncated(offset: 1))
        #expect(decodeError([0x10, 0x02], [false]) == .malformed(offset: 1, detail: "bool byte 0x2"))
        #expect(decodeError([0x41], [false]) == .unknownTag(0x41, offset: 0))
        #expect(decodeError([0x00], [false]) == .unknownTag(0x00, offset: 0))
        #expect(decodeError([0x05], [true]) == .unknownTag(0x05, offset: 0))  // wrong direction
        #expect(decodeError([0x05, 0x05], [false]) == .trailingBytes(offset: 1))
        #expect(decodeError([0x40, 0x61], [false]) == .truncated(offset: 2))
        #expect(decodeError([0x40, 0x61, 0x00], [false]) == .truncated(offset: 3))
        #expect(decodeError([0x50, 0x00, 0x02], [false]) == .malformed(offset: 2, detail: "byte 0x2 after an escape"))
        #expect(decodeError([0x40, 0xC3, 0x28, 0x00, 0x01], [false])
            == .malformed(offset: 1, detail: "text is not valid UTF-8"))
        // A NaN other than the canonical one, and -0.0, are never written.
        var otherNaN: [UInt8] = [0x30]
        withUnsafeBytes(of: (UInt64(0x7FF8_0000_0000_0001) ^ KeyEncoder.signBit).bigEndian) { otherNaN += $0 }
        #expect(decodeError(otherNaN, [false]) == .malformed(offset: 1, detail: "non-canonical NaN"))
        #expect(decodeError([0x30, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [false])
            == .malformed(offset: 1, detail: "-0.0 is written as +0.0"))
        #expect(KeyDecodingError.truncated(offset: 3).storageError(page: 9)
            == .corruption(page: 9, detail: "index key: key truncated at byte 3"))
    }
}
