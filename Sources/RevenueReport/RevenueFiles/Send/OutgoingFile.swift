import Foundation

/// One file as it goes to CustomerGauge: the user's own bytes, or a CSV made from its records
/// (the rows without problems under `--skip-invalid-rows`, a part under `--split`, or a file
/// written by `--rejected-out` without its `problem` column).
public struct OutgoingFile: Sendable {
    /// The file the user gave.
    public var source: String
    /// The name it is sent under: the listing's `source_filename`.
    public var name: String
    public var contentType: String
    public var bytes: Data
    /// Of `bytes`: what the history knows a file by.
    public var sha256: String
    public var records: Int
    /// The user's file's row of each record sent, in order; nil when the file goes as it is
    /// (CustomerGauge's rows are then the file's).
    public var sourceRows: [Int]?

    /// The row of the user's file that CustomerGauge's `row` names in what was sent (behind the
    /// header of a made CSV, its first record is row 2).
    public func sourceRow(forSentRow row: Int) -> Int? {
        guard let sourceRows else { return row }
        let index = row - 2
        return sourceRows.indices.contains(index) ? sourceRows[index] : nil
    }
}

/// One row of the user's file, with its values as read: what the outcome and `--rejected-out` show.
public struct LocalRow: Sendable, Equatable {
    public var row: Int
    public var cells: [RevenueCell]

    /// The six values as text: fewer cells padded with `""`, more cut at six.
    public var values: [String] {
        let texts = cells.prefix(6).map(\.text)
        return texts + Array(repeating: "", count: 6 - texts.count)
    }
}

/// A file made ready to send: what `check` said of it, the files that go (none when it must not
/// be sent), and the rows left out by the check.
public struct PreparedFile: Sendable {
    public var check: FileCheck
    /// What goes, in order: the file itself, a CSV of it, or its parts.
    public var outgoing: [OutgoingFile]
    /// The problems that stop the file from being sent (none when it goes).
    public var blocking: [Finding]
    /// Rows left out by `--skip-invalid-rows`, with every problem found in each.
    public var leftOut: [(row: LocalRow, findings: [Finding])]
    /// Every record of the file by row, for the outcome's values.
    public var records: [Int: LocalRow]
}

/// Steps 1 of `upload`: checks a file as `check` does and works out what is sent.
public enum UploadPreparation {
    /// `skipInvalidRows`: the rows without problems go (as `STEM.csv`); `split`: a file over the
    /// limits goes as its parts (`STEM.part-K-of-N.csv`).
    public static func prepare(_ path: String, skipInvalidRows: Bool, split: Bool) throws -> PreparedFile {
        var records: [(row: LocalRow, hasProblem: Bool)] = []
        let check = try RevenueFileChecker.check(path, allowOverLimits: split) { record in
            records.append((LocalRow(row: record.row, cells: record.cells), record.hasProblem))
        }
        var prepared = PreparedFile(check: check, outgoing: [], blocking: [], leftOut: [],
                                    records: Dictionary(records.map { ($0.row.row, $0.row) }, uniquingKeysWith: { first, _ in first }))
        // A problem of the whole file (or of its header) stops it; so does a record's, unless such
        // records are left out.
        prepared.blocking = check.problems.filter { finding in
            guard let row = finding.row, prepared.records[row] != nil else { return true }
            return !skipInvalidRows
        }
        guard prepared.blocking.isEmpty else { return prepared }

        let findingsByRow = Dictionary(grouping: check.problems.filter { $0.row != nil }, by: { $0.row! })
        prepared.leftOut = records.filter(\.hasProblem).map { ($0.row, findingsByRow[$0.row.row] ?? []) }
        let kept = records.filter { !$0.hasProblem }.map(\.row)
        guard !kept.isEmpty else { return prepared }  // every row left out: nothing to send

        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let overLimits = check.records > RevenueRules.maxRecords || size > RevenueRules.maxBytes
        // The user's own bytes when CustomerGauge can take them as they are; else a CSV made in its
        // order, of the records that go, without the columns that are none of the six.
        if prepared.leftOut.isEmpty, !check.problemColumn, !check.reordered, !overLimits, let format = check.format {
            let bytes: Data
            do {
                bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ReportError.usage("\(path): cannot be read: \(FileProblem.describe(path: path))")
            }
            prepared.outgoing = [OutgoingFile(source: path, name: (path as NSString).lastPathComponent, contentType: format.mimeType,
                                              bytes: bytes, sha256: sha256Hex(bytes), records: check.records, sourceRows: nil)]
            return prepared
        }
        var csv = RevenueCSVParts()
        var parts = kept.compactMap { csv.add($0.cells, row: $0.row) }
        if let last = csv.finish() { parts.append(last) }
        prepared.outgoing = parts.enumerated().map { index, part in
            let name = parts.count == 1 ? "\(stem).csv" : "\(stem).part-\(index + 1)-of-\(parts.count).csv"
            return OutgoingFile(source: path, name: name, contentType: RevenueFileFormat.csv.mimeType, bytes: part.bytes,
                                sha256: sha256Hex(part.bytes), records: part.rows.count, sourceRows: part.rows)
        }
        return prepared
    }
}
