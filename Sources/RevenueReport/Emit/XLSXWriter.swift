import CXLSXWriter
import Foundation

/// `STEM.xlsx`, for the people who live in Excel, written with libxlsxwriter in its
/// constant-memory mode: sheet `Summary` (range, source, KPIs, status breakdown, rejection
/// causes), sheet `Uploads` (the CSV's columns, typed: numbers as numbers, `date_upload` an Excel
/// date-time in `--timezone`, `success_rate` a percentage; header frozen, autofilter on), and
/// sheet `Rejected rows` (one row per log entry). More rows than a sheet holds continue in
/// `Uploads 2`, …. Text cells are always text (never formulas), cleaned of what a cell cannot
/// hold. The same input and `--now` give the same bytes: the workbook's created time is `--now`,
/// or the newest upload's time.
///
/// Rows come as for every row output: each upload is encoded while pages are typed
/// (`XLSXCells`, a compact record rather than text), put in report order by the sorter into a
/// scratch file, and the workbook is made from that file once every row is in (`finish`).
public struct XLSXWriter: RowsFinisher {
    public var kind: OutputKind { .xlsx }
    /// Rows a sheet holds, its header included (Excel's limit; smaller in tests).
    let rowsPerSheet: Int
    let displayZone: SourceZone?

    public init(displayZone: SourceZone? = nil, rowsPerSheet: Int = Int(LXW_ROW_MAX)) {
        self.displayZone = displayZone
        self.rowsPerSheet = max(2, rowsPerSheet)
    }

    static let uploadColumns = ["id", "status", "source_filename", "date_upload", "total_records", "successful_records",
                                "unsuccessful_records", "success_rate", "log_count", "logs"]
    static let rejectedColumns = ["upload_id", "date_upload", "source_filename", "row", "cause", "message"]
    /// What a cell holds at most (Excel's limit, in characters).
    static let maxCellCharacters = 32_767
    /// The widest a text column grows to fit its longest value (in characters); longer text wraps.
    static let textCap: Double = 60

    public func finish(rowsFile: String, document: ReportDocument, to path: String, warn: (String) -> Void) throws {
        let zone = displayZone ?? document.displayZone
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let book = try Workbook(path: path, scratchFolder: folder, name: "\(document.stem).xlsx")
        var cleaner = CellCleaner()
        try writeSummary(document, into: book, cleaner: &cleaner)

        var newest: Int64?
        let printTitle = "Revenue uploads, \(document.rangeDescription)"
        var uploads = book.sheets(named: "Uploads", columns: Self.uploadColumns, rowsPerSheet: rowsPerSheet, printTitle: printTitle,
                                  widths: [10, 20, 24, 20, 13, 13, 13, 12, 10, 50],
                                  caps: [nil, 30, Self.textCap, nil, nil, nil, nil, nil, nil, nil])
        try XLSXCells.forEach(in: rowsFile) { upload in
            newest = upload.dateUpload.instant
            try uploads.row { sheet, row in
                try sheet.number(row, 0, Double(upload.id))
                try sheet.text(row, 1, cleaner.clean(upload.status, field: "status", id: upload.id))
                try sheet.text(row, 2, cleaner.clean(upload.sourceFilename, field: "source_filename", id: upload.id))
                try sheet.date(row, 3, instant: upload.dateUpload.instant, zone: zone)
                try sheet.number(row, 4, upload.totalRecords.map(Double.init))
                try sheet.number(row, 5, upload.successfulRecords.map(Double.init))
                try sheet.number(row, 6, upload.unsuccessfulRecords.map(Double.init))
                try sheet.percent(row, 7, upload.successRateBasisPoints.map { Double($0) / 10_000 })
                try sheet.number(row, 8, Double(upload.logCount))
                try sheet.text(row, 9, cleaner.clean(String(decoding: upload.logsJSON, as: UTF8.self), field: "logs", id: upload.id))
            }
        }
        try uploads.finish()

        var rejected = book.sheets(named: "Rejected rows", columns: Self.rejectedColumns, rowsPerSheet: rowsPerSheet, printTitle: printTitle,
                                   widths: [10, 20, 24, 8, 24, 24], caps: [nil, nil, Self.textCap, nil, Self.textCap, Self.textCap])
        try XLSXCells.forEach(in: rowsFile) { upload in
            guard upload.logCount > 0 else { return }
            for entry in upload.logs {
                let reading = LogEntryReading(entry)
                try rejected.row { sheet, row in
                    try sheet.number(row, 0, Double(upload.id))
                    try sheet.date(row, 1, instant: upload.dateUpload.instant, zone: zone)
                    try sheet.text(row, 2, cleaner.clean(upload.sourceFilename, field: "source_filename", id: upload.id))
                    try sheet.number(row, 3, reading.row.map(Double.init))
                    try sheet.text(row, 4, cleaner.clean(reading.cause, field: "logs", id: upload.id))
                    try sheet.text(row, 5, cleaner.clean(reading.message, field: "logs", id: upload.id))
                }
            }
        }
        try rejected.finish()
        cleaner.warnings.forEach(warn)

        // The created time makes the bytes; the zip entries' times are fixed by libxlsxwriter.
        let created = document.generatedAt.map { Int64($0.timeIntervalSince1970) } ?? newest ?? 315_532_800  // 1980-01-01
        try book.close(created: created, title: "Revenue uploads, \(document.rangeDescription)")
    }

