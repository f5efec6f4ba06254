import CFreeXL
import Foundation

/// An XLS revenue file (the old Excel format), through Debian's libfreexl: the first worksheet,
/// text cells, integer and double cells, and date cells (which libfreexl gives as `YYYY-MM-DD`).
///
/// libfreexl 1.0.6 crashes on some damaged workbooks (the fuzzer found a bad free and an
/// over-read in `freexl_open`), so where the `cg-revenue` binary is at hand it reads the file in a
/// child process of its own (`XLSRowsInChild`): a crash there is a `file-type` problem here.
struct XLSRowReader: RevenueRowReader {
    let path: String
    var impliesHeader: Bool { false }
    static let maxRows: UInt32 = 2_000_000

    func forEachRow(_ body: (RevenueRow) throws -> Void) throws {
        if let helper = XLSRowsInChild.helper {
            try XLSRowsInChild(helper: helper, path: path).forEachRow(body)
        } else {
            try readInThisProcess(body)
        }
    }

    /// libfreexl in this process: what the child runs, and what runs where there is no child to start.
    func readInThisProcess(_ body: (RevenueRow) throws -> Void) throws {
        var handle: UnsafeRawPointer?
        let opened = freexl_open(path, &handle)
        defer { if handle != nil { freexl_close(handle) } }
        guard opened == FREEXL_OK, let handle else { throw UnreadableFile("not an XLS workbook (libfreexl: \(Self.reason(opened)))") }
        var status = freexl_select_active_worksheet(handle, 0)
        guard status == FREEXL_OK else { throw UnreadableFile("its first worksheet cannot be read (libfreexl: \(Self.reason(status)))") }
        var rows: UInt32 = 0
        var columns: UInt16 = 0
        status = freexl_worksheet_dimensions(handle, &rows, &columns)
        guard status == FREEXL_OK else { throw UnreadableFile("its first worksheet cannot be read (libfreexl: \(Self.reason(status)))") }
        guard rows <= Self.maxRows else { throw UnreadableFile("\(rows) rows: more than any revenue file holds") }
        for row in 0 ..< rows {
            var cells: [RevenueCell] = []
            for column in 0 ..< min(columns, 256) {
                var value = FreeXL_CellValue()
                status = freexl_get_cell_value(handle, row, column, &value)
                guard status == FREEXL_OK else { throw UnreadableFile("row \(row + 1): a cell cannot be read (libfreexl: \(Self.reason(status)))") }
                switch Int32(value.type) {
                case FREEXL_CELL_INT: cells.append(.number(Double(value.value.int_value)))
                case FREEXL_CELL_DOUBLE: cells.append(.number(value.value.double_value))
                case FREEXL_CELL_TEXT, FREEXL_CELL_SST_TEXT:
                    cells.append(.text(value.value.text_value.map { String(cString: $0) } ?? ""))
                case FREEXL_CELL_DATE, FREEXL_CELL_DATETIME:
                    let text = value.value.text_value.map { String(cString: $0) } ?? ""
                    cells.append(Self.dateCell(text))
                case FREEXL_CELL_TIME:
                    cells.append(.text(value.value.text_value.map { String(cString: $0) } ?? ""))
                default:
                    cells.append(.text(""))
                }
            }
            try body(RevenueRow(row: Int(row) + 1, cells: cells))
        }
    }

    /// libfreexl's `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`: a date, with its time when not midnight.
    static func dateCell(_ text: String) -> RevenueCell {
        guard let day = CivilDate(String(text.prefix(10))) else { return .text(text) }
        let time = text.dropFirst(10).trimmingCharacters(in: .whitespaces)
        return time.isEmpty || time.allSatisfy({ $0 == "0" || $0 == ":" }) ? .date(day) : .dateTime(day, time: time)
    }

    static func reason(_ status: Int32) -> String {
        switch status {
        case FREEXL_FILE_NOT_FOUND: return "cannot be opened"
        case FREEXL_INVALID_CFBF_HEADER, FREEXL_CFBF_INVALID_SIGNATURE: return "no Excel 97-2003 header"
        case FREEXL_BIFF_WORKBOOK_NOT_FOUND: return "no workbook inside"
        case FREEXL_INSUFFICIENT_MEMORY: return "out of memory"
        default: return "error \(status)"
        }
    }
}
