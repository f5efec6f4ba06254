import Foundation

/// A first row read as a header by its names (README, "Before you upload: check", the header by its names):
/// which column holds each of the six fields, wherever it stands, and which columns are none of
/// them. CustomerGauge reads by position; a header in another order, or with a column of notes,
/// still says exactly what each column is, so the rows are read by it and `upload` sends a CSV it
/// makes in CustomerGauge's order.
struct HeaderLayout {
    /// The names each field is known by, compared as `normalised` makes them (no case, spaces or underscores).
    static let aliases: [[String]] = [
        ["account", "accountname", "company", "customer"],
        ["amount", "revenue", "revenueamount"],
        ["start", "startdate", "revenuestartdate"],
        ["end", "enddate", "revenueenddate"],
        ["type", "revenuetype"],
        ["description", "desc"],
    ]

    /// The column (from 0) of each of the six fields, in CustomerGauge's order; nil for a
    /// description the header does not name.
    var fieldColumns: [Int?]
    /// Columns the header names that are none of the six (`Notes`, `Currency`), or leaves unnamed
    /// between named ones: their cells are not the record's and are not sent.
    var extraColumns: [(column: Int, name: String)]
    /// A trailing `problem` column (a file written by `upload --rejected-out`): dropped, no warning.
    var problemColumn: Int?

    /// What a first row is.
    enum Reading {
        /// Not a header: a record like the others.
        case record
        case header(HeaderLayout)
        /// A row of field names that cannot serve as a header (a field missing or named twice):
        /// not a record, one `columns` problem on its row, the rows below read by position.
        case unusable(reason: String)
    }

    /// `Revenue Start Date`, `revenue_start_date` and `RevenueStartDate` are one name.
    static func normalised(_ text: String) -> String {
        text.lowercased().filter { $0 != " " && $0 != "_" && $0 != "\t" && $0 != "\u{A0}" }
    }

    /// The field a header cell names, by its aliases.
    static func field(named text: String) -> Int? {
        let name = normalised(text)
        return aliases.firstIndex { $0.contains(name) }
    }

    /// `A` for 0, `AA` for 26: the column as a spreadsheet names it.
    static func letter(_ column: Int) -> String {
        var number = column + 1, letters = ""
        while number > 0 {
            let remainder = (number - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
            number = (number - 1) / 26
        }
        return letters
    }

    /// Reads a first row: a header when its cells name at least the first five fields, each once.
    static func read(_ row: RevenueRow) -> Reading {
        var columns: [[Int]] = Array(repeating: [], count: 6)
        var others: [(column: Int, name: String)] = []
        var problemColumn: Int?
        for (column, cell) in row.cells.enumerated() {
            guard case .text(let text) = cell else {
                others.append((column, cell.text))
                continue
            }
            if let field = field(named: text) {
                columns[field].append(column)
            } else if column == row.cells.count - 1, column > 0, normalised(text) == "problem" {
                problemColumn = column
            } else {
                others.append((column, text))
            }
        }
        let named = columns.indices.filter { !columns[$0].isEmpty }
        // Fewer than three names is a record (perhaps one whose account is called "Customer").
        guard named.count >= 3 else { return .record }
        let fieldNames = RevenueRules.columns
        if let twice = named.first(where: { columns[$0].count > 1 }) {
            let letters = columns[twice].map(letter).joined(separator: " and ")
            return .unusable(reason: "a header that names \(fieldNames[twice]) twice (columns \(letters)): name each field once")
        }
        let missing = (0 ..< 5).filter { columns[$0].isEmpty }
        guard missing.isEmpty else {
            return .unusable(reason: "a header that does not name \(missing.map { fieldNames[$0] }.joined(separator: ", ")): a header names account name, revenue amount, revenue start date, revenue end date and revenue type (the description may be left out)")
        }
        return .header(HeaderLayout(fieldColumns: columns.map(\.first), extraColumns: others, problemColumn: problemColumn))
    }

    /// The fields' columns in the order the file has them.
    var fileOrder: [Int] {
        fieldColumns.indices.filter { fieldColumns[$0] != nil }.sorted { fieldColumns[$0]! < fieldColumns[$1]! }
    }

    /// The fields stand in CustomerGauge's order (columns between them aside).
    var isInCustomerGaugeOrder: Bool { fileOrder == fileOrder.sorted() }

    /// The six fields stand where CustomerGauge reads them: the file can go as it is.
    var isCustomerGaugeLayout: Bool {
        extraColumns.isEmpty && fieldColumns.enumerated().allSatisfy { field, column in column == nil ? field == 5 : column == field }
    }

    /// The warnings the header itself gives: `column-order`, `extra-column` (row 1).
    func warnings(row: Int) -> [Finding] {
        var found: [Finding] = []
        let names = RevenueRules.columns
        if !isInCustomerGaugeOrder {
            found.append(Finding(rule: RevenueRules.Rule.columnOrder, row: row, column: nil, value: nil,
                                 message: "the columns are in another order than CustomerGauge reads them (by position): this file has \(fileOrder.map { names[$0] }.joined(separator: ", ")); CustomerGauge reads \(names.joined(separator: ", ")); they are read by their names, and upload sends a CSV made in CustomerGauge's order"))
        }
        if !extraColumns.isEmpty {
            let listed = extraColumns.map { $0.name.isEmpty ? "an unnamed column \(Self.letter($0.column))" : "\"\($0.name)\" (column \(Self.letter($0.column)))" }
            found.append(Finding(rule: RevenueRules.Rule.extraColumn, row: row, column: nil, value: nil,
                                 message: "\(listed.joined(separator: ", ")): not one of the six fields; not checked, and upload sends a CSV made without \(extraColumns.count == 1 ? "it" : "them")"))
        }
        return found
    }

    /// A record's cells as the six fields in CustomerGauge's order (a field the row does not reach
    /// is empty), and how many cells it has in the fields' columns (what `columns` counts).
    func fields(of cells: [RevenueCell]) -> (fields: [RevenueCell], count: Int) {
        let ignored = Set(extraColumns.map(\.column) + (problemColumn.map { [$0] } ?? []))
        let count = cells.indices.filter { !ignored.contains($0) }.count
        let fields = fieldColumns.map { column -> RevenueCell in
            guard let column, column < cells.count else { return .text("") }
            return cells[column]
        }
        return (fields, count)
    }

    /// Without a header (or behind one in CustomerGauge's own layout), by position: the first six
    /// cells, padded with empty ones, and the row's count of cells.
    static func fieldsByPosition(_ cells: [RevenueCell]) -> (fields: [RevenueCell], count: Int) {
        let fields = Array(cells.prefix(6)) + Array(repeating: RevenueCell.text(""), count: max(0, 6 - cells.count))
        return (fields, cells.count)
    }
}
