import Foundation
import Testing
import RevenueReport

/// A small mixed JSON + XML fixture against CSV and NDJSON checked by hand: order by date then
/// id, a repeated id dropped, unknown counts, a zero total, quoting, the formula guard, logs.
@Suite struct GoldenTests {
    let fixtures = packageRoot.appendingPathComponent("Tests/RevenueReportTests/Fixtures/golden")

    @Test func csvAndNDJSONMatchTheGoldenFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let outputs = try await runReplay(fixtures.appendingPathComponent("pages"), outputs: [.csv, .ndjson], out: folder.url)
        #expect(outputs[.csv] == (try String(contentsOf: fixtures.appendingPathComponent("expected.csv"), encoding: .utf8)))
        #expect(outputs[.ndjson] == (try String(contentsOf: fixtures.appendingPathComponent("expected.ndjson"), encoding: .utf8)))
    }

    @Test func theSameInputGivesTheSameBytesTwice() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let first = try await runReplay(fixtures.appendingPathComponent("pages"), out: folder.path("1"))
        let second = try await runReplay(fixtures.appendingPathComponent("pages"), out: folder.path("2"))
        #expect(first == second)
    }
}
