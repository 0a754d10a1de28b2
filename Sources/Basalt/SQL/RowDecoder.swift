import BasaltExecution
import Foundation

extension Row {
    /// Decodes the row into `T`, matching coding keys to column names (a single-value `T` takes the
    /// first column). Numbers convert between widths when the value fits; NULL decodes only into
    /// optionals. Throws `DecodingError` naming the column.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try T(from: RowDecoder(row: self))
    }
}

extension Rows {
    /// Decodes every remaining row into `T` (see `Row.decode`).
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> [T] {
        try all().map { try $0.decode(T.self) }
    }
}

/// A `Decoder` over one row: keyed by column name, or a single value (the first column).
struct RowDecoder: Decoder {
    let row: Row
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedRowContainer<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([SQLValue].self, .init(codingPath: codingPath, debugDescription: "a row decodes as keyed (by column name) or as a single value"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard row.count > 0 else {
            throw DecodingError.valueNotFound(SQLValue.self, .init(codingPath: codingPath, debugDescription: "the row has no columns"))
        }
        return SingleValueRowContainer(value: row[0], codingPath: codingPath)
    }
}

/// Converts one SQL value to the Swift type asked for.
enum SQLValueDecoding {
    static func decode<T: Decodable>(_ value: SQLValue, as type: T.Type, codingPath: [any CodingKey]) throws -> T {
        func mismatch() -> DecodingError {
            .typeMismatch(T.self, .init(codingPath: codingPath, debugDescription: "cannot decode \(value.storageTypeName) value as \(T.self)"))
        }
        if value.isNull {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath, debugDescription: "NULL in a non-optional property"))
        }
        func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
            switch value {
            case .integer(let i): if let x = I(exactly: i) { return x }
            case .double(let d): if let x = I(exactly: d) { return x }
            case .numeric(let d): if let i = d.roundedToInteger, let x = I(exactly: i), SQLDecimal(i) == d { return x }
            case .boolean(let b): return b ? 1 : 0
            default: break
            }
            throw mismatch()
        }
        switch T.self {
        case is Int.Type: return try integer(Int.self) as! T
        case is Int64.Type: return try integer(Int64.self) as! T
        case is Int32.Type: return try integer(Int32.self) as! T
        case is Int16.Type: return try integer(Int16.self) as! T
        case is Int8.Type: return try integer(Int8.self) as! T
        case is UInt.Type: return try integer(UInt.self) as! T
        case is UInt64.Type: return try integer(UInt64.self) as! T
        case is UInt32.Type: return try integer(UInt32.self) as! T
        case is UInt8.Type: return try integer(UInt8.self) as! T
        case is Double.Type, is Float.Type:
            let d: Double
            switch value {
            case .double(let x): d = x
            case .integer(let i): d = Double(i)
            case .numeric(let n): d = n.doubleValue
            default: throw mismatch()
            }
            return (T.self == Float.self ? Float(d) as! T : d as! T)
        case is String.Type:
            if case .text(let s) = value { return s as! T }
            return value.textValue as! T
        case is Bool.Type:
            switch value {
            case .boolean(let b): return b as! T
            case .integer(let i): return (i != 0) as! T
            default: throw mismatch()
            }
        case is Data.Type:
            guard case .blob(let b) = value else { throw mismatch() }
            return Data(b) as! T
        case is [UInt8].Type:
            guard case .blob(let b) = value else { throw mismatch() }
            return b as! T
        case is Date.Type:
            switch value {
            case .timestamp(let us): return Date(timeIntervalSince1970: Double(us) / 1_000_000) as! T
            case .date(let days): return Date(timeIntervalSince1970: Double(days) * 86_400) as! T
            default: throw mismatch()
            }
        case is SQLValue.Type:
            return value as! T
        case is SQLDecimal.Type:
            switch value {
            case .numeric(let d): return d as! T
            case .integer(let i): return SQLDecimal(i) as! T
            default: throw mismatch()
            }
        default:
            return try T(from: SingleValueDecoder(value: value, codingPath: codingPath))
        }
    }
}

/// Lets a type with its own `init(from:)` (an enum with a raw value, a wrapper) decode from one value.
struct SingleValueDecoder: Decoder {
    let value: SQLValue
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] = [:]
    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "a column value is not a keyed container"))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([SQLValue].self, .init(codingPath: codingPath, debugDescription: "a column value is not a list"))
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueRowContainer(value: value, codingPath: codingPath)
    }
}

struct SingleValueRowContainer: SingleValueDecodingContainer {
    let value: SQLValue
    var codingPath: [any CodingKey]
    func decodeNil() -> Bool { value.isNull }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try SQLValueDecoding.decode(value, as: type, codingPath: codingPath)
    }
}

struct KeyedRowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: Row
    var codingPath: [any CodingKey] = []
    var allKeys: [Key] { row.columns.compactMap { Key(stringValue: $0) } }

    func value(_ key: Key) throws -> SQLValue {
        guard let v = row[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no column named \"\(key.stringValue)\""))
        }
        return v
    }

    func contains(_ key: Key) -> Bool { row.columns.contains(key.stringValue) }
    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try SQLValueDecoding.decode(try value(key), as: type, codingPath: codingPath + [key])
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.typeMismatch(type, .init(codingPath: codingPath + [key], debugDescription: "columns hold single values"))
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([SQLValue].self, .init(codingPath: codingPath + [key], debugDescription: "columns hold single values"))
    }
    func superDecoder() throws -> any Decoder { RowDecoder(row: row, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RowDecoder(row: row, codingPath: codingPath + [key]) }
}
