import RevenueReport

/// libFuzzer entry for .xlsx revenue files through `check` (scripts/fuzz.sh builds it with -sanitize=fuzzer,address).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    RevenueFileFuzzEntry.run(data, size, format: .xlsx)
    return 0
}
