#ifndef CG_FILE_SPACE_H
#define CG_FILE_SPACE_H

/// Gives `length` bytes of the file from `offset` back to the file system (Linux's
/// fallocate(FALLOC_FL_PUNCH_HOLE), the file's size kept): its pages leave the page cache at
/// once. 0 when done, else -1 (not Linux, or a file system that cannot: nothing changes).
int cg_punch_hole(int descriptor, long long offset, long long length);

#endif
