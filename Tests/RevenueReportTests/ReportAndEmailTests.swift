import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// The HTML summary people read and the email it travels in.
@Suite struct ReportAndEmailTests {
    let examples = packageRoot.appendingPathComponent("examples/responses")

    func run(_ folder: URL, filter: RecordFilter, outputs: [OutputKind] = [.csv, .html], mail: MailSettings = MailSettings(),
             now: Date? = Date(timeIntervalSince1970: 1_780_000_000), out: URL) async throws -> [OutputKind: [UInt8]] {
        var configuration = ReportConfiguration(filter: filter, outputs: outputs, outDirectory: out, stem: "report")
        configuration.mail = mail
        configuration.generatedAt = now
        _ = try await Pipeline.run(source: ReplaySource(directory: folder), configuration: configuration, logger: quietLogger)
        var result: [OutputKind: [UInt8]] = [:]
        for kind in outputs { result[kind] = Array(try Data(contentsOf: out.appendingPathComponent("report.\(kind.fileExtension)"))) }
        return result
    }

    /// (successful, unsuccessful) of every bar the SVG draws.
    func bars(_ html: String) -> [(Int, Int)] {
        let pattern = /data-successful="(\d+)" data-unsuccessful="(\d+)"/
        return html.matches(of: pattern).map { (Int($0.output.1)!, Int($0.output.2)!) }
    }

