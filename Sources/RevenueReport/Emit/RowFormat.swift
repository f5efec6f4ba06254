/// An output that is one row per upload, in report order (CSV, NDJSON). Rows are rendered while
/// pages are typed, on several cores, and kept with the sorter's records; the merge then writes
/// the header and copies the rows into the file. A new row format is one new `RowFormat`.
///
/// A row is written into memory reserved for it (an `OutputSpan`): the format says how much it
/// may take at most, the caller reserves that much, and the row's bytes go straight in.
public protocol RowFormat: Sendable {
    var kind: OutputKind { get }
    /// What comes before the first row (the CSV's header line); nothing by default.
    func appendHeader(to out: inout [UInt8])
    /// At most how many bytes `write(_:into:)` writes for `upload`.
    func maximumRowSize(_ upload: RevenueUpload) -> Int
    /// Writes `upload`'s row; `out` has room for `maximumRowSize(upload)` more bytes.
    func write(_ upload: RevenueUpload, into out: inout OutputSpan<UInt8>)
}

extension RowFormat {
    public func appendHeader(to out: inout [UInt8]) {}

    /// Appends `upload`'s row to `out`.
    public func appendRow(_ upload: RevenueUpload, to out: inout [UInt8]) {
        out.append(addingCapacity: maximumRowSize(upload)) { write(upload, into: &$0) }
    }

    /// The whole output for `uploads` (already in report order), in memory: for tests and tools.
    public func render(_ uploads: [RevenueUpload]) -> [UInt8] {
        var out: [UInt8] = []
        appendHeader(to: &out)
        for upload in uploads { appendRow(upload, to: &out) }
        return out
    }
}

/// An output made from rows rendered ahead (by its `RowFormat`, put in report order into a
/// scratch file like every row output's rows) and the report document, once every row is in:
/// XLSX, whose library writes the file itself. The scratch file is removed with the run's other
/// temporary files.
public protocol RowsFinisher: Sendable {
    var kind: OutputKind { get }
    /// Writes the output at `path` from `rowsFile`; `warn` takes what the log should say.
    func finish(rowsFile: String, document: ReportDocument, to path: String, warn: (String) -> Void) throws
}
