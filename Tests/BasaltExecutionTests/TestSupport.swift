@testable import BasaltExecution

/// A small deterministic PRNG (SplitMix64) so randomized tests are reproducible from a printed seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The SQLSTATE of the error `body` throws, or nil when it does not throw.
func sqlState<T>(_ body: () throws -> T) -> String? {
    thrown(body).map { $0.sqlState }
}

/// The error `body` throws, or nil.
/// (An error of another type becomes an "other" ExecutionError with SQLSTATE "?????", so it fails tests.)
func thrown<T>(_ body: () throws -> T) -> ExecutionError? {
    do {
        _ = try body()
        return nil
    } catch let error as ExecutionError {
        return error
    } catch {
        return ExecutionError("?????", "\(error)")
    }
}

func dec(_ s: String) -> SQLDecimal { try! SQLDecimal(parsing: s) }

/// Random values of a column type's storage class (NULL with probability ~1/8).
func randomValue(of type: SQLType, using g: inout SeededGenerator, allowNull: Bool = true) -> SQLValue {
    if allowNull && Int.random(in: 0..<8, using: &g) == 0 { return .null }
    func smallOrLarge() -> Int64 {
        switch Int.random(in: 0..<4, using: &g) {
        case 0: return Int64.random(in: -10...10, using: &g)
        case 1: return [Int64.min, Int64.max, 0, -1, 1][Int.random(in: 0..<5, using: &g)]
        default: return Int64.random(in: Int64.min...Int64.max, using: &g)
        }
    }
    func randomText() -> String {
        let alphabet: [Unicode.Scalar] = ["a", "b", "z", "A", " ", "\u{0}", "é", "\u{301}", "ß", "中", "😀", "\u{7F}", "~"]
        var view = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0..<8, using: &g) { view.append(alphabet[Int.random(in: 0..<alphabet.count, using: &g)]) }
        return String(view)
    }
    switch type {
    case .boolean: return .boolean(Bool.random(using: &g))
    case .smallint: return .integer(Int64.random(in: -32768...32767, using: &g))
    case .integer: return .integer(Int64.random(in: Int64(Int32.min)...Int64(Int32.max), using: &g))
    case .bigint: return .integer(smallOrLarge())
    case .real, .double:
        switch Int.random(in: 0..<6, using: &g) {
        case 0: return .double([0.0, -0.0, .infinity, -.infinity, .nan, 1.5, -2.25][Int.random(in: 0..<7, using: &g)])
        case 1: return .double(Double(Int64.random(in: -100...100, using: &g)))
        default: return .double(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &g)))
        }
    case let .numeric(_, scale):
        let s = scale ?? Int.random(in: 0...6, using: &g)
        let magnitude: Int64 = Int.random(in: 0..<3, using: &g) == 0 ? 1000 : 999_999_999_999
        return .numeric(SQLDecimal(significand: Int64.random(in: -magnitude...magnitude, using: &g), scale: Int8(s)))
    case .text, .varchar, .char: return .text(randomText())
    case .bytea: return .blob((0..<Int.random(in: 0..<6, using: &g)).map { _ in [0, 1, 0xFF, 0x80, 7][Int.random(in: 0..<5, using: &g)] })
    case .date: return .date(Int32.random(in: -800_000...800_000, using: &g))
    case .timestamp: return .timestamp(smallOrLarge() / 4)
    case .unknown: return .null
    }
}

let allTypes: [SQLType] = [.boolean, .smallint, .integer, .bigint, .real, .double, .numeric(precision: 12, scale: 2),
                           .numeric(precision: nil, scale: nil), .text, .varchar(10), .char(3), .bytea, .date, .timestamp]
