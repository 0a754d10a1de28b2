#ifndef CBASALT_WRITEBACK_H
#define CBASALT_WRITEBACK_H

#include <stdint.h>

/// Asks the kernel to start writing the dirty pages of `fd` in [offset, offset + length) to the device
/// without waiting for them (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`), so a later `fdatasync`
/// finds them written or in flight instead of writing them all while its caller waits. A hint only:
/// it makes nothing durable. Returns 0, or -1 with errno set; on systems without the call it does
/// nothing and returns 0. Swift's Glibc module does not import `sync_file_range` (a GNU extension).
int basalt_start_writeback(int fd, int64_t offset, int64_t length);

#endif
