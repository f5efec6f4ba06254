#ifndef CG_MALLOC_TUNING_H
#define CG_MALLOC_TUNING_H

/// Fixes glibc's mmap threshold at `bytes` (no effect with other C libraries): see MemoryTuning.swift.
void cg_fix_mmap_threshold(int bytes);

#endif
