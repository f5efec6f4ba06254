import Foundation

/// Records as the six-column CSV CustomerGauge takes (UTF-8, comma, CR LF, the header, cells as
/// read and typed dates as `YYYY-MM-DD`), cut into parts of at most 1,000 records and 2,000,000
/// bytes, header included: what `check --split` writes and what `upload` sends when it cannot
/// send the file as it is. Each part knows the rows of the file its records came from.
struct RevenueCSVParts {
    static let header = "account name,revenue amount,revenue start date,revenue end date,revenue type,description\r\n"

    struct Part {
        var bytes: Data
        /// The file's row of each record, in order.
        var rows: [Int]
    }

    private var current = Array(header.utf8)
    private var rows: [Int] = []

    /// Adds a record; returns the part it closed, when it did not fit in the one being made.
    mutating func add(_ cells: [RevenueCell], row: Int) -> Part? {
        var line: [UInt8] = []
        for (index, cell) in cells.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            Self.appendField(cell.text, to: &line)
        }
        line += [0x0D, 0x0A]
        var closed: Part?
        if rows.count == RevenueRules.maxRecords || (!rows.isEmpty && current.count + line.count > RevenueRules.maxBytes) {
            closed = finish()
        }
        current += line
        rows.append(row)
        return closed
    }

    /// The part being made, if it holds a record; the next starts empty.
    mutating func finish() -> Part? {
        guard !rows.isEmpty else { return nil }
        defer {
            current = Array(Self.header.utf8)
            rows = []
        }
        return Part(bytes: Data(current), rows: rows)
    }

    /// RFC 4180: a field with a comma, a quote, CR or LF is quoted, its quotes doubled.
    static func appendField(_ text: String, to out: inout [UInt8]) {
        let special: Set<UInt8> = [0x2C, 0x22, 0x0A, 0x0D]  // , " LF CR
        let needsQuotes = text.utf8.contains(where: special.contains)
        guard needsQuotes else { out.append(contentsOf: text.utf8); return }
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}
