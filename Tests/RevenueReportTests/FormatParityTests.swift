import Foundation
import Testing
import RevenueReport
import CustomerGaugeSandbox

/// The JSON and XML renderings of the same data must give byte-identical CSV and NDJSON.
@Suite struct FormatParityTests {
    @Test(arguments: [false, true])
    func generatedPagesGiveIdenticalOutputs(numbersAsNumbers: Bool) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let uploads = UploadGenerator(seed: 7, count: 600, from: CivilDate("2026-01-01")!, to: CivilDate("2026-03-31")!).uploads()
        // Names that stress both renderings, on every upload's neighbour.
        let awkward = uploads.enumerated().map { index, upload in
            var copy = upload
            if index % 3 == 0 { copy.sourceFilename = UploadGenerator.awkwardNames[index % UploadGenerator.awkwardNames.count] + "\r\n tail " }
            return copy
        }
        for (number, start) in stride(from: 0, to: awkward.count, by: 250).enumerated() {
            let page = Array(awkward[start..<min(start + 250, awkward.count)])
            try folder.write("json/page-\(number).json", PageRenderer.json(page, shape: .dataObject, numbersAsStrings: !numbersAsNumbers))
            try folder.write("xml/page-\(number).xml", PageRenderer.xml(page))
        }
        let filter = RecordFilter(from: CivilDate("2026-02-01"), to: CivilDate("2026-02-28"))
        let fromJSON = try await runReplay(folder.path("json"), filter: filter, outputs: [.csv, .ndjson], out: folder.path("out-json"))
        let fromXML = try await runReplay(folder.path("xml"), filter: filter, outputs: [.csv, .ndjson], out: folder.path("out-xml"))
        #expect(fromJSON[.csv]!.count > 10_000)
        #expect(fromJSON[.csv] == fromXML[.csv])
        #expect(fromJSON[.ndjson] == fromXML[.ndjson])
        #expect(fromJSON[.csv]!.contains("\r\n tail "))
    }

    @Test func bundledExamplesGiveIdenticalOutputs() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let json = try await runReplay(packageRoot.appendingPathComponent("examples/responses"), outputs: [.csv, .ndjson], out: folder.path("a"))
        let xml = try await runReplay(packageRoot.appendingPathComponent("examples/responses-xml"), outputs: [.csv, .ndjson], out: folder.path("b"))
        #expect(json[.csv] == xml[.csv])
        #expect(json[.ndjson] == xml[.ndjson])
        #expect(json[.ndjson]!.split(separator: "\n").count == 2300)
    }
}
