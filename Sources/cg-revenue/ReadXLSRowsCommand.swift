import ArgumentParser
import RevenueReport

/// `cg-revenue read-xls-rows FILE`: the child process `check` and `upload` read an XLS file in
/// (libfreexl crashes on some damaged workbooks; a crash there must not end the command). Hidden.
struct ReadXLSRowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read-xls-rows",
        abstract: "Read an XLS file's rows with libfreexl and print them as JSON lines (used by check; not for people).",
        shouldDisplay: false)

    @Argument var file: String

    func run() {
        XLSRowsChild.run(path: file)
    }
}
