import Testing
import BasaltStorage
@testable import BasaltExecution

@Suite struct KeyCodecTests {
    func memcmpSign(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
    }

    func key(_ v: SQLValue, _ t: SQLType, descending: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        KeyCodec.append(v, type: t, descending: descending, to: &out)
        return out
    }

    @Test func orderMatchesSortCompare() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        let types: [SQLType] = allTypes + [.numeric(precision: 18, scale: 6), .numeric(precision: 5, scale: nil)]
        for _ in 0..<6000 {
            let t = types.randomElement(using: &g)!
            var a = randomValue(of: t, using: &g), b = randomValue(of: t, using: &g)
            if case .numeric = t { a = (try? a.checkAssignable(to: t)) ?? .null }
            if case .numeric = t { b = (try? b.checkAssignable(to: t)) ?? .null }
            if Int.random(in: 0..<4, using: &g) == 0 { b = a }
            let expected = SQLValue.sortCompare(a, b, nullsFirst: true)
            #expect(memcmpSign(key(a, t), key(b, t)) == expected, "seed \(seed) \(t.name): \(a) vs \(b)")
            #expect(memcmpSign(key(a, t, descending: true), key(b, t, descending: true)) == -expected, "seed \(seed) \(t.name) desc: \(a) vs \(b)")
        }
    }

    @Test func unconstrainedNumericOrdersExactlyAcrossScales() {
        let values = ["-1000.5", "-1", "-0.000000000000000001", "0", "0.000000000000000001", "0.1", "0.10000000000000001", "1", "1.5", "9223372036854775807"].map { SQLValue.numeric(dec($0)) }
        let keys = values.map { key($0, .numeric(precision: nil, scale: nil)) }
        for i in keys.indices.dropFirst() { #expect(memcmpSign(keys[i - 1], keys[i]) == -1, "\(values[i])") }
        #expect(key(.numeric(dec("1.50")), .numeric(precision: nil, scale: nil)) == key(.numeric(dec("1.5")), .numeric(precision: nil, scale: nil)))
    }

    @Test func roundTrip() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var g = SeededGenerator(seed: seed)
        for _ in 0..<1000 {
            let types = (0..<Int.random(in: 1...5, using: &g)).map { _ in allTypes.randomElement(using: &g)! }
            let descending = types.map { _ in Bool.random(using: &g) }
            var values: [SQLValue] = []
            for t in types {
                var v = randomValue(of: t, using: &g)
                if case .numeric = t { v = (try? v.checkAssignable(to: t)) ?? .null }
                values.append(v)
            }
            var bytes: [UInt8] = []
            for i in types.indices { KeyCodec.append(values[i], type: types[i], descending: descending[i], to: &bytes) }
            let decoded = try KeyCodec.decode(bytes, types: types, descending: descending)
            #expect(decoded == values, "seed \(seed): \(values) → \(decoded)")
            // With a prefix: decode the components after it.
            var prefixed: [UInt8] = []
            KeyEncoder.append(.int(99), descending: false, to: &prefixed)
            prefixed += bytes
            var decoder = KeyDecoder(prefixed)
            _ = try decoder.next()
            var out: [SQLValue] = []
            try KeyCodec.decodeComponents(from: &decoder, types: types, descending: descending, into: &out)
            #expect(decoder.isAtEnd && out == values, "seed \(seed)")
        }
    }

    @Test func declaredScaleRestoresScale() throws {
        let t = SQLType.numeric(precision: 10, scale: 2)
        let decoded = try KeyCodec.decode(key(.numeric(dec("1.50")), t), types: [t], descending: [false])
        #expect(decoded[0].textValue == "1.50")
    }

    @Test func malformedKeysThrowXX001() {
        #expect(sqlState { try KeyCodec.decode([0x20, 1, 2], types: [.bigint], descending: [false]) } == "XX001")
        #expect(sqlState { try KeyCodec.decode(key(.text("a"), .text), types: [.bigint], descending: [false]) } == "XX001")
        #expect(sqlState { try KeyCodec.decode(key(.integer(1), .bigint) + [0x05], types: [.bigint], descending: [false]) } == "XX001")
        #expect(sqlState { try KeyCodec.decode(key(.integer(1), .bigint), types: [.bigint], descending: [true]) } == "XX001")
    }
}
