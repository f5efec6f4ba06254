import Foundation

/// One cell of a revenue file, as its format holds it: text (CSV, XML, and text cells of
/// spreadsheets), a number cell, or a cell a spreadsheet types as a date (with the time of day it
/// holds, when it holds one: CustomerGauge keeps the day and drops the time).
public enum RevenueCell: Sendable, Equatable {
    case text(String)
    case number(Double)
    case date(CivilDate)
    /// A date cell holding a time of day other than midnight, `HH:MM:SS`.
    case dateTime(CivilDate, time: String)

    /// The cell as CustomerGauge takes it, for parts and made files: a number without a needless
    /// `.0`, a date `YYYY-MM-DD` (a date-time's day: its time is what CustomerGauge drops).
    public var text: String {
        switch self {
        case .text(let text): return text
        case .date(let date), .dateTime(let date, _): return date.description
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        }
    }

    /// The cell as the spreadsheet shows it, for findings: a date-time with its time.
    public var shown: String {
        if case .dateTime(let date, let time) = self { return "\(date) \(time)" }
        return text
    }

    /// A date cell's day, with its time when it has one (a spreadsheet's day fraction): midnight is a plain date.
    static func dateCell(_ day: CivilDate, fraction: Double) -> RevenueCell {
        let seconds = Int((fraction * 86_400).rounded())
        guard seconds > 0, seconds < 86_400 else { return .date(day) }
        let time = String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        return .dateTime(day, time: time)
    }

    var isEmpty: Bool { if case .text(let text) = self { return text.isEmpty } else { return false } }
}

/// One row of a revenue file: its number as a spreadsheet program shows it (the first row is
/// row 1) and its cells in order, empty cells at its end dropped.
public struct RevenueRow: Sendable, Equatable {
    public var row: Int
    public var cells: [RevenueCell]

    public init(row: Int, cells: [RevenueCell]) {
        self.row = row
        self.cells = cells
        dropEmptyCellsAtEnd()
    }

    mutating func dropEmptyCellsAtEnd() {
        while let last = cells.last, last.isEmpty { cells.removeLast() }
    }
}

/// The four formats CustomerGauge takes, by extension.
public enum RevenueFileFormat: String, Sendable, CaseIterable {
    case csv, xlsx, xls, xml

    public init?(path: String) {
        self.init(rawValue: (path as NSString).pathExtension.lowercased())
    }

    /// The MIME type a file of this format is sent with.
    public var mimeType: String {
        switch self {
        case .csv: return "text/csv"
        case .xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .xls: return "application/vnd.ms-excel"
        case .xml: return "application/xml"
        }
    }
}

/// A file that cannot be read as its extension says: a `file-type` problem, never a crash.
public struct UnreadableFile: Error, Sendable, CustomStringConvertible {
    public var reason: String
    /// The row where reading stopped, when the reader knows it (bytes that are not UTF-8 on row 3).
    public var row: Int?
    public init(_ reason: String, row: Int? = nil) {
        self.reason = reason
        self.row = row
    }
    public var description: String { reason }
}

/// What every reader does: hands each row to `body`, in file order, in bounded memory.
protocol RevenueRowReader {
    /// True when the rows' first record is row 2 in any case (XML: the field names stand for a header).
    var impliesHeader: Bool { get }
    func forEachRow(_ body: (RevenueRow) throws -> Void) throws
}
