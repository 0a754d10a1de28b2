#define _GNU_SOURCE
#include "CBasaltWriteback.h"

#if defined(__linux__)
#include <fcntl.h>

int basalt_start_writeback(int fd, int64_t offset, int64_t length) {
    return sync_file_range(fd, (off64_t)offset, (off64_t)length, SYNC_FILE_RANGE_WRITE);
}
#else
int basalt_start_writeback(int fd, int64_t offset, int64_t length) {
    (void)fd; (void)offset; (void)length;
    return 0;
}
#endif
