import BasaltExecution
import Foundation

/// A Swift value that can be bound to a statement parameter (`$1`, `?`).
///
/// Conforming: `Int`, `Int64`, `Int32`, `Int16`, `Double`, `Float`, `String`, `Bool`, `[UInt8]`, `Data`,
/// `Date` (a timestamp), `SQLValue`, and `Optional` of any of them (`nil` binds NULL).
public protocol SQLParameter {
    /// The value as SQL sees it.
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLParameter { @inlinable public var sqlValue: SQLValue { self } }
extension Int: SQLParameter { @inlinable public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLParameter { @inlinable public var sqlValue: SQLValue { .integer(self) } }
extension Int32: SQLParameter { @inlinable public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int16: SQLParameter { @inlinable public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Double: SQLParameter { @inlinable public var sqlValue: SQLValue { .double(self) } }
extension Float: SQLParameter { @inlinable public var sqlValue: SQLValue { .double(Double(self)) } }
extension String: SQLParameter { @inlinable public var sqlValue: SQLValue { .text(self) } }
extension Substring: SQLParameter { public var sqlValue: SQLValue { .text(String(self)) } }
extension Bool: SQLParameter { @inlinable public var sqlValue: SQLValue { .boolean(self) } }
extension Array: SQLParameter where Element == UInt8 { public var sqlValue: SQLValue { .blob(self) } }
extension Data: SQLParameter { public var sqlValue: SQLValue { .blob([UInt8](self)) } }
extension Date: SQLParameter {
    public var sqlValue: SQLValue { .timestamp(Int64((timeIntervalSince1970 * 1_000_000).rounded())) }
}
extension Optional: SQLParameter where Wrapped: SQLParameter {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
