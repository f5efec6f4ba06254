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

    /// The fixed-width fields, two texts with their lengths, the logs with theirs.
    func maximumRowSize(_ upload: RevenueUpload) -> Int {
        4 + 8 * 7 + 3 * 4 + (upload.status?.utf8.count ?? 0) + (upload.sourceFilename?.utf8.count ?? 0) + upload.logsJSON.count
    }

    func write(_ upload: RevenueUpload, into out: inout OutputSpan<UInt8>) {
        let start = out.count
        out.appendInteger(UInt32(0))  // the length, patched below
        out.appendInteger(upload.id)
        out.appendInteger(upload.dateUpload.localSeconds)
        out.appendInteger(Int64(upload.dateUpload.offsetSeconds))
        // The layout of `BinaryRecord.swift`: a count is `Int64.min` when unknown, a text
        // `UInt32.max` when absent.
        func count(_ value: Int?) { out.appendInteger(value.map(Int64.init) ?? Int64.min) }
        func text(_ value: String?) {
            guard let value else { return out.appendInteger(UInt32.max) }
            out.appendInteger(UInt32(value.utf8.count))
            out.append(copying: value.utf8.span)
        }
        count(upload.totalRecords)
        count(upload.successfulRecords)
        count(upload.unsuccessfulRecords)
        out.appendInteger(Int64(upload.logCount))
        text(upload.status)
        text(upload.sourceFilename)
        out.appendInteger(UInt32(upload.logsJSON.count))
        out.append(copying: upload.logsJSON.span)
        out.patch(UInt32(out.count - start - 4), at: start)
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
