import Testing
@testable import BasaltStorage

@Suite("CRC32C")
struct CRC32CTests {
    @Test("check value of \"123456789\"")
    func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test("RFC 3720 (iSCSI) vectors")
    func iscsiVectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
    }

    @Test("empty input returns the seed unchanged")
    func emptyInput() {
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([], seed: 0xDEAD_BEEF) == 0xDEAD_BEEF)
        #expect(CRC32C.checksum(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
    }

    @Test("chaining equals one shot at every split point")
    func chaining() {
        var random = SeededRandom(seed: 7)
        let bytes = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let whole = CRC32C.checksum(bytes)
        for split in [0, 1, 7, 8, 9, 255, 768, 769, 2048, 4096, 4999, 5000] {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            #expect(CRC32C.checksum(Array(bytes[split...]), seed: first) == whole, "split \(split)")
        }
    }

    @Test("software path matches the check values")
    func softwareVectors() {
        let digits = Array("123456789".utf8)
        digits.withUnsafeBytes { #expect(CRC32C.softwareChecksum($0) == 0xE306_9283) }
        [UInt8](repeating: 0, count: 32).withUnsafeBytes { #expect(CRC32C.softwareChecksum($0) == 0x8A91_36AA) }
    }

    @Test("dispatching path equals software path on random buffers, lengths and alignments")
    func hardwareMatchesSoftware() {
        let seed: UInt64 = 0xC0FFEE
        var random = SeededRandom(seed: seed)
        // Lengths reach past 3 × 2048 so every interleaved-lane loop and every tail runs.
        let pool = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        pool.withUnsafeBytes { all in
            for iteration in 0..<2_000 {
                let start = Int.random(in: 0..<64, using: &random)
                let length = iteration < 100 ? iteration : Int.random(in: 0..<(all.count - start), using: &random)
                let crcSeed = UInt32.random(in: 0...UInt32.max, using: &random)
                let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                #expect(
                    CRC32C.checksum(slice, seed: crcSeed) == CRC32C.softwareChecksum(slice, seed: crcSeed),
                    "seed \(seed) iteration \(iteration) start \(start) length \(length)"
                )
            }
        }
    }
}
