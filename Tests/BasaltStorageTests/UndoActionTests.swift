import Testing
@testable import BasaltStorage

/// `UndoAction` as logged in update records: every kind round-trips, packed key lists keep their keys
/// in order (empty and long keys included), and a packed list that does not parse is corruption.
@Suite struct UndoActionTests {
    static func roundTrip(_ action: UndoAction) throws -> UndoAction {
        var out = LogPayloadWriter()
        action.encode(into: &out)
        var reader = LogPayloadReader(LogRecord(lsn: 64, transaction: 1, previousLSN: 0, type: .update, payload: out.bytes))
        let decoded = try UndoAction.decode(&reader)
        #expect(reader.isAtEnd)
        return decoded
    }

    @Test func everyKindRoundTrips() throws {
        var rng = SeededRandom(seed: 0xD0_0001)
        let keys = [[]] + (0..<50).map { _ in rng.bytes(Int.random(in: 1...300, using: &rng)) }
        var packed: [UInt8] = []
        for key in keys { key.withUnsafeBytes { UndoAction.appendPacked($0, to: &packed) } }
        var unpacked: [[UInt8]] = []
        #expect(UndoAction.forEachPacked(packed) { unpacked.append(Array($0)) })
        #expect(unpacked == keys)
        let actions: [UndoAction] = [
            .none, .removeKey(slot: .keyValue, key: keys[3]), .restoreValue(slot: .tables, key: keys[4], value: keys[5]),
            .removeKeys(slot: .tables, packed: packed), .removeKeys(slot: .keyValue, packed: []),
            .many([.restoreValue(slot: .tables, key: keys[1], value: []), .removeKeys(slot: .tables, packed: packed)]),
            .removeRange(slot: .tables, lower: [], upper: keys[6]), .removeRange(slot: .keyValue, lower: keys[7], upper: keys[7]),
        ]
        for action in actions { #expect(try Self.roundTrip(action) == action) }
    }

    @Test func malformedPackedKeysAreCorruption() throws {
        var packed: [UInt8] = []
        [UInt8](repeating: 7, count: 20).withUnsafeBytes { UndoAction.appendPacked($0, to: &packed) }
        for broken in [Array(packed.dropLast()), packed + [0x85], [0xFF, 0xFF]] {
            #expect(UndoAction.forEachPacked(broken) { _ in } == false)
            #expect(throws: StorageError.self) { _ = try Self.roundTrip(.removeKeys(slot: .tables, packed: broken)) }
        }
    }

    /// A key range whose upper key sorts before its lower key, or a range inside a run's list of
    /// actions, is not what `putSorted` writes: corruption, not a rollback that removes other keys.
    @Test func malformedKeyRangesAreCorruption() throws {
        #expect(throws: StorageError.self) { _ = try Self.roundTrip(.removeRange(slot: .tables, lower: [2], upper: [1, 9])) }
        #expect(throws: StorageError.self) {
            _ = try Self.roundTrip(.many([.removeKey(slot: .tables, key: [1]), .removeRange(slot: .tables, lower: [2], upper: [3])]))
        }
    }
}
