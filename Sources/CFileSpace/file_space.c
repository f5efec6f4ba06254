#define _GNU_SOURCE  // fallocate, sync_file_range and their flags, which glibc declares only here (Swift's Glibc module does not)
#include "file_space.h"

#if defined(__linux__)
#include <fcntl.h>
#endif

int cg_punch_hole(int descriptor, long long offset, long long length) {
#if defined(__linux__) && defined(FALLOC_FL_PUNCH_HOLE)
    return fallocate(descriptor, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length);
#else
    (void)descriptor; (void)offset; (void)length;
    return -1;
#endif
}

int cg_start_writeback(int descriptor, long long offset, long long length) {
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    return sync_file_range(descriptor, (off_t)offset, (off_t)length, SYNC_FILE_RANGE_WRITE);
#else
    (void)descriptor; (void)offset; (void)length;
    return -1;
#endif
}
