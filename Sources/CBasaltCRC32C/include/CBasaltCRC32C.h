#ifndef CBASALT_CRC32C_H
#define CBASALT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final xor 0xFFFFFFFF).
///
/// Convention: `crc` is a previously *finished* CRC (0 to start a new one) and the result is the finished
/// CRC of everything fed so far, so calls chain:
///     basalt_crc32c(basalt_crc32c(0, a, na), b, nb) == basalt_crc32c(0, a ++ b, na + nb)
/// and basalt_crc32c(0, "123456789", 9) == 0xE3069283.
///
/// Uses the SSE4.2 `crc32` instruction when the CPU supports it (checked once at first use), otherwise
/// the slicing-by-8 software path. Both give identical results. Thread-safe; `data` may be NULL only
/// when `length` is 0.
uint32_t basalt_crc32c(uint32_t crc, const void *data, size_t length);

/// The portable slicing-by-8 implementation behind `basalt_crc32c`, with the same convention. Exposed so
/// tests can check the hardware path against it and benchmarks can measure it.
uint32_t basalt_crc32c_sw(uint32_t crc, const void *data, size_t length);

/// 1 when `basalt_crc32c` uses the hardware instruction on this CPU, otherwise 0.
int basalt_crc32c_hardware_available(void);

#ifdef __cplusplus
}
#endif

#endif
