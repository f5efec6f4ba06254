import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// The generator's `--dates random` (ids in order, upload times at random, as another imitation
/// of the API sends them): the same uploads give the same outputs as in date order.
@Suite struct RandomDatesTests {
    @Test func uploadsWithDatesAtRandomGiveTheRowsOfTheSameUploadsInDateOrder() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let uploads = UploadGenerator(seed: 11, count: 3_000, from: CivilDate("2026-01-01")!, to: CivilDate("2026-03-31")!, datesInOrder: false).uploads()
        #expect(uploads.map(\.id) == uploads.map(\.id).sorted())
        #expect(uploads.map(\.dateUpload) != uploads.map(\.dateUpload).sorted(), "the dates come out of order")
        let inOrder = uploads.sorted { ($0.dateUpload, $0.id) < ($1.dateUpload, $1.id) }
        for (name, list) in [("random", uploads), ("ordered", inOrder)] {
            for (number, start) in stride(from: 0, to: list.count, by: 500).enumerated() {
                _ = try folder.write("\(name)/pages/page-\(number + 1000).json", PageRenderer.json(Array(list[start ..< min(start + 500, list.count)])))
            }
        }
        let filter = RecordFilter(from: CivilDate("2026-02-01"), to: CivilDate("2026-03-15"))
        // A small sort run, so that the out-of-order data spills runs to disk and is merged.
        // (The HTML names its source folder: that is the one difference allowed.)
        let random = try await runReplay(folder.path("random/pages"), filter: filter, sortRunBytes: 64 << 10, out: folder.path("out-random"))
        let ordered = try await runReplay(folder.path("ordered/pages"), filter: filter, out: folder.path("out-ordered"))
        #expect(random[.csv] == ordered[.csv] && random[.ndjson] == ordered[.ndjson])
        #expect(random[.html]?.replacingOccurrences(of: "random/pages", with: "pages") == ordered[.html]?.replacingOccurrences(of: "ordered/pages", with: "pages"))
        #expect((random[.csv]?.split(separator: "\r\n").count ?? 0) > 1_000)
    }
}
