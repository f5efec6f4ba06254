import Foundation
import Testing
@testable import RevenueReport

/// Every page of an examples folder is taken by its format's record scanner and typed as the
/// general parser and the typer type it (both scanners' parity suites hold their examples to this).
func expectExamplePagesScannedAsParsed(_ folder: String, format: WireFormat) throws {
    let directory = packageRoot.appendingPathComponent(folder)
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".\(format.rawValue)") }
    #expect(!files.isEmpty)
    for file in files {
        let page = RawPage(origin: "p", format: format, bytes: try Data(contentsOf: directory.appendingPathComponent(file)))
        let fast = FuzzEntry.scannedOutcomes(page)
        #expect(fast != nil, "\(file) should take the fast path")
        #expect(fast == FuzzEntry.generalOutcomes(page), "\(file)")
    }
}
