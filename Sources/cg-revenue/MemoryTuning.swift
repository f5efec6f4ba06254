import CMallocTuning

/// Keeps peak memory flat over long runs. The pipeline allocates and frees large buffers all
/// run long (pages, rendered rows, 1 MB output chunks); glibc raises its mmap threshold after
/// the first such buffer is freed and then serves them from the heap, where they fragment it,
/// so that peak memory creeps up with the length of the run (measured: 42 MB at 100,000 XML
/// uploads, 48 MB at 1,000,000). A fixed threshold keeps them mapped and returned whole
/// (39 and 40 MB). mallopt is not in Swift's Glibc module, hence the small C target.
enum MemoryTuning {
    static func apply() {
        cg_fix_mmap_threshold(256 * 1024)
    }
}
