import Foundation

/// `--rejected-out DIR`: `DIR/STEM.rejected.csv`, the six columns and `problem`, one line per
/// row left out by the check or rejected by CustomerGauge (its problems joined with `; `), its values as read: fix the rows in
/// place and send the file again (`check` and `upload` take the `problem` column and drop it).
public enum RejectedRowsFile {
    public static let header = "account name,revenue amount,revenue start date,revenue end date,revenue type,description,problem\r\n"

    /// Writes the file for `source`'s rejected rows (those with a row), whole or not at all; nil
    /// when there is no such row (nothing is written).
    public static func write(_ rows: [RejectedRow], source: String, into folder: URL) throws -> URL? {
        let withValues = rows.filter { $0.row != nil && !$0.values.isEmpty }
        guard !withValues.isEmpty else { return nil }
        var bytes = Array(header.utf8)
        // One line a row, its problems joined: a row rejected for three reasons is fixed once.
        let byRow = Dictionary(grouping: withValues, by: { $0.row! })
        for row in byRow.keys.sorted() {
            let entries = byRow[row]!
            for value in entries[0].values {
                RevenueCSVParts.appendField(value, to: &bytes)
                bytes.append(UInt8(ascii: ","))
            }
            var problems: [String] = []
            for entry in entries {
                let problem = entry.by == .check ? entry.message : entry.cause
                if !problems.contains(problem) { problems.append(problem) }
            }
            RevenueCSVParts.appendField(problems.joined(separator: "; "), to: &bytes)
            bytes += [0x0D, 0x0A]
        }
        let stem = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        let target = folder.appendingPathComponent("\(stem).rejected.csv")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // Written beside it and renamed: an earlier file is replaced whole or not at all.
            try Data(bytes).write(to: target, options: .atomic)
        } catch {
            throw ReportError.io("--rejected-out \(folder.relativePath): cannot write \(target.lastPathComponent): \(FileProblem.describeFolder(path: folder.path))")
        }
        return target
    }
}
