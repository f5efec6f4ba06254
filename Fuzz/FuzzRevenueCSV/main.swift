import RevenueReport

/// libFuzzer entry for .csv revenue files through `check` (scripts/fuzz.sh builds it with -sanitize=fuzzer,address).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    RevenueFileFuzzEntry.run(data, size, format: .csv)
    return 0
}
