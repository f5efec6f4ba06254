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

            A first row that names the fields is a header, read by its names wherever its columns stand (account name: account, account name, company, customer; revenue amount: amount, revenue, revenue amount; revenue start date: start, start date; revenue end date: end, end date; revenue type: type; description: desc; any case, spaces or underscores). In another order than CustomerGauge reads, or with columns that are none of the six (Notes, Currency), it gives a warning, and `upload` sends a CSV made in CustomerGauge's order without those columns. Formula cells are read as the value the workbook saved; a number cell as its value, not its display format.

            Problems (CustomerGauge would reject): file-type, file-size, record-count, no-records, columns, account-name, amount, start-date, end-date, date-order, revenue-type; every problem of a row is said. Warnings (stop nothing): account-case, duplicate-row, column-order, extra-column, encoding (text decoded as Windows-1252 on its way through a spreadsheet: SociÃ©tÃ© for Société), date-time (a date cell holding a time of day, which CustomerGauge drops).

            Examples:
              cg-revenue check examples/revenue-files/clean.csv
              cg-revenue check examples/revenue-files/problems.xlsx --format json
              cg-revenue check big.csv --split parts/

            Exit codes: 0 no problem (warnings allowed); 3 a problem in any file; 2 a file not found or not readable (the others are still checked), or a usage error. Over several files, the worst: 2, then 3, then 0.
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
        // Every file that can be read is checked and reported; one that cannot is named on stderr.
        // The exit is the worst: 2 (a file not read), then 3 (a problem), then 0.
        var checks: [FileCheck] = []
        var unread = 0
        for file in files {
            let check: FileCheck
            do {
                check = try RevenueFileChecker.check(file, splitInto: split.map { URL(fileURLWithPath: $0) })
            } catch ReportError.usage(let message) {
                FileHandle.standardError.write(Data("error: \(message)\n".utf8))
                unread += 1
                continue
            }
            if format == .text { FileHandle.standardOutput.write(Data(check.text.utf8)) }
            checks.append(check)
        }
        if format == .json { FileHandle.standardOutput.write(Data(FileCheck.json(checks).utf8)) }
        if unread > 0 { throw ExitCode(2) }
        if checks.contains(where: { !$0.problems.isEmpty }) { throw ExitCode(3) }
    }
}
