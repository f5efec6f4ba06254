import Foundation
import Testing
@testable import RevenueReport

/// `--emit xlsx` and `--mail-attach xlsx`, read back with openpyxl (a reader we did not write):
/// sheets, header, typed cells and formats, frozen header, autofilter, the rejected rows, text
/// that stays text, the same bytes twice, sheets that continue, cells cleaned; and the rejection
/// causes, counted by an independent reading of the logs in Python.
@Suite struct WorkbookTests {
    let examples = packageRoot.appendingPathComponent("examples/responses").path

    /// Runs `script` (Python, openpyxl) with the arguments and returns the JSON object it prints.
    func python(_ folder: TemporaryFolder, _ script: String, _ arguments: [String]) async throws -> [String: Any] {
        try await runPython(try folder.write("check-\(UUID().uuidString).py", script), arguments)
    }

    static let readWorkbook = """
        import json, sys, openpyxl
        book = openpyxl.load_workbook(sys.argv[1])
        uploads = book["Uploads"]
        header = [c.value for c in uploads[1]]
        first = uploads[2]
        rows = list(uploads.iter_rows(min_row=2, values_only=True))
        summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0] is not None}
        causes = []
        take = False
        for r in book["Summary"].iter_rows(values_only=True):
            if r[0] == "Rejection cause": take = True; continue
            if take and r[0] is not None: causes.append([r[0], r[1], r[2]])
        formula = [row[2] for row in rows if row[2] and row[2].startswith("=")]
        formula_cells = [c.data_type for c in uploads["C"] if isinstance(c.value, str) and c.value.startswith("=")]
        rejected = book["Rejected rows"]
        print(json.dumps({
            "sheets": book.sheetnames, "header": header, "freeze": uploads.freeze_panes, "filter": uploads.auto_filter.ref,
            "types": [type(c.value).__name__ for c in first], "formats": [c.number_format for c in first],
            "count": len(rows), "summaryRejected": summary.get("Rejected rows in the logs"), "summaryUploads": summary.get("Uploads"),
            "logCount": sum(row[8] for row in rows), "rejectedRows": rejected.max_row - 1,
            "rejectedHeader": [c.value for c in rejected[1]], "formula": formula, "formulaTypes": formula_cells, "causes": causes,
            "firstDate": first[3].value.isoformat(), "firstRate": first[7].value, "ids": [row[0] for row in rows],
        }))
        """

    @Test func theWorkbookHoldsTypedSheetsThatExcelAndOpenpyxlRead() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let arguments = ["report", "--replay", examples, "--from", "2026-01-01", "--to", "2026-06-30", "--emit", "csv,ndjson,xlsx,eml",
                         "--mail-to", "ops@example.com", "--mail-attach", "csv,xlsx", "--now", "2026-07-01T08:00:00Z", "--name", "r"]
        let first = try await runCLI(arguments + ["--out", "a"], in: folder.url)
        #expect(first.status == 0, "\(first.stderr)")
        let read = try await python(folder, Self.readWorkbook, [folder.path("a/r.xlsx").path])
        #expect(read["sheets"] as? [String] == ["Summary", "Uploads", "Rejected rows"])
        #expect(read["header"] as? [String] == XLSXWriter.uploadColumns)
        #expect(read["freeze"] as? String == "A2")
        let count = read["count"] as? Int ?? 0
        #expect(read["filter"] as? String == "A1:J\(count + 1)")
        #expect(read["types"] as? [String] == ["int", "str", "str", "datetime", "int", "int", "int", "int", "int", "str"])
        #expect((read["formats"] as? [String])?[3] == "yyyy-mm-dd hh:mm:ss" && (read["formats"] as? [String])?[7] == "0.00%")
        // The same uploads, in the same order, as the CSV.
        let csvIDs = try folder.read("a/r.csv").split(separator: "\r\n").dropFirst().compactMap { Int($0.prefix { $0 != "," }) }
        #expect(read["ids"] as? [Int] == csvIDs)
        #expect(read["summaryUploads"] as? Int == csvIDs.count)
        // One row of "Rejected rows" per log entry, and the Summary says how many.
        #expect(read["rejectedRows"] as? Int == read["logCount"] as? Int)
        // Rows a log only counts ("… and 13 more rows rejected") are in the total, and on the causes' last line.
        let causeRows = (read["causes"] as? [[Any]] ?? []).reduce(0) { $0 + ($1[1] as? Int ?? 0) }
        #expect(read["summaryRejected"] as? Int == causeRows)
        #expect(causeRows > read["logCount"] as? Int ?? 0)
        #expect(read["rejectedHeader"] as? [String] == XLSXWriter.rejectedColumns)
        // A file name that looks like a formula is text: no guard prefix, and no formula.
        let formulas = read["formula"] as? [String] ?? []
        #expect(!formulas.isEmpty && formulas.allSatisfy { $0 == "=SUM(A1:A9).xlsx" })
        #expect(read["formulaTypes"] as? [String] == formulas.map { _ in "s" })