    /// The summary: what the HTML's header and KPI cards say, the status breakdown, the causes.
    private func writeSummary(_ document: ReportDocument, into book: Workbook, cleaner: inout CellCleaner) throws {
        let sheet = try book.addSheet("Summary", fit: ColumnFit(minimum: [34, 16, 16, 16], caps: [Self.textCap, Self.textCap, nil, 40]))
        try sheet.printSetup(title: "Revenue uploads, \(document.rangeDescription)", sheetName: "Summary", repeatHeaderRow: false)
        var row = 0
        func line(_ label: String, _ value: String?) throws {
            try sheet.text(row, 0, label, bold: true)
            try sheet.text(row, 1, value)
            row += 1
        }
        func figure(_ label: String, _ value: Double?, percent: Bool = false) throws {
            try sheet.text(row, 0, label, bold: true)
            if percent { try sheet.percent(row, 1, value) } else { try sheet.number(row, 1, value) }
            row += 1
        }
        let summary = document.summary
        try sheet.text(row, 0, "CustomerGauge revenue uploads", bold: true)
        row += 2
        try line("Range", document.rangeDescription + (document.rangeName.map { " (\($0))" } ?? ""))
        try line("Source", cleaner.clean(document.sourceDescription, field: "source", id: nil))
        try line("Times in", document.displayZone.identifier)
        if let generated = document.generatedAt { try line("Generated", document.displayZone.displayTime(Int64(generated.timeIntervalSince1970))) }
        row += 1
        try figure("Uploads", Double(summary.uploads))
        try figure("Records", Double(summary.totalRecords))
        try figure("Successful records", Double(summary.successfulRecords))
        try figure("Unsuccessful records", Double(summary.unsuccessfulRecords))
        try figure("Success rate", summary.successRateText.flatMap { Double($0) }, percent: true)
        try figure("Uploads that need attention", Double(document.excerpt.attentionCount))
        try figure("Rejected rows in the logs", Double(document.causes.rows))
        row += 1
        try sheet.text(row, 0, "Status", bold: true)
        try sheet.text(row, 1, "Uploads", bold: true)
        row += 1
        for status in summary.statuses {
            try sheet.text(row, 0, cleaner.clean(status.status, field: "status", id: nil))
            try sheet.number(row, 1, Double(status.uploads))
            row += 1
        }
        row += 1
        try sheet.text(row, 0, "Rejection cause", bold: true)
        try sheet.text(row, 1, "Rows", bold: true)
        try sheet.text(row, 2, "Uploads", bold: true)
        try sheet.text(row, 3, "Example uploads", bold: true)
        row += 1
        for cause in document.causes.causes {
            try sheet.text(row, 0, cleaner.clean(cause.cause, field: "logs", id: nil))
            try sheet.number(row, 1, Double(cause.rows))
            try sheet.number(row, 2, Double(cause.uploads))
            try sheet.text(row, 3, cause.examples.map(String.init).joined(separator: ", "))
            row += 1
        }
        try sheet.fitColumns()
    }
}

/// The XLSX's rows as the sorter carries them: each upload's fields, compactly (one framed
/// binary record, `BinaryRecord.swift`), so the workbook is made without parsing text again.
struct XLSXCells: RowFormat {
    var kind: OutputKind { .xlsx }

