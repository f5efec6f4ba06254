/// RFC 4180 CSV, UTF-8, CRLF line ends, the columns the README lists under "What each output holds".
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

    /// At most: every text cell with its quotes doubled, a guard and quotes; 20 bytes a number.
    public func maximumRowSize(_ upload: RevenueUpload) -> Int {
        let text = (upload.status?.utf8.count ?? 0) + (upload.sourceFilename?.utf8.count ?? 0) + upload.logsJSON.count
        return 256 + 2 * text
    }

    /// One row into reserved output: numbers need no quoting, text cells go through `writeCell`.
    public func write(_ upload: RevenueUpload, into out: inout OutputSpan<UInt8>) {
        let comma = UInt8(ascii: ",")
        out.appendDecimal(upload.id)
        out.append(comma)
        if let status = upload.status { writeCell(status.utf8.span, into: &out) }
        out.append(comma)
        if let filename = upload.sourceFilename { writeCell(filename.utf8.span, into: &out) }
        out.append(comma)
        upload.dateUpload.write(into: &out)
        out.append(comma)
        if let count = upload.totalRecords { out.appendDecimal(count) }
        out.append(comma)
        if let count = upload.successfulRecords { out.appendDecimal(count) }
        out.append(comma)
        if let count = upload.unsuccessfulRecords { out.appendDecimal(count) }
        out.append(comma)
        if let rate = upload.successRateBasisPoints { out.appendFourDecimals(rate) }
        out.append(comma)
        out.appendDecimal(upload.logCount)
        out.append(comma)
        writeCell(upload.logsJSON.span, into: &out)
        out.append(0x0D)
        out.append(0x0A)
    }

    /// RFC 4180 quoting when the cell holds a comma, quote, CR or LF (each quote doubled); the
    /// formula guard first.
    private func writeCell(_ text: Span<UInt8>, into out: inout OutputSpan<UInt8>) {
        let guarded = neutraliseFormulas && !text.isEmpty && Self.isFormulaLeader(text[0])
        var needsQuotes = false
        for index in text.indices where Self.needsQuotes(text[index]) {
            needsQuotes = true
            break
        }
        if needsQuotes { out.append(UInt8(ascii: "\"")) }
        if guarded { out.append(UInt8(ascii: "'")) }
        guard needsQuotes else { return out.append(copying: text) }
        for index in text.indices {
            let byte = text[index]
            out.append(byte)
            if byte == UInt8(ascii: "\"") { out.append(byte) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D
    }

    /// First bytes that make a spreadsheet run a cell: `=`, `+`, `-`, `@`, tab, CR.
    static func isFormulaLeader(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "=") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@") || byte == 0x09 || byte == 0x0D
    }
}