        // The same input and --now: the same bytes.
        let second = try await runCLI(arguments + ["--out", "b"], in: folder.url)
        #expect(second.status == 0)
        #expect(try Data(contentsOf: folder.path("a/r.xlsx")) == Data(contentsOf: folder.path("b/r.xlsx")))

        // The email's attachment is the file.
        let attachment = try await python(folder, """
            import email, hashlib, json, sys
            message = email.message_from_bytes(open(sys.argv[1], 'rb').read())
            parts = [p for p in message.walk() if p.get_filename() == 'r.xlsx']
            print(json.dumps({"type": parts[0].get_content_type(), "sha": hashlib.sha256(parts[0].get_payload(decode=True)).hexdigest(), "defects": len(message.defects)}))
            """, [folder.path("a/r.eml").path])
        #expect(attachment["type"] as? String == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        #expect(attachment["sha"] as? String == sha256Hex(try Data(contentsOf: folder.path("a/r.xlsx"))))
        let manifest = try JSONParser.parse(Data(try folder.read("a/r.manifest.json").utf8))
        let entry = manifest["outputs"].map { outputs -> [JSONValue] in if case .array(let items) = outputs { return items } else { return [] } }?
            .first { $0["name"] == .string("r.xlsx") }
        #expect(entry?["sha256"] == .string(sha256Hex(try Data(contentsOf: folder.path("a/r.xlsx")))))
        #expect(try folder.listing("a") == ["r.csv", "r.eml", "r.manifest.json", "r.ndjson", "r.xlsx"], "no scratch file left")
    }

    @Test func causesAreCountedExactlyOnTheExampleData() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let run = try await runCLI(["report", "--replay", examples, "--from", "2026-01-01", "--to", "2026-06-30", "--emit", "ndjson,html,xlsx,eml",
                                    "--mail-to", "ops@example.com", "--out", "out", "--name", "r"], in: folder.url)
        #expect(run.status == 0, "\(run.stderr)")
        // An independent reading of the rule: an object's message (else the text), less a leading row reference.
        let expected = try await python(folder, """
            import json, re, sys
            rows, uploads = {}, {}
            for line in open(sys.argv[1], encoding='utf-8'):
                upload = json.loads(line)
                seen = set()
                for entry in upload["logs"]:
                    text = entry["message"] if isinstance(entry, dict) and isinstance(entry.get("message"), str) else (entry if isinstance(entry, str) else json.dumps(entry))
                    cause = re.sub(r'^Row \\d+(, [^:]*:|:)? *', '', text)
                    count = 1
                    more = re.fullmatch(r'(?:…|\\.\\.\\.)?\\s*and (\\d+) more rows? rejected\\.?', cause, re.I)
                    if more:
                        cause, count = "not named in the logs", int(more.group(1))
                    rows[cause] = rows.get(cause, 0) + count
                    if cause not in seen:
                        seen.add(cause); uploads[cause] = uploads.get(cause, 0) + 1
            ordered = sorted(rows, key=lambda c: (c == "not named in the logs", -rows[c], -uploads[c], c))
            print(json.dumps({"causes": [[c, rows[c], uploads[c]] for c in ordered], "rows": sum(rows.values())}))
            """, [folder.path("out/r.ndjson").path])
        let causes = expected["causes"] as? [[Any]] ?? []
        #expect(causes.count >= 8)
        // A log entry that only counts rows is no cause: its rows are in the totals, on one line, last.
        #expect(!causes.contains { ($0[0] as? String ?? "").contains("more rows rejected") })
        #expect(causes.last?[0] as? String == RejectionCauses.notNamed && (causes.last?[1] as? Int ?? 0) > 1)
        let read = try await python(folder, Self.readWorkbook, [folder.path("out/r.xlsx").path])
        let workbook = read["causes"] as? [[Any]] ?? []
        #expect(workbook.map { "\($0[0])|\($0[1])|\($0[2])" } == causes.map { "\($0[0])|\($0[1])|\($0[2])" })
        // The HTML's table and the email's text part show the first ten, most rows first.
        let html = try folder.read("out/r.html")
        let top = causes.dropLast().prefix(HTMLWriter.causeLimit) + causes.suffix(1)
        var position = html.range(of: "Why rows were rejected")!.upperBound
        for cause in top {
            let text = (cause[0] as? String ?? "").replacingOccurrences(of: ",", with: ",")
            guard let found = html.range(of: ">\(text)<br>", range: position ..< html.endIndex) else {
                Issue.record("cause \(text) not in the HTML's table, in order")
                break
            }
            position = found.upperBound
        }
        #expect(html.range(of: "Why rows were rejected")!.lowerBound < html.range(of: "Needs attention (")!.lowerBound)
        let mail = try await python(folder, """
            import email, json, sys
            message = email.message_from_bytes(open(sys.argv[1], 'rb').read())
            print(json.dumps({"text": [p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == 'text/plain'][0]}))
            """, [folder.path("out/r.eml").path])
        let text = mail["text"] as? String ?? ""
        for cause in top {
            #expect(text.contains("  \(HTMLWriter.grouped(cause[1] as? Int ?? 0)) rows in \(HTMLWriter.grouped(cause[2] as? Int ?? 0)) upload(s): \(cause[0])"))
        }
        #expect(text.contains("Why rows were rejected (\(HTMLWriter.grouped(expected["rows"] as? Int ?? 0)) rows, most first):"))
    }

    /// As finance prints it: every sheet landscape, one page wide, the header row on every page,
    /// the range in the page header and page numbers in the footer; and no text column narrower
    /// than its longest value up to the cap (past which it wraps), as openpyxl reads them.
    @Test func everySheetPrintsOnePageWideWithItsHeaderAndColumnsThatFitTheirText() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let run = try await runCLI(["report", "--replay", examples, "--range", "2026-03", "--emit", "csv,xlsx", "--out", "out", "--name", "m",
                                    "--now", "2026-04-02T08:00:00Z"], in: folder.url)
        #expect(run.status == 0, "\(run.stderr)")
        let read = try await python(folder, """
            import json, sys, openpyxl
            from openpyxl.utils import get_column_letter
            book = openpyxl.load_workbook(sys.argv[1])
            cap = float(sys.argv[2])
            sheets = {}
            for ws in book.worksheets:
                setup = ws.page_setup
                # The width each text column needs: its longest line (up to the cap), header included.
                short = []
                wraps = {}
                for column in ws.iter_cols():
                    letter = get_column_letter(column[0].column)
                    texts = [c.value for c in column if isinstance(c.value, str)]
                    if not texts: continue
                    longest = max(max(len(line) for line in t.split("\\n")) for t in texts)
                    width = ws.column_dimensions[letter].width
                    body = [c for c in column[1:] if isinstance(c.value, str)]
                    wrapped = any(c.alignment.wrap_text for c in body)
                    wraps[column[0].value or letter] = wrapped
                    # Capped (wrapped) columns fit up to the cap; every header fits whole.
                    need = min(longest, cap) if wrapped else len(column[0].value or "")
                    if width is None or width < need: short.append([letter, column[0].value, width, need])
                sheets[ws.title] = {
                    "orientation": setup.orientation, "fitToPage": ws.sheet_properties.pageSetUpPr.fitToPage,
                    "fitToWidth": setup.fitToWidth if setup.fitToWidth is not None else 1, "fitToHeight": setup.fitToHeight,
                    "titles": ws.print_title_rows, "header": ws.oddHeader.center.text, "footer": ws.oddFooter.center.text,
                    "short": short, "wraps": wraps,
                }
            print(json.dumps(sheets))
            """, [folder.path("out/m.xlsx").path, String(XLSXWriter.textCap)])
        #expect(Set(read.keys) == ["Summary", "Uploads", "Rejected rows"])
        for (name, value) in read {
            let sheet = value as? [String: Any] ?? [:]
            #expect(sheet["orientation"] as? String == "landscape", "\(name)")
            #expect(sheet["fitToPage"] as? Bool == true && sheet["fitToWidth"] as? Int == 1 && sheet["fitToHeight"] as? Int == 0, "\(name): \(sheet)")
            #expect(sheet["header"] as? String == "Revenue uploads, 2026-03-01 to 2026-03-31 · \(name)", "\(name)")
            #expect(sheet["footer"] as? String == "Page &P of &N", "\(name)")
            #expect((sheet["short"] as? [Any])?.isEmpty == true, "\(name): columns narrower than their text: \(sheet["short"] ?? "")")
            if name != "Summary" { #expect(sheet["titles"] as? String == "$1:$1", "\(name): the header row on every page") }
        }
        let uploads = (read["Uploads"] as? [String: Any])?["wraps"] as? [String: Bool]
        #expect(uploads?["source_filename"] == true && uploads?["logs"] == false)
        let rejected = (read["Rejected rows"] as? [String: Any])?["wraps"] as? [String: Bool]
        #expect(rejected?["message"] == true && rejected?["cause"] == true)
        // The Summary's causes are in full: "Revenue type must be ARR, MRR, One Time or Other" fits.
        #expect(((read["Summary"] as? [String: Any])?["wraps"] as? [String: Bool])?.values.contains(true) == true)

        // Printed by LibreOffice where it is installed: a third of the 102 pages it took, and the
        // header row on every page of Uploads.
        guard let soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext") else { return }
        let pdf = try await python(folder, """
            import json, subprocess, sys, os
            folder = sys.argv[2]
            subprocess.run([sys.argv[1], "--headless", "-env:UserInstallation=file://" + folder + "/lo-profile", "--convert-to", "pdf",
                            "--outdir", folder, sys.argv[3]], check=True, capture_output=True, timeout=300)
            text = subprocess.run(["pdftotext", "-layout", os.path.join(folder, "m.pdf"), "-"], check=True, capture_output=True).stdout.decode()
            pages = text.split("\\f")
            if pages and not pages[-1].strip(): pages = pages[:-1]
            uploads = [p for p in pages if "· Uploads" in p]
            print(json.dumps({"pages": len(pages), "uploadsPages": len(uploads),
                              "withHeader": sum(1 for p in uploads if "source_filename" in p and "date_upload" in p)}))
            """, [soffice, folder.path("out").path, folder.path("out/m.xlsx").path])
        let pages = pdf["pages"] as? Int ?? .max
        #expect(pages <= 34, "the workbook prints on \(pages) pages")
        #expect((pdf["uploadsPages"] as? Int ?? 0) > 0 && pdf["withHeader"] as? Int == pdf["uploadsPages"] as? Int, "\(pdf)")
    }

    /// Uploads made here, encoded the way the sorter carries them, then made into a workbook.
    func workbook(_ uploads: [RevenueUpload], rowsPerSheet: Int, in folder: TemporaryFolder) throws -> (path: URL, warnings: [String]) {
        var rows: [UInt8] = []
        for upload in uploads { XLSXCells().appendRow(upload, to: &rows) }
        let rowsFile = folder.path("rows.bin")
        try Data(rows).write(to: rowsFile)
        let document = ReportDocument(uploads: uploads, filter: RecordFilter(from: CivilDate("2026-01-01"), to: CivilDate("2026-01-31")),
                                      sourceDescription: "test", sourceZone: .utc, toolVersion: "t")
        var warnings: [String] = []
        let path = folder.path("w.xlsx")
        try XLSXWriter(rowsPerSheet: rowsPerSheet).finish(rowsFile: rowsFile.path, document: document, to: path.path) { warnings.append($0) }
        return (path, warnings)
    }

    func upload(_ id: Int64, filename: String = "a.csv", logs: [JSONValue] = []) -> RevenueUpload {
        RevenueUpload(id: id, status: "Partially Processed", sourceFilename: filename,
                      dateUpload: UploadTime(localSeconds: 1_767_225_600 + id * 60, offsetSeconds: 0),
                      totalRecords: 10, successfulRecords: 10 - logs.count, unsuccessfulRecords: logs.count, logs: logs)
    }

    /// The row reference is read on the bytes of ASCII messages: the same rows and causes as the
    /// rule on characters gives, which every other message still takes.
    @Test func theRowReferenceIsReadOnBytesAsOnCharacters() {
        let messages = ["Row 68, revenue start date: Not a date", "Row 12 Bad", "row 5: x", "Row 7:   ", "Row 3, no colon", "Row x: y",
                        "Row ", "Row", "Rowing 4", "Row 99999999999999999999: huge", "Row 4\r\n: x", "Row 4:\r\nx", "Row 12,: a", "Row 0012 z",
                        "Unsupported file type", "", " Row 1: lead", "ROW 1: caps"]
        for message in messages {
            let bytes = LogEntryReading.asciiWithoutRowReference(message)
            let characters = LogEntryReading.charactersWithoutRowReference(message)
            #expect(bytes?.row == characters.row && bytes?.cause == characters.cause, "\(message): \(String(describing: bytes)) against \(characters)")
        }
        #expect(LogEntryReading.withoutRowReference("Row 68, revenue start date: Not a date") == (68, "Not a date"))
        // Not ASCII: the rule on characters, where a combining mark joins the digit before it.
        #expect(LogEntryReading.asciiWithoutRowReference("Row 12\u{301}: x") == nil)
        #expect(LogEntryReading.withoutRowReference("Row 12\u{301}: x") == LogEntryReading.charactersWithoutRowReference("Row 12\u{301}: x"))
    }

    /// "… and 13 more rows rejected" only counts rows: in the totals, on the last line "not named
    /// in the logs", in the HTML, the email and the workbook's Summary; the logs stay as received.
    @Test func aLineThatOnlyCountsRowsIsNoCause() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let logs = #"["Row 4: Account name not found","Row 9: Account name not found",{"row":12,"message":"Revenue amount must be a whole number"},"… and 13 more rows rejected"]"#
        let other = #"["Row 2: Account name not found","... and 1 more row rejected."]"#
        try folder.write("pages/p.json", "[" + recordJSON(id: "1", total: "20", successful: "4", unsuccessful: "16", logs: logs) + ","
                         + recordJSON(id: "2", date: "2019-05-16 10:00:00", total: "5", successful: "3", unsuccessful: "2", logs: other) + "]")
        let run = try await runCLI(["report", "--replay", "pages", "--emit", "csv,html,eml,xlsx", "--mail-to", "ops@example.com",
                                    "--out", "out", "--name", "r"], in: folder.url)
        #expect(run.status == 0, "\(run.stderr)")
        let read = try await python(folder, Self.readWorkbook, [folder.path("out/r.xlsx").path])
        let causes = (read["causes"] as? [[Any]] ?? []).map { "\($0[0])|\($0[1])|\($0[2])" }
        #expect(causes == ["Account name not found|3|2", "Revenue amount must be a whole number|1|1", "not named in the logs|14|2"])
        #expect(read["summaryRejected"] as? Int == 18)
        #expect(read["rejectedRows"] as? Int == 6, "the workbook's rows: one per log entry, as received")
        let sheetRows = try await python(folder, """
            import json, sys, openpyxl
            print(json.dumps({"messages": [r[5] for r in openpyxl.load_workbook(sys.argv[1])["Rejected rows"].iter_rows(min_row=2, values_only=True)]}))
            """, [folder.path("out/r.xlsx").path])
        #expect((sheetRows["messages"] as? [String] ?? []).contains("… and 13 more rows rejected"))
        #expect(try folder.read("out/r.csv").contains("… and 13 more rows rejected"))
        let html = try folder.read("out/r.html")
        #expect(html.contains(">not named in the logs<br>") && !html.contains(">… and 13 more rows rejected<br>"))
        #expect(html.contains("18 rejected row(s) in the logs"))
        let mail = try await python(folder, """
            import email, json, sys
            message = email.message_from_bytes(open(sys.argv[1], 'rb').read())
            print(json.dumps({"text": [p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == 'text/plain'][0]}))
            """, [folder.path("out/r.eml").path])
        let text = mail["text"] as? String ?? ""
        #expect(text.contains("Why rows were rejected (18 rows, most first):"))
        #expect(text.contains("  14 rows in 2 upload(s): not named in the logs"))
        #expect(!text.contains("more rows rejected ("))
    }

    @Test func onlyACountingLineIsReadAsACount() {
        #expect(RejectionCauses.moreRowsCount("… and 13 more rows rejected") == 13)
        #expect(RejectionCauses.moreRowsCount("... and 1 more row rejected.") == 1)
        #expect(RejectionCauses.moreRowsCount("And 2 more rows rejected") == 2)
        #expect(RejectionCauses.moreRowsCount("and 0 more rows rejected") == nil)
        #expect(RejectionCauses.moreRowsCount("and more rows rejected") == nil)
        #expect(RejectionCauses.moreRowsCount("Account name not found") == nil)
        #expect(RejectionCauses.moreRowsCount("and 3 more rows rejected because of dates") == nil)
    }

    @Test func moreRowsThanASheetHoldsContinueOnTheNextSheet() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let uploads = (1 ... 120).map { upload(Int64($0), logs: [.string("Row \($0): Account name not found")]) }
        let made = try workbook(uploads, rowsPerSheet: 50, in: folder)
        let read = try await python(folder, """
            import json, sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            print(json.dumps({"sheets": {name: book[name].max_row for name in book.sheetnames},
                              "ids": [r[0] for name in ["Uploads", "Uploads 2", "Uploads 3"] for r in book[name].iter_rows(min_row=2, values_only=True)],
                              "headers": [book[name]["A1"].value for name in book.sheetnames[1:]],
                              "rejected": book["Rejected rows"]["D2"].value}))
            """, [made.path.path])
        // 50 rows a sheet, the header one of them: 49 + 49 + 22 uploads, and as many log entries.
        var sheets = read["sheets"] as? [String: Int] ?? [:]
        #expect(sheets.removeValue(forKey: "Summary") != nil)
        #expect(sheets == ["Uploads": 50, "Uploads 2": 50, "Uploads 3": 23, "Rejected rows": 50, "Rejected rows 2": 50, "Rejected rows 3": 23])
        #expect(read["ids"] as? [Int] == Array(1 ... 120))
        #expect(read["headers"] as? [String] == ["id", "id", "id", "upload_id", "upload_id", "upload_id"])
        #expect(read["rejected"] as? Int == 1)  // the row named by "Row 1: …"
    }

    @Test func textACellCannotHoldIsCleanedAndTheUploadNamed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let long = String(repeating: "x", count: 40_000)
        let uploads = [upload(7, filename: "bad\u{01}name\u{1B}.csv"), upload(8, logs: [.string(long)]), upload(9, filename: "tab\tand\nnewline.csv")]
        let made = try workbook(uploads, rowsPerSheet: 1000, in: folder)
        #expect(made.warnings.contains { $0.contains("upload 7") && $0.contains("control characters removed") })
        #expect(made.warnings.contains { $0.contains("upload 8") && $0.contains("cut to 32767 characters") })
        #expect(!made.warnings.contains { $0.contains("upload 9") })
        let read = try await python(folder, """
            import json, sys, openpyxl
            rows = list(openpyxl.load_workbook(sys.argv[1])["Uploads"].iter_rows(min_row=2, values_only=True))
            print(json.dumps({"names": [r[2] for r in rows], "logs": len(rows[1][9])}))
            """, [made.path.path])
        #expect(read["names"] as? [String] == ["badname.csv", "a.csv", "tab\tand\nnewline.csv"])
        #expect(read["logs"] as? Int == 32_767)
    }

    @Test func aWorkbookThatCannotBeWrittenFailsTheRunWithNothingLeft() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try FileManager.default.createDirectory(at: folder.path("out"), withIntermediateDirectories: true)
        let earlier = try folder.write("out/r.xlsx", "an earlier run's workbook")
        // Files may grow to 600 kB: the HTML and the workbook's rows fit, libxlsxwriter's sheets (1 MB of XML) do not.
        let (status, said) = try await runCLIWithFileSizeLimit(blocks: 1200, [
            "report", "--replay", examples, "--from", "2026-01-01", "--to", "2026-06-30", "--emit", "html,xlsx", "--out", "out", "--name", "r", "--quiet",
        ], in: folder.url)
        #expect(status == 1, "\(said)")
        #expect(said.contains("r.xlsx: libxlsxwriter"), "\(said)")
        #expect(try folder.listing("out") == ["r.xlsx"], "no temporary file, no HTML without its workbook")
        #expect(try String(contentsOf: earlier, encoding: .utf8) == "an earlier run's workbook")
    }
}
