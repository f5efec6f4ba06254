import Foundation
import Testing
@testable import RevenueReport

/// The HTML report as a browser lays it out (headless Chromium, a reader we did not write), at
/// 700 px, on a 390 px phone and at 320 px, with 10, 500 and 10,000 uploads needing attention:
/// nothing may stick out at the right edge or need sideways scrolling, no text renders under
/// 11 px (the chart's labels included), and however many need attention the
/// report stays short (25 cards, then one line each, then a count).
@Suite(.serialized) struct ReportLayoutTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// `count` uploads needing attention (failed, with long unbroken log lines and file names) and as many fine.
    static func document(needingAttention count: Int) -> ReportDocument {
        var uploads: [RevenueUpload] = []
        for index in 0 ..< count * 2 {
            let failing = index % 2 == 0
            let time = UploadTime(localSeconds: 1_767_225_600 + Int64(index) * 37, offsetSeconds: 0)
            let logs: [JSONValue] = failing ? [
                .string("Row \(index + 2), revenue start date: Revenue start date is not a valid date"),
                .string("payload=" + String(repeating: "ABCDEFGHIJ", count: 30)),
                .object([JSONMember("row", .number("7")), JSONMember("message", .string("Account name not found"))]),
            ] : []
            uploads.append(RevenueUpload(id: Int64(1_000_000 + index), status: failing ? "Partially Processed" : "Processed",
                                         sourceFilename: failing ? "EMEA_revenue_" + String(repeating: "very_long_name_", count: 8) + ".xlsx" : "ok.csv",
                                         dateUpload: time, totalRecords: 1_234_567, successfulRecords: failing ? 1_234_564 : 1_234_567,
                                         unsuccessfulRecords: failing ? 3 : 0, logs: logs))
        }
        var document = ReportDocument(uploads: uploads, filter: RecordFilter(from: CivilDate("2026-01-01"), to: CivilDate("2026-12-31")),
                                      sourceDescription: "replay of /var/lib/cg-revenue/archive/2026-with-a-long-folder-name/and-more",
                                      sourceZone: .utc, toolVersion: "test")
        document.outputs = [.csv, .ndjson, .html, .xlsx]
        document.manifestName = "report.manifest.json"
        return document
    }

    /// Lays the page out at `width` and says how wide it is and which elements stick out.
    func layout(_ html: String, width: Int, in folder: TemporaryFolder) async throws -> (scrollWidth: Int, outside: [String], small: [String]) {
        // A measuring script added to a copy (the report itself has no JavaScript), laid out in a
        // frame exactly `width` wide (headless Chromium's own window is at least 500 px): its
        // answer goes into the outer page's title, which --dump-dom prints.
        let probe = """
            <script>
            const outside = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
              .slice(0, 5).map(e => e.tagName + ':' + (e.textContent || '').trim().slice(0, 40));
            // Every element that shows text of its own, at the size it renders: an SVG text scales
            // with its drawing (its screen matrix), HTML text is its computed size.
            const small = [...document.querySelectorAll('body *')].filter(e => !['TITLE', 'SCRIPT', 'STYLE', 'title'].includes(e.tagName) &&
                !e.closest('title') && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== '') && e.getClientRects().length > 0)
              .map(e => ({e: e, px: parseFloat(getComputedStyle(e).fontSize) * (e instanceof SVGElement && e.getScreenCTM ? e.getScreenCTM().a : 1)}))
              .filter(x => x.px < 11).slice(0, 5).map(x => x.e.tagName + ' ' + x.px.toFixed(1) + 'px:' + x.e.textContent.trim().slice(0, 40));
            parent.document.title = 'LAYOUT ' + JSON.stringify({frame: window.innerWidth, width: document.documentElement.scrollWidth, outside: outside, small: small});
            </script>
            """
        let measured = html.replacingOccurrences(of: "</body>", with: probe + "</body>")
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
        let page = try folder.write("frame-\(width).html", """
            <!DOCTYPE html><html><head><title>none</title></head><body style="margin:0">
            <iframe style="width:\(width)px;height:900px;border:0" srcdoc="\(measured)"></iframe></body></html>
            """)
        let arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,1000",
                         "--user-data-dir=\(folder.path("chromium-profile").path)", "--dump-dom", page.absoluteString]
        // Chromium takes seconds: wait on a thread of its own, not on the cooperative pool.
        let dom = try await runTool(Self.chromium!, arguments).output
        guard let start = dom.range(of: "LAYOUT "), let end = dom.range(of: "</title>", range: start.upperBound ..< dom.endIndex) else {
            Issue.record("Chromium printed no layout")
            return (Int.max, [], [])
        }
        let json = String(dom[start.upperBound ..< end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        let value = try JSONParser.parse(Data(json.utf8))
        #expect(value["frame"]?.numberText == String(width), "the frame is \(width) px wide")
        let outside = value["outside"]?.arrayItems.map(\.compactText) ?? []
        let small = value["small"]?.arrayItems.map(\.compactText) ?? []
        return (Int(value["width"]?.numberText ?? "") ?? Int.max, outside, small)
    }

    @Test(.enabled(if: chromium != nil, "needs chromium (.ci/run installs it)"), arguments: [10, 500, 10_000])
    func fitsA390PixelPhoneAnd700PixelsWithoutSidewaysScrolling(needingAttention count: Int) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let html = String(decoding: try HTMLWriter().render(Self.document(needingAttention: count)), as: UTF8.self)
        for width in [320, 390, 700] {
            let laidOut = try await layout(html, width: width, in: folder)
            #expect(laidOut.scrollWidth <= width, "at \(width) px the page is \(laidOut.scrollWidth) px wide")
            #expect(laidOut.outside.isEmpty, "at \(width) px these stick out: \(laidOut.outside)")
            // The chart's labels too: no text renders under 11 px however narrow the page.
            #expect(laidOut.small.isEmpty, "at \(width) px these render under 11 px: \(laidOut.small)")
        }
        // However many need attention: 25 cards, then a line each up to the report's limit, then how many more.
        let cards = html.components(separatedBy: "class=\"card\"").count - 1
        #expect(cards == min(count, HTMLWriter.attentionCardLimit))
        if count > HTMLWriter.attentionLimit {
            #expect(html.contains("… and \(HTMLWriter.grouped(count - HTMLWriter.attentionLimit)) more that need attention: report.csv, report.ndjson and report.xlsx list every upload"))
        }
        #expect(html.contains("Needs attention (\(HTMLWriter.grouped(count)))"))
        #expect(html.utf8.count < 2_000_000, "the report stays small enough to email")
    }
}
