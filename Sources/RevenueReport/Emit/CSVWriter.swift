/// RFC 4180 CSV, UTF-8, CRLF line ends, the columns of DESIGN.md.
///
/// Cells that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or CR) get
/// a leading `'` unless `neutraliseFormulas` is off (`--csv-raw`).
public struct CSVWriter: ReportWriter {
    public static let header = ["id", "status", "source_filename", "date_upload", "total_records", "successful_records",
                                "unsuccessful_records", "success_rate", "log_count", "logs"]

    public let neutraliseFormulas: Bool
    public var kind: OutputKind { .csv }

    public init(neutraliseFormulas: Bool = true) {
        self.neutraliseFormulas = neutraliseFormulas
    }

    public func render(_ document: ReportDocument) throws -> [UInt8] {
        var out = ""
        out.reserveCapacity(256 * (document.uploads.count + 1))
        appendRow(Self.header, to: &out)
        for upload in document.uploads {
            appendRow(cells(of: upload), to: &out)
        }
        return Array(out.utf8)
    }

    func cells(of upload: RevenueUpload) -> [String] {
        [
            String(upload.id),
            upload.status ?? "",
            upload.sourceFilename ?? "",
            upload.dateUpload.rfc3339,
            upload.totalRecords.map(String.init) ?? "",
            upload.successfulRecords.map(String.init) ?? "",
            upload.unsuccessfulRecords.map(String.init) ?? "",
            upload.successRateText ?? "",
            String(upload.logs.count),
            JSONValue.array(upload.logs).compactText,
        ]
    }

    private func appendRow(_ cells: [String], to out: inout String) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { out += "," }
            appendCell(cell, to: &out)
        }
        out += "\r\n"
    }

    private func appendCell(_ raw: String, to out: inout String) {
        var cell = raw
        if neutraliseFormulas, let first = cell.unicodeScalars.first, Self.formulaLeaders.contains(first) {
            cell = "'" + cell
        }
        if cell.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
            out += "\""
            out += cell.replacingOccurrences(of: "\"", with: "\"\"")
            out += "\""
        } else {
            out += cell
        }
    }

    static let formulaLeaders: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
