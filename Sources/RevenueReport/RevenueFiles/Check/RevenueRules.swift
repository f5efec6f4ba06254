import Foundation

/// The rules CustomerGauge applies to a revenue file, applied before it does: one row at a time
/// (with what earlier rows said, for the warnings), in bounded memory.
struct RevenueRules {
    static let columns = ["account name", "revenue amount", "revenue start date", "revenue end date", "revenue type", "description"]
    static let revenueTypes = ["arr", "mrr", "one time", "other"]
    static let maxRecords = 1_000
    static let maxBytes = 2_000_000

    /// The rules' names, as findings carry them.
    enum Rule {
        static let fileType = "file-type", fileSize = "file-size", recordCount = "record-count", noRecords = "no-records"
        static let columns = "columns", accountName = "account-name", amount = "amount"
        static let startDate = "start-date", endDate = "end-date", dateOrder = "date-order", revenueType = "revenue-type"
        // Warnings
        static let accountCase = "account-case", duplicateRow = "duplicate-row", columnOrder = "column-order"
        static let extraColumn = "extra-column", encoding = "encoding", dateTime = "date-time"
        static let problems: Set<String> = [fileType, fileSize, recordCount, noRecords, columns, accountName, amount,
                                            startDate, endDate, dateOrder, revenueType]
        static let warnings: Set<String> = [accountCase, duplicateRow, columnOrder, extraColumn, encoding, dateTime]
    }

    /// The first spelling of each account name, by its lower-case form, and the row it was on.
    private var accounts: [String: (spelling: String, row: Int)] = [:]
    /// A hash of each record's six values, and the first row that had them.
    private var seenRows = RowFingerprints()

    /// The text without spaces or tabs around it (on its bytes: Foundation's trimming goes
    /// through UTF-16, which cost more than every rule together).
    static func trimmed(_ text: String) -> String {
        let bytes = text.utf8.span
        guard !bytes.isEmpty else { return text }
        func blank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        guard blank(bytes[0]) || blank(bytes[bytes.count - 1]) else { return text }
        var start = 0, end = bytes.count
        while start < end, blank(bytes[start]) { start += 1 }
        while end > start, blank(bytes[end - 1]) { end -= 1 }
        let utf8 = text.utf8
        return String(text[utf8.index(utf8.startIndex, offsetBy: start) ..< utf8.index(utf8.startIndex, offsetBy: end)])
    }

    /// ARR, MRR, One Time or Other in any case, spaces or tabs around allowed (no lower-cased
    /// copy and no hashing for every record).
    static func isRevenueType(_ text: String) -> Bool {
        let written = trimmed(text)
        return revenueTypes.contains { ASCIICase.equals(written.utf8, $0) }
    }

