import Foundation
import Testing
@testable import RevenueReport

@Suite struct HTMLTests {
    func render(_ uploads: [RevenueUpload], rejections: [RecordRejection] = []) throws -> String {
        let document = ReportDocument(uploads: uploads, rejections: rejections, filter: RecordFilter(from: CivilDate("2026-01-01"), to: CivilDate("2026-01-31")),
                                      sourceDescription: "replay of <dir>", sourceZone: .utc, toolVersion: "t")
        return String(decoding: try HTMLWriter().render(document), as: UTF8.self)
    }

    func upload(_ id: Int64, filename: String, status: String = "Failed", logs: [JSONValue] = []) -> RevenueUpload {
        RevenueUpload(id: id, status: status, sourceFilename: filename, dateUpload: UploadTime.parse("2026-01-05 10:00:00", zone: .utc)!,
                      totalRecords: 2, successfulRecords: 0, unsuccessfulRecords: 2, logs: logs)
    }

    @Test func scriptTagsAndQuotesAreEscapedEverywhere() throws {
        let html = try render([upload(1, filename: "<script>alert(\"x\")</script>'.csv", status: "<b>Failed</b>",
                                      logs: [.string("<img src=x onerror=alert(1)>"), .object([JSONMember("m", .string("\"q\" & <t>"))])])],
                              rejections: [RecordRejection(page: "<p>", position: 1, id: "<i>", reason: "bad <x>")])
        #expect(!html.contains("<script>"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>Failed"))
        #expect(!html.contains("<i>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;.csv"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("{&quot;m&quot;:&quot;\\&quot;q\\&quot; &amp; &lt;t&gt;&quot;}"))
        #expect(LogEntryReading.line(.object([JSONMember("row", .number("38")), JSONMember("column", .string("revenue amount")), JSONMember("message", .string("not whole"))]))
            == "Row 38, revenue amount: not whole")
        #expect(html.contains("replay of &lt;dir&gt;"))
    }

    @Test func noJavaScriptAndNoExternalAssets() throws {
        let html = try render([upload(1, filename: "a.csv")])
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src=\"http"))
        #expect(!html.contains("href=\"http"))
        #expect(!html.contains("<link"))
    }

    /// The KPI cards as label → value, read from the markup.
    func kpis(_ html: String) -> [String: String] {
        let pattern = #/text-transform:uppercase;color:#52606d;">([^<]+)</div>\s*<div style="font-size:19px;font-weight:bold;color:#1f2933;white-space:nowrap;">([^<]+)</div>/#
        var cards: [String: String] = [:]
        for match in html.matches(of: pattern) { cards[String(match.1)] = String(match.2) }
        return cards
    }

    @Test func showsKPIsAttentionAndTable() throws {
        var processing = upload(9, filename: "busy.csv", status: "Processing")
        (processing.totalRecords, processing.successfulRecords, processing.unsuccessfulRecords) = (1_500, 0, 0)
        var partial = upload(7, filename: "broken.csv", logs: [.string("File could not be read")])
        (partial.totalRecords, partial.successfulRecords, partial.unsuccessfulRecords) = (10, 7, 3)
        let html = try render([partial, upload(8, filename: "fine.csv", status: "Processed"), processing])
        #expect(kpis(html) == ["Uploads": "3", "Records": "1,512", "Successful": "7", "Unsuccessful": "5", "Success rate": "0.46%"])
        // The records that are neither successful nor unsuccessful are said, so the cards add up.
        #expect(html.contains("Of 1,512 records, 7 are successful, 5 unsuccessful and 1,500 not yet either: their 1 upload(s) are still being processed."))
        #expect(html.contains("2026-01-01 to 2026-01-31"))
        #expect(html.contains("Needs attention (3)"))
        #expect(html.contains("File could not be read"))
        #expect(html.contains("broken.csv") && html.contains("fine.csv"))
    }

    @Test func noPendingLineWhenTheRecordsAddUp() throws {
        let html = try render([upload(8, filename: "fine.csv", status: "Processed")])
        #expect(kpis(html)["Records"] == "2")
        #expect(!html.contains("not yet either"))
    }

    @Test func anEmptyRangeSaysSo() throws {
        let html = try render([])
        #expect(html.contains("No uploads in this range"))
        #expect(!html.contains("All uploads"))
    }

    @Test func theCompiledInTemplateIsTheEditableOne() throws {
        let source = try String(contentsOf: packageRoot.appendingPathComponent("templates/report.html.mustache"), encoding: .utf8)
        #expect(DefaultTemplate.reportHTML + "\n" == source, "run scripts/embed-template.sh after editing templates/report.html.mustache")
    }

    @Test func groupingAndPercent() {
        #expect(HTMLWriter.grouped(1_234_567) == "1,234,567")
        #expect(HTMLWriter.grouped(999) == "999")
        #expect(HTMLWriter.percent("0.9731") == "97.31%")
        #expect(HTMLWriter.percent("1.0000") == "100.00%")
    }
}
