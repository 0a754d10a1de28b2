import CBasaltCRC32C

/// CRC-32C (Castagnoli), the checksum on every page and log record.
///
/// Convention: `seed` is a previously finished checksum (0 to start), and the result is the finished
/// checksum of everything fed so far, so `checksum(b, seed: checksum(a)) == checksum(a + b)`.
/// `checksum("123456789") == 0xE3069283`. Uses the SSE4.2 instruction when the CPU has it.
public enum CRC32C {
    /// The checksum of `bytes`, continuing from the finished checksum `seed` (0 for a fresh one).
    @inline(__always)
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        basalt_crc32c(seed, bytes.baseAddress, bytes.count)
    }

    /// The checksum of `bytes`, continuing from the finished checksum `seed` (0 for a fresh one).
    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }

    /// The portable software path, for tests that compare it with the hardware path.
    static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        basalt_crc32c_sw(seed, bytes.baseAddress, bytes.count)
    }

    /// Whether `checksum` runs on the CPU's CRC32C instruction.
    static var isHardwareAccelerated: Bool { basalt_crc32c_hardware_available() != 0 }
}
