import CMallocTuning

/// Keeps peak memory flat over long runs. The pipeline allocates and frees large buffers all
/// run long (pages, rendered rows, 1 MB output chunks); glibc raises its mmap threshold after
/// the first such buffer is freed and then serves ever larger ones from the heap, where they
/// fragment it, so that peak memory creeps up with the length of the run. A fixed threshold
/// stops the creep. It is 4 MB, above every per-page buffer: below it, each page's buffers were
/// fresh mappings, and touching fresh pages cost more than the copy into them. What it costs and
/// saves, measured: `bench/results.md` (peak RSS lines).
/// mallopt is not in Swift's Glibc module, hence the small C target.
enum MemoryTuning {
    static func apply() {
        cg_fix_mmap_threshold(4 * 1024 * 1024)
    }
}
