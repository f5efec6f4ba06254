import ArgumentParser
import Foundation
import RevenueReport

/// `cg-revenue check`: reads revenue files as CustomerGauge will and says every row it would
/// reject, before anyone sends them.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Say every row of a revenue file (CSV, XLSX, XLS, XML) that CustomerGauge would reject, before it is sent.",
        discussion: """
            The rules are CustomerGauge's: six fields in this order (account name, revenue amount, revenue start date, revenue end date, revenue type, description; the description may be left out); the amount a whole number (a leading - allowed); dates written YYYY-MM-DD; the end not before the start; the type ARR, MRR, One Time or Other; at most 1,000 records and 2,000,000 bytes a file. Rows are numbered as a spreadsheet shows them (behind a header the first record is row 2; in XML the n-th record is row n + 1).

            Problems (CustomerGauge would reject): file-type, file-size, record-count, no-records, columns, account-name, amount, start-date, end-date, date-order, revenue-type. Warnings (stop nothing): account-case, duplicate-row.

            Examples:
              cg-revenue check examples/revenue-files/clean.csv
              cg-revenue check examples/revenue-files/problems.xlsx --format json
              cg-revenue check big.csv --split parts/

            Exit codes: 0 no problem (warnings allowed); 3 a problem in any file; 2 a file not found or not readable, or a usage error.
            """
    )

    @Argument(help: ArgumentHelp("Revenue files: .csv, .xlsx, .xls or .xml.", valueName: "FILE"))
    var files: [String]

    @Option(help: ArgumentHelp("text (a line a finding, as a compiler writes it) or json (on stdout).", valueName: "FORMAT"))
    var format: OutputStyle = .text

    @Option(help: ArgumentHelp("Write each file's records in parts CustomerGauge takes (at most 1,000 records and 2,000,000 bytes): DIR/STEM.part-K-of-N.csv. File size and record count are then not problems.", valueName: "DIR"))
    var split: String?

    enum OutputStyle: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() async throws {
        // A file that is not there is a usage error, found before anything is said of the others.
        for file in files where !FileManager.default.isReadableFile(atPath: file) {
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isFolder)
            throw ReportError.usage("\(file): \(exists ? (isFolder.boolValue ? "is a folder, not a revenue file" : "cannot be read") : "no such file")")
        }
        var checks: [FileCheck] = []
        for file in files {
            let check = try RevenueFileChecker.check(file, splitInto: split.map { URL(fileURLWithPath: $0) })
            if format == .text { FileHandle.standardOutput.write(Data(check.text.utf8)) }
            checks.append(check)
        }
        if format == .json { FileHandle.standardOutput.write(Data(FileCheck.json(checks).utf8)) }
        if checks.contains(where: { !$0.problems.isEmpty }) { throw ExitCode(3) }
    }
}