    func appendRow(_ upload: RevenueUpload, to out: inout [UInt8]) {
        out.appendLengthPrefixed { out in
            out.appendInteger(upload.id)
            out.appendInteger(upload.dateUpload.localSeconds)
            out.appendInteger(Int64(upload.dateUpload.offsetSeconds))
            for count in [upload.totalRecords, upload.successfulRecords, upload.unsuccessfulRecords] { out.appendCount(count) }
            out.appendInteger(Int64(upload.logCount))
            out.appendText(upload.status)
            out.appendText(upload.sourceFilename)
            out.appendInteger(UInt32(upload.logsJSON.count))
            out.append(contentsOf: upload.logsJSON)
        }
    }

    /// Every upload of a file of these rows, in the order written.
    static func forEach(in path: String, _ body: (RevenueUpload) throws -> Void) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReportError.io("\(path): cannot read the workbook's rows: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let reader = SequentialFileReader(descriptor: descriptor, range: 0 ..< Int.max, bufferSize: 1 << 20, what: path)
        while let record = try reader.nextFramed() {
            var fields = ByteReader(bytes: record)
            let id = fields.i64()
            let time = UploadTime(localSeconds: fields.i64(), offsetSeconds: Int(fields.i64()))
            let total = fields.count(), successful = fields.count(), unsuccessful = fields.count()
            let logCount = Int(fields.i64())
            let status = fields.text(), filename = fields.text()
            let logs = Array(fields.bytes(Int(fields.u32())))
            try body(RevenueUpload(id: id, status: status, sourceFilename: filename, dateUpload: time, totalRecords: total,
                                   successfulRecords: successful, unsuccessfulRecords: unsuccessful, logsJSON: logs, logCount: logCount))
        }
    }
}

/// Text a cell can hold: no control characters but tab and newline (XML cannot carry them, and
/// Excel calls such a file damaged), at most 32,767 characters. Each upload that needed it is
/// named in a warning (the first 20, then a count).
struct CellCleaner {
    private var warned = 0
    private var said: [String] = []

    /// Most text: short enough by its bytes alone, and no byte a cell cannot hold (checked on
    /// the UTF-8 bytes, without building a new string).
    static func fits(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count <= XLSXWriter.maxCellCharacters else { return false }
            var previous: (UInt8, UInt8) = (0, 0)
            for byte in bytes {
                if byte < 0x20, byte != 0x09, byte != 0x0A { return false }
                if byte == 0x7F { return false }
                // U+FFFE and U+FFFF: EF BF BE, EF BF BF.
                if previous == (0xEF, 0xBF), byte == 0xBE || byte == 0xBF { return false }
                previous = (previous.1, byte)
            }
            return true
        }
    }

    /// What the log should say: a line per upload cleaned (the first 20), then how many more.
    var warnings: [String] { said + (warned > 20 ? ["XLSX: \(warned - 20) more cells cleaned the same way"] : []) }

    mutating func clean(_ text: String?, field: String, id: Int64?) -> String? {
        guard let text else { return nil }
        if Self.fits(text) { return text }
        var scalars = String.UnicodeScalarView()
        var removed = false, truncated = false
        var count = 0
        for scalar in text.unicodeScalars {
            let bad = (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0x7F || scalar.value == 0xFFFE || scalar.value == 0xFFFF
            if bad { removed = true; continue }
            guard count < XLSXWriter.maxCellCharacters else { truncated = true; break }
            scalars.append(scalar)
            count += 1
        }
        guard removed || truncated else { return text }
        warned += 1
        if warned <= 20 {
            let who = id.map { "upload \($0)" } ?? "the summary"
            let what = [removed ? "control characters removed" : nil, truncated ? "cut to \(XLSXWriter.maxCellCharacters) characters" : nil]
                .compactMap { $0 }.joined(separator: ", ")
            said.append("XLSX: \(who): \(field): \(what) (a cell cannot hold them; the CSV and NDJSON keep the text as received)")
        }
        return String(scalars)
    }
}

/// libxlsxwriter's workbook, in constant-memory mode, with the formats the writer uses; every
/// call's error becomes an exit 1 naming the output.
final class Workbook {
    private let book: UnsafeMutablePointer<lxw_workbook>
    let name: String
    let bold: UnsafeMutablePointer<lxw_format>
    let dateTime: UnsafeMutablePointer<lxw_format>
    let percent: UnsafeMutablePointer<lxw_format>
    /// Text that wraps at its column's width, top-aligned so a tall row still reads from its top.
    let wrapped: UnsafeMutablePointer<lxw_format>
    private var closed = false

