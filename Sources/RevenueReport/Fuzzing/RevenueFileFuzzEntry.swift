import Foundation

/// What the libFuzzer targets for revenue files run (`Fuzz/FuzzRevenueCSV`, …): the bytes as a
/// file of that format, through `check` as the command runs it. A finding or a thrown error is
/// the expected way to refuse; a crash is a bug. The file goes to memory-backed /dev/shm.
public enum RevenueFileFuzzEntry {
    public static func run(_ data: UnsafeRawPointer, _ size: Int, format: RevenueFileFormat) {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(folder)/cg-revenue-fuzz-\(getpid()).\(format.rawValue)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
        defer { unlink(path) }
        guard let check = try? RevenueFileChecker.check(path) else { return }
        // Every finding names a known rule, and every row it names is a row of the file.
        for finding in check.problems {
            guard RevenueRules.Rule.problems.contains(finding.rule) else { fatalError("an unknown problem: \(finding.rule)") }
        }
        for finding in check.problems + check.warnings {
            guard RevenueRules.Rule.problems.contains(finding.rule) || RevenueRules.Rule.warnings.contains(finding.rule) else {
                fatalError("an unknown rule: \(finding.rule)")
            }
            if let row = finding.row, row < 1 { fatalError("row \(row)") }
        }
    }
}
