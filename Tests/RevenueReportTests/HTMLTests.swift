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
        #expect(HTMLWriter.logText(.object([JSONMember("row", .number("38")), JSONMember("column", .string("revenue amount")), JSONMember("message", .string("not whole"))]))
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

    @Test func showsKPIsAttentionAndTable() throws {
        let html = try render([upload(7, filename: "broken.csv", logs: [.string("File could not be read")]),
                               upload(8, filename: "fine.csv", status: "Processed")])
        #expect(html.contains("2026-01-01 to 2026-01-31"))
        #expect(html.contains("Needs attention (2)"))
        #expect(html.contains("File could not be read"))
        #expect(html.contains("broken.csv") && html.contains("fine.csv"))
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
