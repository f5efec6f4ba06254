import CMallocTuning

/// Keeps peak memory flat over long runs. The pipeline allocates and frees large buffers all
/// run long (pages, rendered rows, 1 MB output chunks); glibc raises its mmap threshold after
/// the first such buffer is freed and then serves ever larger ones from the heap, where they
/// fragment it, so that peak memory creeps up with the length of the run (measured: 42 MB at
/// 100,000 XML uploads, 48 MB at 1,000,000). A fixed threshold stops the creep. It is 4 MB, above
/// every per-page buffer: below it (256 KB before), each page's buffers were fresh mappings, and
/// on these VMs touching fresh pages costs more than the copy into them (1M XML uploads: 0.86x
/// wall with 4 MB against 256 KB, 7 pairs). The price is 2-5 MB of peak: 48 MB for JSON at 100k
/// and at 1M, 50-52 MB for XML, 52-57 MB when sorting (medians of 3, bench/results.md).
/// mallopt is not in Swift's Glibc module, hence the small C target.
enum MemoryTuning {
    static func apply() {
        cg_fix_mmap_threshold(4 * 1024 * 1024)
    }
}
