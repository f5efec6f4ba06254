import Foundation
import RevenueReport

/// libFuzzer entry: a JSON page through Parse and the record typing, as the pipeline runs them.
/// Any crash, hang or sanitizer report is a bug; thrown errors are the expected way to say no.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let page = RawPage(origin: "fuzz.json", format: .json, bytes: Data(bytes: data, count: size))
    if let parsed = try? PageParser.parse(page) {
        let typer = RecordTyper(zone: .utc)
        for record in parsed.records { _ = typer.type(record) }
    }
    return 0
}
