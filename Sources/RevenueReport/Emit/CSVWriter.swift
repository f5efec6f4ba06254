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

    /// One row, straight into bytes: numbers need no quoting, text cells go through `appendCell`.
    public func appendRow(_ upload: RevenueUpload, to out: inout [UInt8]) {
        let comma = UInt8(ascii: ",")
        out.appendDecimal(upload.id)
        out.append(comma)
        appendCell(upload.status, to: &out)
        out.append(comma)
        appendCell(upload.sourceFilename, to: &out)
        out.append(comma)
        upload.dateUpload.appendRFC3339(to: &out)
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
        upload.logsJSON.withUnsafeBufferPointer { appendCell($0, to: &out) }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    private func appendCell(_ text: String?, to out: inout [UInt8]) {
        guard var text else { return }
        text.withUTF8 { appendCell($0, to: &out) }
    }

    /// RFC 4180 quoting when the cell holds a comma, quote, CR or LF; the formula guard first.
    private func appendCell(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let guarded = neutraliseFormulas && bytes.first.map(Self.isFormulaLeader) == true
        let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes { out.append(UInt8(ascii: "\"")) }
        if guarded { out.append(UInt8(ascii: "'")) }
        guard needsQuotes else {
            out.append(contentsOf: bytes)
            return
        }
        // Copy the stretches between quotes whole; each quote is doubled.
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\"") {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start ... index]))
            out.append(byte)
            start = index + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        out.append(UInt8(ascii: "\""))
    }

    static func isFormulaLeader(_ byte: UInt8) -> Bool {
        formulaLeaders.contains(byte)
    }

    /// First bytes that make a spreadsheet run a cell: `=`, `+`, `-`, `@`, tab, CR.
    static let formulaLeaders: [UInt8] = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D]
}
