#ifndef CG_FILE_SPACE_H
#define CG_FILE_SPACE_H

/// Gives `length` bytes of the file from `offset` back to the file system (Linux's
/// fallocate(FALLOC_FL_PUNCH_HOLE), the file's size kept): its pages leave the page cache at
/// once. 0 when done, else -1 (not Linux, or a file system that cannot: nothing changes).
int cg_punch_hole(int descriptor, long long offset, long long length);

/// Starts writing `length` bytes of the file from `offset` to the disk without waiting for it
/// (Linux's sync_file_range(SYNC_FILE_RANGE_WRITE)), so that a later fsync has little left to
/// wait for. Durability still comes only from fsync. 0 when started, else -1 (not Linux).
int cg_start_writeback(int descriptor, long long offset, long long length);

#endif
