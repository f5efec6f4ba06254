import RevenueReport

/// libFuzzer entry for JSON pages (scripts/fuzz.sh builds it with -sanitize=fuzzer,address).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    FuzzEntry.run(data, size, format: .json)
    return 0
}
