import CXLSXWriter
import Foundation

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
