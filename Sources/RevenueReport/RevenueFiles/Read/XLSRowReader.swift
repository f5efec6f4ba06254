import Foundation

/// An XLS revenue file (Excel 97-2003), read by our own reader, in this process: the compound
/// file (`CompoundFile`) and its `Workbook` stream's BIFF8 records (`BIFF8Workbook`), the first
/// worksheet. Formulas are the values the workbook saved for them; date cells are dates by their
/// style and the workbook's 1900 or 1904 system. (libfreexl, used before, has no formula cell
/// and crashed on damaged workbooks; xlrd is the reader this agrees with.)
struct XLSRowReader: RevenueRowReader {
    let path: String
    var impliesHeader: Bool { false }
    /// The largest workbook read (a revenue file is at most 2 MB; `--split` takes more).
    static let maxBytes = 64 << 20

    func forEachRow(_ body: (RevenueRow) throws -> Void) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= Self.maxBytes else { throw UnreadableFile("\(size) bytes: more than \(Self.maxBytes) for an XLS workbook") }
        guard let data = FileManager.default.contents(atPath: path) else { throw UnreadableFile("cannot be read") }
        let container = try CompoundFile([UInt8](data))
        guard let stream = try container.stream(named: "Workbook", limit: Self.maxBytes) else {
            if container.entries.contains(where: { $0.name.lowercased() == "book" }) {
                throw UnreadableFile("an Excel 5.0/95 workbook: save it as Excel 97-2003 (.xls) or .xlsx")
            }
            throw UnreadableFile("no Workbook stream: not an Excel workbook")
        }
        try BIFF8Workbook(stream).forEachRow(body)
    }
}
