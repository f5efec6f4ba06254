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
              CG_CLIENT_ID=… CG_CLIENT_SECRET=… cg-revenue report --region us --from 2026-10-01 --to 2026-10-31 --format xml

            Credentials come from the environment only: CG_CLIENT_ID and CG_CLIENT_SECRET (OAuth2), or CG_API_KEY.

            The range is inclusive and exact: [FROM 00:00:00, TO 23:59:59] in the source time zone.
            Outputs are written to temporary files and renamed into place only when all are done.
            """
    )

    @Option(name: .customLong("replay"), help: ArgumentHelp("Read recorded pages (*.json, *.xml, in file name order) from this folder instead of the API.", valueName: "DIR"))
    var replay: String?

    @Option(help: ArgumentHelp("API region: eu, us or au (env CG_REGION).", valueName: "REGION"))
    var region: String?

    @Option(name: .customLong("base-url"), help: ArgumentHelp("Replaces https://api.REGION.customergauge.com (env CG_BASE_URL); https unless loopback.", valueName: "URL"))
    var baseURL: String?

    @Option(name: .customLong("auth-url"), help: ArgumentHelp("Replaces https://auth.REGION.customergauge.com (env CG_AUTH_URL); https unless loopback.", valueName: "URL"))
    var authURL: String?

    @Option(help: ArgumentHelp("Wire format requested from the API: json or xml.", valueName: "FORMAT"))
    var format: String = "json"

    @Option(name: .customLong("page-size"), help: ArgumentHelp("Uploads per request (`limit`), 1 to 1000.", valueName: "N"))
    var pageSize: Int = 1000

    @Option(help: ArgumentHelp("Pages in flight at once (results stay in order), 1 to 32.", valueName: "N"))
    var concurrency: Int = 4

    @Option(name: .customLong("max-attempts"), help: ArgumentHelp("Tries per request before giving up (429, 5xx, timeouts, dropped connections are retried).", valueName: "N"))
    var maxAttempts: Int = 5

    @Option(help: ArgumentHelp("Seconds to wait for one response before retrying it.", valueName: "SECONDS"))
    var timeout: Double = 60

    @Option(name: .customLong("archive-raw"), help: ArgumentHelp("Keep every page read, byte for byte, with a sidecar of how it was fetched, in this new or empty folder; --replay reads it back.", valueName: "DIR"))
    var archiveRaw: String?

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
        let result: RunResult
        if let replay {
            let source = ReplaySource(directory: URL(fileURLWithPath: replay))
            result = try await Pipeline.run(source: source, configuration: configuration, logger: logger)
        } else {
            let source = try makeAPISource(filter: configuration.filter, logger: logger)
            do {
                result = try await Pipeline.run(source: source, configuration: configuration, logger: logger)
                await source.transport.shutdown()
            } catch {
                await source.transport.shutdown()
                throw error
            }
        }
        for output in result.outputs {
            print(output.path)
        }
    }

    /// The live API, from options and the CG_ environment (flags win).
    func makeAPISource(filter: RecordFilter, logger: Logger) throws -> APISource {
        let environment = ProcessInfo.processInfo.environment
        let regionName = region ?? environment["CG_REGION"] ?? "eu"
        guard let region = Region(rawValue: regionName.lowercased()) else {
            throw ReportError.usage("--region \(regionName): choose eu, us or au")
        }
        guard let wire = WireFormat(rawValue: format.lowercased()) else {
            throw ReportError.usage("--format \(format): choose json or xml")
        }
        guard (1...1000).contains(pageSize) else {
            throw ReportError.usage("--page-size \(pageSize): must be 1 to 1000 (the API's maximum)")
        }
        guard (1...32).contains(concurrency) else {
            throw ReportError.usage("--concurrency \(concurrency): must be 1 to 32")
        }
        guard (1...20).contains(maxAttempts) else {
            throw ReportError.usage("--max-attempts \(maxAttempts): must be 1 to 20")
        }
        guard timeout > 0 else {
            throw ReportError.usage("--timeout \(timeout): must be more than 0 seconds")
        }
        let endpoint = try APIEndpoint(baseURL: baseURL ?? environment["CG_BASE_URL"] ?? region.defaultBaseURL,
                                       authURL: authURL ?? environment["CG_AUTH_URL"] ?? region.defaultAuthURL, format: wire)
        let credentials = try Credentials.from(environment: environment)
        var settings = HTTPTransport.Settings()
        settings.requestTimeout = timeout
        settings.connectTimeout = min(10, timeout)
        return APISource(endpoint: endpoint, query: APIQuery(filter: filter, pageSize: pageSize), concurrency: concurrency,
                         credentials: credentials, transport: HTTPTransport(settings: settings),
                         retry: RetryPolicy(maxAttempts: maxAttempts), logger: logger)
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
            templateFile: template.map { URL(fileURLWithPath: $0) },
            archiveDirectory: archiveRaw.map { URL(fileURLWithPath: $0) }
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
