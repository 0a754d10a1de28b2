import Testing
@testable import BasaltExecution

@Suite struct TypeResolutionTests {
    @Test func names() {
        #expect(SQLType.integer.name == "integer")
        #expect(SQLType.double.name == "double precision")
        #expect(SQLType.numeric(precision: 10, scale: 2).name == "numeric(10,2)")
        #expect(SQLType.numeric(precision: nil, scale: nil).name == "numeric")
        #expect(SQLType.varchar(30).name == "character varying(30)")
        #expect(SQLType.char(5).name == "character(5)")
        #expect(SQLType.timestamp.name == "timestamp without time zone")
        #expect(SQLType.unknown.name == "unknown")
    }

    @Test func namedTypes() throws {
        let cases: [(String, [Int], SQLType)] = [
            ("int", [], .integer), ("int4", [], .integer), ("int2", [], .smallint), ("int8", [], .bigint),
            ("real", [], .real), ("float4", [], .real), ("float", [], .double), ("float", [24], .real), ("float", [25], .double),
            ("float8", [], .double), ("double precision", [], .double), ("double", [], .double),
            ("numeric", [], .numeric(precision: nil, scale: nil)), ("decimal", [10, 2], .numeric(precision: 10, scale: 2)),
            ("numeric", [5], .numeric(precision: 5, scale: 0)),
            ("text", [], .text), ("string", [], .text), ("varchar", [20], .varchar(20)), ("character varying", [], .varchar(nil)),
            ("char", [], .char(1)), ("character", [3], .char(3)), ("bpchar", [], .char(nil)),
            ("bytea", [], .bytea), ("blob", [], .bytea), ("bool", [], .boolean), ("boolean", [], .boolean),
            ("date", [], .date), ("timestamp", [], .timestamp), ("datetime", [], .timestamp),
        ]
        for (name, mods, type) in cases { #expect(try SQLType.named(name, modifiers: mods) == type, "\(name)") }
        #expect(thrown { try SQLType.named("widget", modifiers: []) } == ExecutionError("42704", "type \"widget\" does not exist", context: ["type": "widget"]))
        #expect(sqlState { try SQLType.named("numeric", modifiers: [40]) } == "22023")
        #expect(sqlState { try SQLType.named("numeric", modifiers: [5, 6]) } == "22023")
        #expect(sqlState { try SQLType.named("varchar", modifiers: [0]) } == "22023")
        #expect(sqlState { try SQLType.named("integer", modifiers: [3]) } == "22023")
    }

    @Test func commonSupertype() {
        #expect(SQLType.commonSupertype(.unknown, .integer) == .integer)
        #expect(SQLType.commonSupertype(.text, .unknown) == .text)
        #expect(SQLType.commonSupertype(.smallint, .bigint) == .bigint)
        #expect(SQLType.commonSupertype(.integer, .numeric(precision: 5, scale: 2)) == .numeric(precision: nil, scale: nil))
        #expect(SQLType.commonSupertype(.numeric(precision: 5, scale: 2), .numeric(precision: 5, scale: 2)) == .numeric(precision: 5, scale: 2))
        #expect(SQLType.commonSupertype(.numeric(precision: nil, scale: nil), .real) == .real)
        #expect(SQLType.commonSupertype(.real, .double) == .double)
        #expect(SQLType.commonSupertype(.varchar(3), .varchar(5)) == .varchar(5))
        #expect(SQLType.commonSupertype(.varchar(3), .text) == .text)
        #expect(SQLType.commonSupertype(.date, .timestamp) == .timestamp)
        #expect(SQLType.commonSupertype(.text, .integer) == nil)
        #expect(SQLType.commonSupertype(.boolean, .integer) == nil)
    }

    @Test func implicitCasts() {
        #expect(SQLType.smallint.canImplicitlyCast(to: .bigint))
        #expect(!SQLType.bigint.canImplicitlyCast(to: .integer))
        #expect(SQLType.integer.canImplicitlyCast(to: .numeric(precision: 10, scale: 2)))
        #expect(SQLType.numeric(precision: nil, scale: nil).canImplicitlyCast(to: .double))
        #expect(!SQLType.double.canImplicitlyCast(to: .numeric(precision: nil, scale: nil)))
        #expect(SQLType.varchar(3).canImplicitlyCast(to: .text) && SQLType.text.canImplicitlyCast(to: .varchar(3)))
        #expect(SQLType.unknown.canImplicitlyCast(to: .date))
        #expect(SQLType.date.canImplicitlyCast(to: .timestamp) && !SQLType.timestamp.canImplicitlyCast(to: .date))
        #expect(!SQLType.integer.canImplicitlyCast(to: .text) && !SQLType.boolean.canImplicitlyCast(to: .integer))
    }

    @Test func classification() {
        #expect(SQLType.smallint.isInteger && !SQLType.real.isInteger)
        #expect(SQLType.real.isNumeric && SQLType.numeric(precision: nil, scale: nil).isNumeric && !SQLType.text.isNumeric)
        #expect(SQLType.char(2).isText && !SQLType.bytea.isText)
        #expect(SQLType.varchar(2).storageClass == .text && SQLType.real.storageClass == .double)
    }
}
