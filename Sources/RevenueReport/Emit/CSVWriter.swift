/// RFC 4180 CSV, UTF-8, CRLF line ends, the columns of DESIGN.md.
///
/// Cells that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or CR) get
/// a leading `'` unless `neutraliseFormulas` is off (`--csv-raw`).
public struct CSVWriter: RowFormat {
    public static let header = ["id", "status", "source_filename", "date_upload", "total_records", "successful_records",
                                "unsuccessful_records", "success_rate", "log_count", "logs"]

    public let neutraliseFormulas: Bool
    public var kind: OutputKind { .csv }

    public init(neutraliseFormulas: Bool = true) {
        self.neutraliseFormulas = neutraliseFormulas
    }

    public func appendHeader(to out: inout [UInt8]) {
        for (index, name) in Self.header.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: name.utf8)
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// One row, straight into bytes: numbers need no quoting, text cells go through `appendCell`.
    public func appendRow(_ upload: RevenueUpload, to out: inout [UInt8]) {
        let comma = UInt8(ascii: ",")
        out.append(contentsOf: String(upload.id).utf8)
        out.append(comma)
        appendCell(upload.status ?? "", to: &out)
        out.append(comma)
        appendCell(upload.sourceFilename ?? "", to: &out)
        out.append(comma)
        upload.dateUpload.appendRFC3339(to: &out)
        for count in [upload.totalRecords, upload.successfulRecords, upload.unsuccessfulRecords] {
            out.append(comma)
            if let count { out.append(contentsOf: String(count).utf8) }
        }
        out.append(comma)
        if let rate = upload.successRateText { out.append(contentsOf: rate.utf8) }
        out.append(comma)
        out.append(contentsOf: String(upload.logCount).utf8)
        out.append(comma)
        appendCell(upload.logsJSON, to: &out)
        out.append(contentsOf: [0x0D, 0x0A])
    }

    private func appendCell(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendCell($0, to: &out) }
    }

    private func appendCell(_ bytes: [UInt8], to out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { appendCell($0, to: &out) }
    }

    /// RFC 4180 quoting when the cell holds a comma, quote, CR or LF; the formula guard first.
    private func appendCell(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let guarded = neutraliseFormulas && bytes.first.map(Self.formulaLeaders.contains) == true
        let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes { out.append(UInt8(ascii: "\"")) }
        if guarded { out.append(UInt8(ascii: "'")) }
        if needsQuotes {
            for byte in bytes {
                if byte == UInt8(ascii: "\"") { out.append(byte) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        } else {
            out.append(contentsOf: bytes)
        }
    }

    /// First bytes that make a spreadsheet run a cell: `=`, `+`, `-`, `@`, tab, CR.
    static let formulaLeaders: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D]
}