    init(path: String, scratchFolder: String, name: String) throws {
        self.name = name
        var options = lxw_workbook_options()
        options.constant_memory = 1
        let made = scratchFolder.withCString { folder -> UnsafeMutablePointer<lxw_workbook>? in
            options.tmpdir = UnsafeMutablePointer(mutating: folder)
            return workbook_new_opt(path, &options)
        }
        guard let made else { throw ReportError.io("\(name): libxlsxwriter could not start the workbook at \(path)") }
        book = made
        errno = 0
        bold = workbook_add_format(book)
        format_set_bold(bold)
        dateTime = workbook_add_format(book)
        format_set_num_format(dateTime, "yyyy-mm-dd hh:mm:ss")
        percent = workbook_add_format(book)
        format_set_num_format(percent, "0.00%")
        wrapped = workbook_add_format(book)
        format_set_text_wrap(wrapped)
        format_set_align(wrapped, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
    }

    deinit {
        // A workbook abandoned on an error: libxlsxwriter frees it on close (the file is a
        // temporary, removed by the committer).
        if !closed { _ = workbook_close(book) }
    }

    func addSheet(_ title: String, fit: ColumnFit) throws -> Sheet {
        guard let sheet = workbook_add_worksheet(book, title) else { throw ReportError.io("\(name): libxlsxwriter could not add the sheet \"\(title)\"") }
        return Sheet(sheet: sheet, book: self, fit: fit)
    }

    /// Sheets named `Uploads`, `Uploads 2`, … each with the header row frozen, filtered and
    /// printed on every page.
    func sheets(named title: String, columns: [String], rowsPerSheet: Int, printTitle: String, widths: [Double], caps: [Double?]) -> SheetSeries {
        SheetSeries(book: self, title: title, columns: columns, rowsPerSheet: rowsPerSheet, printTitle: printTitle, widths: widths, caps: caps)
    }

    func check(_ error: lxw_error, _ what: @autoclosure () -> String) throws {
        guard error == LXW_NO_ERROR else {
            throw ReportError.io("\(name): libxlsxwriter: \(what()): \(String(cString: lxw_strerror(error)))")
        }
        try checkWrites(what())
    }

    /// libxlsxwriter does not check the writes to its temporary files (constant-memory mode
    /// streams each row to one): a full disk would give a truncated sheet in a workbook that
    /// looks complete. The C library's errno still says so; it is cleared before the first
    /// write and looked at after every call.
    func checkWrites(_ what: @autoclosure () -> String) throws {
        let code = errno
        guard [EFBIG, ENOSPC, EIO, EDQUOT].contains(code) else { return }
        throw ReportError.io("\(name): libxlsxwriter: \(what()): a write failed: \(String(cString: strerror(code)))")
    }

    func close(created: Int64, title: String) throws {
        var properties = lxw_doc_properties()
        properties.created = time_t(created)
        try title.withCString { text in
            properties.title = UnsafeMutablePointer(mutating: text)
            try "cg-revenue".withCString { author in
                properties.author = UnsafeMutablePointer(mutating: author)
                try check(workbook_set_properties(book, &properties), "setting the properties")
            }
        }
        closed = true
        try check(workbook_close(book), "writing the file")
    }
}

/// One worksheet: typed cells; an unknown value is an empty cell. Text columns grow to fit
/// their longest value (`ColumnFit`), and wrap past their cap.
struct Sheet {
    let sheet: UnsafeMutablePointer<lxw_worksheet>
    let book: Workbook
    let fit: ColumnFit

    func text(_ row: Int, _ column: Int, _ value: String?, bold: Bool = false) throws {
        guard let value, !value.isEmpty else { return }
        fit.offer(column, value, bold: bold)
        let format = bold ? book.bold : (fit.wraps(column) ? book.wrapped : nil)
        try book.check(worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(column), value, format), "row \(row + 1)")
    }

    /// Sets the widths `fit` arrived at (libxlsxwriter writes the columns when the workbook
    /// closes, so they can follow the rows even in constant-memory mode).
    func fitColumns() throws {
        for (column, width) in fit.widths.enumerated() { try self.width(column, column, width) }
    }