    static func isWholeNumber(_ text: String) -> Bool {
        var digits = trimmed(text).utf8[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The problems and warnings of one record: `cells` are its six fields in CustomerGauge's order
    /// (read by the header's names, or by position), `count` the cells the row has in the fields'
    /// columns. Every problem of the row is said, not only the first; a row whose cells cannot be
    /// told apart (`columns`) is said once, as its fields would be misread.
    mutating func check(_ row: Int, _ cells: [RevenueCell], count: Int, problems: inout [Finding], warnings: inout [Finding]) {
        guard count >= 5, count <= 6 else {
            problems.append(Finding(rule: Rule.columns, row: row, column: nil, value: nil,
                                    message: "\(count) cell(s): a record has six (account name, revenue amount, revenue start date, revenue end date, revenue type, description; the description may be left out)"))
            return
        }
        let name = Self.trimmed(cells[0].text)
        if name.isEmpty {
            problems.append(Finding(rule: Rule.accountName, row: row, column: Self.columns[0], value: cells[0].text, message: "empty: every record names its account"))
        }
        switch cells[1] {
        case .number(let value) where value != value.rounded():
            problems.append(Finding(rule: Rule.amount, row: row, column: Self.columns[1], value: cells[1].text, message: "not a whole number: no decimals"))
        case .number:
            break
        case .date, .dateTime:
            problems.append(Finding(rule: Rule.amount, row: row, column: Self.columns[1], value: cells[1].shown, message: "a date, not a whole number"))
        case .text(let text):
            if !Self.isWholeNumber(text) {
                problems.append(Finding(rule: Rule.amount, row: row, column: Self.columns[1], value: text,
                                        message: text.isEmpty ? "empty: a whole number is needed" : "not a whole number: digits only, with no separators, decimals or currency signs"))
            }
        }
        let start = date(cells[2], row: row, rule: Rule.startDate, column: Self.columns[2], problems: &problems, warnings: &warnings)
        let end = date(cells[3], row: row, rule: Rule.endDate, column: Self.columns[3], problems: &problems, warnings: &warnings)
        if let start, let end, end < start {
            problems.append(Finding(rule: Rule.dateOrder, row: row, column: Self.columns[3], value: cells[3].text,
                                    message: "before the start date (\(start))"))
        }
        let type = cells[4].text
        if !Self.isRevenueType(type) {
            problems.append(Finding(rule: Rule.revenueType, row: row, column: Self.columns[4], value: type,
                                    message: type.isEmpty ? "empty: ARR, MRR, One Time or Other is needed" : "not ARR, MRR, One Time or Other"))
        }

        // Warnings: text mis-encoded on its way through a spreadsheet; another spelling of an
        // account seen before; the same six values as before.
        for (index, cell) in cells.enumerated() {
            guard case .text(let text) = cell, let likely = MisencodedText.likelyOriginal(of: text) else { continue }
            warnings.append(Finding(rule: Rule.encoding, row: row, column: Self.columns[index], value: text,
                                    message: "reads as UTF-8 text decoded as Windows-1252 and saved again: most likely \"\(likely)\" (import the file as UTF-8)"))
        }
        if !name.isEmpty {
            let key = name.lowercased()
            if let first = accounts[key] {
                if first.spelling != name {
                    warnings.append(Finding(rule: Rule.accountCase, row: row, column: Self.columns[0], value: cells[0].text,
                                            message: "spelled \"\(first.spelling)\" on row \(first.row): CustomerGauge keeps the first spelling"))
                }
            } else {
                accounts[key] = (name, row)
            }
        }
        var fingerprint = RowFingerprint()
        for index in 0 ..< 6 { fingerprint.add(index < cells.count ? cells[index].text : "") }
        if let first = seenRows.firstRow(of: fingerprint.value, row: row) {
            warnings.append(Finding(rule: Rule.duplicateRow, row: row, column: nil, value: nil, message: "the same six values as row \(first)"))
        }
    }

    /// A date cell, or text that is a real date written `YYYY-MM-DD`.
    private func date(_ cell: RevenueCell, row: Int, rule: String, column: String, problems: inout [Finding], warnings: inout [Finding]) -> CivilDate? {
        switch cell {
        case .date(let date): return date
        case .dateTime(let date, let time):
            warnings.append(Finding(rule: Rule.dateTime, row: row, column: column, value: cell.shown,
                                    message: "a date cell holding a time of day (\(time)): CustomerGauge keeps \(date) and drops the time"))
            return date
        case .number:
            problems.append(Finding(rule: rule, row: row, column: column, value: cell.text, message: "a number, not a date written YYYY-MM-DD"))
            return nil
        case .text(let text):
            let written = Self.trimmed(text)
            if let date = CivilDate(written) { return date }
            let why: String
            if written.isEmpty {
                why = "empty: a date written YYYY-MM-DD is needed"
            } else if case .failure(let problem) = CivilDate.check(written),
                      !problem.reason.hasPrefix("expected") {
                why = "not a real date written YYYY-MM-DD (\(problem.reason))"
            } else {
                why = "not a real date written YYYY-MM-DD"
            }
            problems.append(Finding(rule: rule, row: row, column: column, value: text, message: why))
            return nil
        }
    }
}