    @Test(arguments: [("2026-03-01", "2026-03-31", 31), ("2026-01-01", "2026-06-30", 27), (nil, nil, 33)])
    func theTimelineBarsAddUpToTheTotals(from: String?, to: String?, expectedBars: Int) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let filter = RecordFilter(from: from.flatMap(CivilDate.init), to: to.flatMap(CivilDate.init))
        let result = try await run(examples, filter: filter, outputs: [.ndjson, .html], out: folder.url)
        let html = String(decoding: result[.html]!, as: UTF8.self)
        let drawn = bars(html)
        #expect(drawn.count == expectedBars)  // day, week (Monday-based) or month buckets
        // The totals, straight from the NDJSON.
        var successful = 0, unsuccessful = 0
        for line in String(decoding: result[.ndjson]!, as: UTF8.self).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if let total = object["total_records"] as? Int, let ok = object["successful_records"] as? Int {
                successful += ok
                unsuccessful += (object["unsuccessful_records"] as? Int) ?? max(0, total - ok)
            }
        }
        #expect(drawn.map(\.0).reduce(0, +) == successful)
        #expect(drawn.map(\.1).reduce(0, +) == unsuccessful)
        #expect(successful > 0 && unsuccessful > 0)
        #expect(html.contains("Records per \(expectedBars == 31 ? "day" : "week")"))
    }

    @Test func beyondAYearTheTimelineIsPerMonthAndStillAddsUp() {
        let days = (0..<800).map { offset in
            Summary.Day(date: CivilDate("2024-01-01")!.adding(days: offset), uploads: 1, successfulRecords: offset % 7, unsuccessfulRecords: offset % 3)
        }
        let timeline = Timeline(days: days, from: nil, to: nil)
        #expect(timeline.granularity == .month)
        #expect(timeline.buckets.count == 27)  // January 2024 to March 2026
        #expect(timeline.buckets.map(\.successful).reduce(0, +) == days.map(\.successfulRecords).reduce(0, +))
        #expect(timeline.buckets.map(\.unsuccessful).reduce(0, +) == days.map(\.unsuccessfulRecords).reduce(0, +))
        #expect(timeline.buckets[1].label == "2024-02" && timeline.buckets[1].uploads == 29)
        let weeks = Timeline(days: Array(days.prefix(100)), from: nil, to: nil)
        #expect(weeks.granularity == .week)
        #expect(weeks.buckets.first?.label == "week of 2024-01-01")  // a Monday
    }

    @Test func everyDataStringIsEscaped() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let hostile = [
            recordJSON(id: "1", status: "<b>Failed</b>", filename: "<script>alert('x')</script>.csv", date: "2026-03-02 10:00:00", successful: "1", unsuccessful: "2",
                       logs: #"["<img src=x onerror=alert(1)>", {"message": "\"quoted\" & <tag>"}]"#),
            recordJSON(id: "2", filename: "Tom & Jerry \"Q1\".xlsx", date: "2026-03-03 10:00:00"),
            recordJSON(id: "3", filename: "עברית revenue.csv", date: "2026-03-04 10:00:00"),
            recordJSON(id: "4", filename: "rocket 🚀 accounts.xlsx", date: "2026-03-05 10:00:00"),
        ]
        try folder.write("pages/p.json", "[" + hostile.joined(separator: ",") + "]")
        let html = String(decoding: try await run(folder.path("pages"), filter: RecordFilter(), out: folder.path("out"))[.html]!, as: UTF8.self)
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>Failed"))
        #expect(!html.contains("<tag>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;.csv"))
        #expect(html.contains("Tom &amp; Jerry &quot;Q1&quot;.xlsx"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("עברית revenue.csv"))
        #expect(html.contains("rocket 🚀 accounts.xlsx"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url(http"))
    }

    @Test func anEmptyRangeRendersAClearEmptyState() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await run(examples, filter: RecordFilter(from: CivilDate("2030-01-01"), to: CivilDate("2030-01-31")), out: folder.url)
        let html = String(decoding: result[.html]!, as: UTF8.self)
        #expect(html.contains("No uploads in this range"))
        #expect(html.contains("2,300 record(s) in all") || html.contains("2300 record(s) in all"))
        #expect(!html.contains("<svg"))
        #expect(String(decoding: result[.csv]!, as: UTF8.self).split(separator: "\r\n").count == 1)
    }

    @Test func theSameInputAndNowGiveTheSameHTMLAndEMLBytes() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let mail = MailSettings(from: "reports@example.com", to: ["finance@example.com"], subject: nil, attach: [.csv, .ndjson])
        let filter = RecordFilter(from: CivilDate("2026-03-01"), to: CivilDate("2026-03-31"))
        let first = try await run(examples, filter: filter, outputs: [.html, .eml], mail: mail, out: folder.path("a"))
        let second = try await run(examples, filter: filter, outputs: [.html, .eml], mail: mail, out: folder.path("b"))
        #expect(first[.html] == second[.html])
        #expect(first[.eml] == second[.eml])
        let other = try await run(examples, filter: filter, outputs: [.html, .eml], mail: mail, now: Date(timeIntervalSince1970: 1_790_000_000), out: folder.path("c"))
        #expect(other[.eml] != first[.eml])
    }

    @Test func theEmailParsesWithAStandardMIMEParserAndCarriesTheExactCSV() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let mail = MailSettings(from: "Reports <reports@example.com>", to: ["finance@example.com", "ops@example.com"],
                                subject: "Umsätze {{range}} — {{attention}} zu prüfen 🚀", attach: [.csv])
        let result = try await run(examples, filter: RecordFilter(from: CivilDate("2026-03-01"), to: CivilDate("2026-03-31")),
                                   outputs: [.csv, .html, .eml], mail: mail, out: folder.url)
        let eml = String(decoding: result[.eml]!, as: UTF8.self)
        #expect(!eml.contains("\n") || eml.replacingOccurrences(of: "\r\n", with: "").contains("\n") == false)
        for line in eml.split(separator: "\r\n", omittingEmptySubsequences: false) { #expect(line.utf8.count <= 998) }
        let script = """
            import email, email.policy, json, sys
            message = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
            parts = [(p.get_content_type(), p.get_filename()) for p in message.walk()]
            csv = [p for p in message.walk() if p.get_filename() == 'report.csv'][0].get_payload(decode=True)
            html = message.get_body(preferencelist=('html',)).get_content()
            text = message.get_body(preferencelist=('plain',)).get_content()
            open(sys.argv[2], 'wb').write(csv)
            print(json.dumps({'subject': str(message['subject']), 'to': str(message['to']), 'from': str(message['from']),
                              'date': str(message['date']), 'id': str(message['message-id']), 'parts': parts,
                              'html_has_table': 'All uploads' in html, 'text': text[:60], 'defects': len(message.defects)}))
            """
        try folder.write("parse.py", script)
        // Python's exit status is checked by `runPython` (it throws unless 0), off the cooperative pool.
        let parsed = try await runPython(folder.path("parse.py"), [folder.path("report.eml").path, folder.path("decoded.csv").path])
        #expect(parsed["subject"] as? String == "Umsätze 2026-03-01 to 2026-03-31 — 110 zu prüfen 🚀")
        #expect(parsed["to"] as? String == "finance@example.com, ops@example.com")
        #expect(parsed["from"] as? String == "Reports <reports@example.com>")
        #expect(parsed["date"] as? String == "Thu, 28 May 2026 20:26:40 +0000")
        #expect((parsed["id"] as? String)?.hasSuffix("@example.com>") == true)
        #expect((parsed["defects"] as? Int) == 0)
        #expect(parsed["html_has_table"] as? Bool == true)
        #expect((parsed["text"] as? String)?.hasPrefix("Revenue uploads, 2026-03-01 to 2026-03-31") == true)
        let types = (parsed["parts"] as! [[Any]]).map { $0[0] as! String }
        #expect(types == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/csv"])
        #expect(Array(try Data(contentsOf: folder.path("decoded.csv"))) == result[.csv]!)
    }

    @Test func emlNeedsARecipientAndRefusesHeaderInjection() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        await #expect(throws: ReportError.self) {
            _ = try await run(examples, filter: RecordFilter(), outputs: [.eml], out: folder.url)
        }
        // A header cannot be smuggled in through an address: it is refused when the settings are read.
        #expect(throws: SettingProblem.self) { try MailAddress.parse("a@example.com\r\nBcc: victim@example.com") }
        #expect(try folder.listing().isEmpty)
    }

    @Test func kpisCompareWithThePreviousPeriodWhenTheDataCoversIt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let march = try await run(examples, filter: RecordFilter(from: CivilDate("2026-03-01"), to: CivilDate("2026-03-31")), out: folder.path("m"))
        let html = String(decoding: march[.html]!, as: UTF8.self)
        #expect(html.contains("Changes against the previous 31 days, 2026-01-29 to 2026-02-28"))
        #expect(html.contains("▲") || html.contains("▼"))
        // The examples start on 2025-12-01: the 31 days before 2025-12-01 are not covered.
        let december = try await run(examples, filter: RecordFilter(from: CivilDate("2025-12-01"), to: CivilDate("2025-12-31")), out: folder.path("d"))
        #expect(!String(decoding: december[.html]!, as: UTF8.self).contains("Changes against"))
    }

    @Test func aHundredThousandUploadsStayUnderFiveMegabytes() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let uploads = UploadGenerator(seed: 5, count: 100_000, from: CivilDate("2025-01-01")!, to: CivilDate("2026-06-30")!).uploads()
        for (number, start) in stride(from: 0, to: uploads.count, by: 1000).enumerated() {
            try folder.write("pages/page-\(String(format: "%04d", number)).json", PageRenderer.json(Array(uploads[start..<min(start + 1000, uploads.count)])))
        }
        let result = try await run(folder.path("pages"), filter: RecordFilter(), outputs: [.csv, .html], out: folder.path("out"))
        let html = String(decoding: result[.html]!, as: UTF8.self)
        #expect(result[.html]!.count < 5_000_000, "\(result[.html]!.count) bytes")
        #expect(html.contains("The table shows the first 1,000 of 100,000 uploads"))
        #expect(String(decoding: result[.csv]!, as: UTF8.self).split(separator: "\r\n").count == 100_001)
    }
}