    /// As finance prints it: landscape, every column on one page wide, the header row on every
    /// page (tables), the range and sheet in the page header, page numbers in the footer.
    func printSetup(title: String, sheetName: String, repeatHeaderRow: Bool) throws {
        worksheet_set_landscape(sheet)
        worksheet_fit_to_pages(sheet, 1, 0)
        if repeatHeaderRow { try book.check(worksheet_repeat_rows(sheet, 0, 0), "the rows printed on every page") }
        // `&` starts a code in a header: a literal one is doubled. Excel takes at most 255 characters.
        let header = "&C" + String("\(title) · \(sheetName)".replacingOccurrences(of: "&", with: "&&").prefix(200))
        try book.check(worksheet_set_header(sheet, header), "the page header")
        try book.check(worksheet_set_footer(sheet, "&CPage &P of &N"), "the page footer")
    }

    func number(_ row: Int, _ column: Int, _ value: Double?) throws {
        guard let value else { return }
        try book.check(worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(column), value, nil), "row \(row + 1)")
    }

    func percent(_ row: Int, _ column: Int, _ value: Double?) throws {
        guard let value else { return }
        try book.check(worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(column), value, book.percent), "row \(row + 1)")
    }

    /// An Excel date-time (days since 1899-12-30) of the wall clock of `zone` at `instant`.
    func date(_ row: Int, _ column: Int, instant: Int64, zone: SourceZone) throws {
        let local = instant + Int64(zone.offset(atInstant: instant))
        let serial = Double(local) / 86_400 + 25_569
        try book.check(worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(column), serial, book.dateTime), "row \(row + 1)")
    }

    func width(_ first: Int, _ last: Int, _ width: Double) throws {
        try book.check(worksheet_set_column(sheet, lxw_col_t(first), lxw_col_t(last), width, nil), "column widths")
    }
}

/// A table that continues on a new sheet when one is full: header row frozen, autofilter over
/// the rows written.
struct SheetSeries {
    let book: Workbook
    let title: String
    let columns: [String]
    let rowsPerSheet: Int
    let printTitle: String
    let widths: [Double]
    let caps: [Double?]
    private var current: Sheet?
    private var nextRow = 0
    private var sheetsMade = 0

    init(book: Workbook, title: String, columns: [String], rowsPerSheet: Int, printTitle: String, widths: [Double], caps: [Double?]) {
        self.book = book
        self.title = title
        self.columns = columns
        self.rowsPerSheet = rowsPerSheet
        self.printTitle = printTitle
        self.widths = widths
        self.caps = caps
    }

    /// Writes one row through `body` (sheet, row number), starting a sheet when needed.
    mutating func row(_ body: (Sheet, Int) throws -> Void) throws {
        if current == nil || nextRow >= rowsPerSheet { try startSheet() }
        try body(current!, nextRow)
        nextRow += 1
    }

    /// Makes sure the first sheet exists (with its header) and closes the last with its filter.
    mutating func finish() throws {
        if current == nil { try startSheet() }
        try closeSheet()
    }

    private mutating func startSheet() throws {
        if current != nil { try closeSheet() }
        sheetsMade += 1
        let name = sheetsMade == 1 ? title : "\(title) \(sheetsMade)"
        let sheet = try book.addSheet(name, fit: ColumnFit(minimum: widths, caps: caps))
        try sheet.printSetup(title: printTitle, sheetName: name, repeatHeaderRow: true)
        for (column, name) in columns.enumerated() { try sheet.text(0, column, name, bold: true) }
        worksheet_freeze_panes(sheet.sheet, 1, 0)
        current = sheet
        nextRow = 1
    }

    private func closeSheet() throws {
        guard let current else { return }
        try current.fitColumns()
        // The table and nothing past it: a long `logs` text running on past the last column
        // would otherwise widen what is printed, and shrink every page to fit it.
        try book.check(worksheet_print_area(current.sheet, 0, 0, lxw_row_t(max(0, nextRow - 1)), lxw_col_t(columns.count - 1)), "the print area")
        try book.check(worksheet_autofilter(current.sheet, 0, 0, lxw_row_t(max(0, nextRow - 1)), lxw_col_t(columns.count - 1)), "the autofilter")
    }
}
