import ArgumentParser
import Foundation
import Logging
import RevenueReport

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the reports for a date range.",
        discussion: """
            Examples:
              cg-revenue report --replay examples/responses --from 2026-01-01 --to 2026-06-30
              cg-revenue report --replay examples/responses-xml --from 2026-03-01 --to 2026-03-31 --emit csv
              cg-revenue report --replay recorded/ --id 1042 --out /tmp/one --name upload-1042

            The range is inclusive and exact: [FROM 00:00:00, TO 23:59:59] in the source time zone.
            Outputs are written to temporary files and renamed into place only when all are done.
            """
    )

    @Option(name: .customLong("replay"), help: ArgumentHelp("Read recorded pages (*.json, *.xml, in file name order) from this folder.", valueName: "DIR"))
    var replay: String?

    @Option(help: ArgumentHelp("First day of the range, inclusive.", valueName: "YYYY-MM-DD"))
    var from: String?

    @Option(help: ArgumentHelp("Last day of the range, inclusive.", valueName: "YYYY-MM-DD"))
    var to: String?

    @Option(help: ArgumentHelp("Report one upload only.", valueName: "N"))
    var id: Int64?

    @Option(help: ArgumentHelp("Outputs to write, comma separated: csv, ndjson, html.", valueName: "LIST"))
    var emit: String = "csv,ndjson,html"

    @Option(help: ArgumentHelp("Output folder (created if missing).", valueName: "DIR"))
    var out: String = "./reports"

    @Option(help: ArgumentHelp("Output file stem. Default: revenue-uploads_FROM_TO, or revenue-uploads_all with no range.", valueName: "STEM"))
    var name: String?

    @Option(name: .customLong("source-timezone"), help: ArgumentHelp("Time zone of the API's timestamps (IANA name).", valueName: "TZ"))
    var sourceTimezone: String = "UTC"

    @Option(help: ArgumentHelp("HTML template instead of the bundled templates/report.html.mustache.", valueName: "FILE"))
    var template: String?

    @Flag(name: .customLong("csv-raw"), help: "Turn off the spreadsheet formula guard (a leading ' before =, +, -, @, tab, CR).")
    var csvRaw = false

    @Flag(name: .customLong("skip-invalid"), help: "Report records that cannot be read (on stderr and in the HTML) and go on, instead of exiting 1.")
    var skipInvalid = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (on stderr).", valueName: "LEVEL"))
    var logLevel: String = "info"

    @Flag(help: "Log errors only.")
    var quiet = false

    func run() async throws {
        let logger = try makeLogger()
        let configuration = try resolveConfiguration()
        guard let replay else {
            throw ReportError.usage("no source: give --replay DIR (the live API is not in this version yet)")
        }
        let source = ReplaySource(directory: URL(fileURLWithPath: replay))
        let result = try await Pipeline.run(source: source, configuration: configuration, logger: logger)
        for output in result.outputs {
            print(output.path)
        }
    }

    func resolveConfiguration() throws -> ReportConfiguration {
        let fromDate = try from.map { try parseDate($0, option: "--from") }
        let toDate = try to.map { try parseDate($0, option: "--to") }
        guard let zone = SourceZone(identifier: sourceTimezone) else {
            throw ReportError.usage("--source-timezone \(sourceTimezone): unknown time zone (use an IANA name such as UTC or Europe/Amsterdam)")
        }
        var outputs: [OutputKind] = []
        for item in emit.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !item.isEmpty {
            guard let kind = OutputKind(rawValue: item) else {
                throw ReportError.usage("--emit \(emit): unknown output \"\(item)\" (choose from csv, ndjson, html)")
            }
            if !outputs.contains(kind) { outputs.append(kind) }
        }
        return ReportConfiguration(
            filter: RecordFilter(from: fromDate, to: toDate, id: id),
            sourceZone: zone,
            outputs: outputs,
            outDirectory: URL(fileURLWithPath: out),
            stem: name,
            csvRaw: csvRaw,
            skipInvalid: skipInvalid,
            templateFile: template.map { URL(fileURLWithPath: $0) }
        )
    }

    private func parseDate(_ text: String, option: String) throws -> CivilDate {
        guard let date = CivilDate(text) else {
            throw ReportError.usage("\(option) \(text): expected a date as YYYY-MM-DD")
        }
        return date
    }

    private func makeLogger() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw ReportError.usage("--log-level \(logLevel): choose trace, debug, info, notice, warning, error or critical")
        }
        let effective = quiet ? Logger.Level.error : level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = effective
            return handler
        }
        return Logger(label: "cg-revenue")
    }
}
