// CRC-32C with an SSE4.2 fast path and a slicing-by-8 fallback.
//
// Internally every routine works on the raw shift register (pre-inverted); the public entry points do
// the ~crc on entry and exit, which is what makes the "finished CRC in, finished CRC out" convention
// chainable.
//
// The hardware path follows Mark Adler's crc32c.c: the crc32 instruction has a latency of three cycles
// but a throughput of one per cycle, so long inputs are split into three interleaved lanes whose
// registers are recombined with precomputed "append N zero bytes" operators (the CRC register is linear
// over GF(2): reg(A ++ B, c) == shift_|B|(reg(A, c)) ^ reg(B, 0)).

#include "CBasaltCRC32C.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82F63B78u

// Slicing tables: table[0] is the classic byte-at-a-time table; table[k][n] is the register after
// feeding byte n followed by k zero bytes. Written only inside `init_once`.
static uint32_t crc_table[8][256];

#if defined(__x86_64__)
#include <nmmintrin.h>

// Lane lengths for the three-way interleave. Powers of two (required by `zeros_operator`). SHORT keeps
// the interleave useful for 4 KiB pages; LONG amortises the recombination on large buffers.
#define LANE_LONG 2048u
#define LANE_SHORT 256u

// zeros_long[k][n] applies LANE_LONG zero bytes to byte k of the register holding n (likewise short).
static uint32_t zeros_long[4][256];
static uint32_t zeros_short[4][256];
// Set once inside `init_once`; pthread_once gives every later reader a happens-before edge.
static int hardware_available;

static uint32_t gf2_matrix_times(const uint32_t *mat, uint32_t vec) {
    uint32_t sum = 0;
    while (vec) {
        if (vec & 1) sum ^= *mat;
        vec >>= 1;
        mat++;
    }
    return sum;
}

static void gf2_matrix_square(uint32_t *square, const uint32_t *mat) {
    for (int n = 0; n < 32; n++) square[n] = gf2_matrix_times(mat, mat[n]);
}

// Builds in `even` the operator that appends `len` zero bytes to a register; `len` is a power of two.
static void zeros_operator(uint32_t *even, size_t len) {
    uint32_t odd[32];
    odd[0] = POLY; // one zero bit
    uint32_t row = 1;
    for (int n = 1; n < 32; n++) {
        odd[n] = row;
        row <<= 1;
    }
    gf2_matrix_square(even, odd); // two zero bits
    gf2_matrix_square(odd, even); // four zero bits
    // Each square doubles the run; the first one below yields one zero byte.
    do {
        gf2_matrix_square(even, odd);
        len >>= 1;
        if (len == 0) return;
        gf2_matrix_square(odd, even);
        len >>= 1;
    } while (len);
    memcpy(even, odd, sizeof(odd));
}

static void zeros_tables(uint32_t zeros[4][256], size_t len) {
    uint32_t op[32];
    zeros_operator(op, len);
    for (uint32_t n = 0; n < 256; n++) {
        zeros[0][n] = gf2_matrix_times(op, n);
        zeros[1][n] = gf2_matrix_times(op, n << 8);
        zeros[2][n] = gf2_matrix_times(op, n << 16);
        zeros[3][n] = gf2_matrix_times(op, n << 24);
    }
}

static inline uint32_t shift(uint32_t zeros[4][256], uint32_t reg) {
    return zeros[0][reg & 0xff] ^ zeros[1][(reg >> 8) & 0xff] ^ zeros[2][(reg >> 16) & 0xff] ^ zeros[3][reg >> 24];
}

static inline uint64_t load64(const unsigned char *p) {
    uint64_t w;
    memcpy(&w, p, sizeof(w)); // unaligned-safe; compiles to a plain load
    return w;
}

__attribute__((target("sse4.2")))
static uint32_t hw_update(uint32_t reg, const unsigned char *p, size_t n) {
    // Align to 8 so the 64-bit loads never straddle cache lines needlessly.
    while (n && ((uintptr_t)p & 7)) {
        reg = _mm_crc32_u8(reg, *p++);
        n--;
    }
    uint64_t r0 = reg;
    while (n >= 3 * LANE_LONG) {
        uint64_t r1 = 0, r2 = 0;
        const unsigned char *end = p + LANE_LONG;
        do {
            r0 = _mm_crc32_u64(r0, load64(p));
            r1 = _mm_crc32_u64(r1, load64(p + LANE_LONG));
            r2 = _mm_crc32_u64(r2, load64(p + 2 * LANE_LONG));
            p += 8;
        } while (p < end);
        r0 = shift(zeros_long, (uint32_t)r0) ^ (uint32_t)r1;
        r0 = shift(zeros_long, (uint32_t)r0) ^ (uint32_t)r2;
        p += 2 * LANE_LONG;
        n -= 3 * LANE_LONG;
    }
    while (n >= 3 * LANE_SHORT) {
        uint64_t r1 = 0, r2 = 0;
        const unsigned char *end = p + LANE_SHORT;
        do {
            r0 = _mm_crc32_u64(r0, load64(p));
            r1 = _mm_crc32_u64(r1, load64(p + LANE_SHORT));
            r2 = _mm_crc32_u64(r2, load64(p + 2 * LANE_SHORT));
            p += 8;
        } while (p < end);
        r0 = shift(zeros_short, (uint32_t)r0) ^ (uint32_t)r1;
        r0 = shift(zeros_short, (uint32_t)r0) ^ (uint32_t)r2;
        p += 2 * LANE_SHORT;
        n -= 3 * LANE_SHORT;
    }
    while (n >= 8) {
        r0 = _mm_crc32_u64(r0, load64(p));
        p += 8;
        n -= 8;
    }
    reg = (uint32_t)r0;
    while (n--) reg = _mm_crc32_u8(reg, *p++);
    return reg;
}
#endif

static pthread_once_t init_control = PTHREAD_ONCE_INIT;

static void init_once(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
        crc_table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = crc_table[0][n];
        for (int k = 1; k < 8; k++) {
            c = crc_table[0][c & 0xff] ^ (c >> 8);
            crc_table[k][n] = c;
        }
    }
#if defined(__x86_64__)
    zeros_tables(zeros_long, LANE_LONG);
    zeros_tables(zeros_short, LANE_SHORT);
    __builtin_cpu_init();
    hardware_available = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#endif
}

static uint32_t sw_update(uint32_t reg, const unsigned char *p, size_t n) {
    while (n >= 8) {
        // Assembled byte by byte so the code is endian-independent; compilers fold this into loads.
        uint32_t lo = reg ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        reg = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
              crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
              crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) reg = crc_table[0][(reg ^ *p++) & 0xff] ^ (reg >> 8);
    return reg;
}

uint32_t basalt_crc32c_sw(uint32_t crc, const void *data, size_t length) {
    pthread_once(&init_control, init_once);
    return ~sw_update(~crc, (const unsigned char *)data, length);
}

uint32_t basalt_crc32c(uint32_t crc, const void *data, size_t length) {
    pthread_once(&init_control, init_once);
#if defined(__x86_64__)
    if (hardware_available) return ~hw_update(~crc, (const unsigned char *)data, length);
#endif
    return ~sw_update(~crc, (const unsigned char *)data, length);
}

int basalt_crc32c_hardware_available(void) {
#if defined(__x86_64__)
    pthread_once(&init_control, init_once);
    return hardware_available;
#else
    return 0;
#endif
}
