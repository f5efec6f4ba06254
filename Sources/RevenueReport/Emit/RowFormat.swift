/// An output that is one row per upload, in report order (CSV, NDJSON). Rows are rendered while
/// pages are typed, on several cores, and kept with the sorter's records; the merge then writes
/// the header and copies the rows into the file. A new row format is one new `RowFormat`.
public protocol RowFormat: Sendable {
    var kind: OutputKind { get }
    /// What comes before the first row (the CSV's header line); nothing by default.
    func appendHeader(to out: inout [UInt8])
    func appendRow(_ upload: RevenueUpload, to out: inout [UInt8])
}

extension RowFormat {
    public func appendHeader(to out: inout [UInt8]) {}

    /// The whole output for `uploads` (already in report order), in memory: for tests and tools.
    public func render(_ uploads: [RevenueUpload]) -> [UInt8] {
        var out: [UInt8] = []
        appendHeader(to: &out)
        for upload in uploads { appendRow(upload, to: &out) }
        return out
    }
}
