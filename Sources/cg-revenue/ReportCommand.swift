import ArgumentParser
import Foundation
import Logging
import RevenueReport

/// `cg-revenue report`: every option of the contract. Options left out here fall back to the
/// environment (`CG_` + the name), then the `--config` file, then the defaults shown.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the reports (CSV, NDJSON, HTML, manifest) for a date range.",
        discussion: """
            Examples:
              cg-revenue report --replay examples/responses \\
                --from 2026-01-01 --to 2026-06-30
              CG_CLIENT_ID=… CG_CLIENT_SECRET=… cg-revenue report \\
                --region us --from 2026-10-01 --to 2026-10-31 --format xml
              cg-revenue report --config examples/nightly.yaml \\
                --fail-on unsuccessful,not-processed
              cg-revenue report --config examples/monthly-audit.yaml \\
                --range 2026-10 --dry-run
              cg-revenue report --replay examples/responses --range 2026-03 \\
                --emit csv,html,eml --mail-to finance@example.com
              sendmail -t < reports/revenue-uploads_2026-03-01_2026-03-31.eml

            Every option can also come from the environment as CG_ and its name (CG_PAGE_SIZE for --page-size) or from the --config YAML file under its name (page-size: 500). Precedence: flags > environment > file > defaults. Unprefixed variables are ignored.

            Credentials come from the environment or files only: CG_CLIENT_ID and CG_CLIENT_SECRET (OAuth2) or CG_API_KEY; in the config file client_secret_file or api_key_file.

            The range is inclusive and exact: [FROM 00:00:00, TO 23:59:59] in the source time zone (for --range: in --timezone). Outputs are written to temporary files and renamed into place only when all are done; the manifest comes last.

            Exit codes: 0 done; 1 the run failed (network, auth, server, bad data); 2 usage or configuration error; 3 done, but a --fail-on rule matched.
            """
    )

    // MARK: source
    @Option(help: ArgumentHelp("Read recorded pages (*.json, *.xml, in file name order) from this folder instead of the API.", valueName: "DIR"))
    var replay: String?
    @Option(help: ArgumentHelp("API region: eu, us or au. (default: eu)", valueName: "REGION"))
    var region: String?
    @Option(name: .customLong("base-url"), help: ArgumentHelp("Replaces https://api.REGION.customergauge.com; https unless loopback.", valueName: "URL"))
    var baseURL: String?
    @Option(name: .customLong("auth-url"), help: ArgumentHelp("Replaces https://auth.REGION.customergauge.com; https unless loopback.", valueName: "URL"))
    var authURL: String?
    @Option(help: ArgumentHelp("Wire format requested from the API: json or xml. (default: json)", valueName: "FORMAT"))
    var format: String?
    @Option(name: .customLong("page-size"), help: ArgumentHelp("Uploads per request (`limit`), 1 to 1000. (default: 1000)", valueName: "N"))
    var pageSize: String?
    @Option(help: ArgumentHelp("Pages in flight at once, results still in order; 1 to 32. (default: 4)", valueName: "N"))
    var concurrency: String?
    @Option(name: .customLong("max-attempts"), help: ArgumentHelp("Tries per request: 429, 5xx, timeouts and dropped connections are retried with backoff. (default: 5)", valueName: "N"))
    var maxAttempts: String?
    @Option(help: ArgumentHelp("Seconds to wait for one response before retrying it. (default: 60)", valueName: "SECONDS"))
    var timeout: String?
    @Option(name: .customLong("archive-raw"), help: ArgumentHelp("Keep every page read, byte for byte, with a sidecar of how it was fetched, in this new or empty folder; --replay reads it back.", valueName: "DIR"))
    var archiveRaw: String?

    // MARK: range
    @Option(help: ArgumentHelp("First day of the range, inclusive, in the source time zone.", valueName: "YYYY-MM-DD"))
    var from: String?
    @Option(help: ArgumentHelp("Last day of the range, inclusive, in the source time zone.", valueName: "YYYY-MM-DD"))
    var to: String?
    @Option(help: ArgumentHelp("Relative range in --timezone: yesterday, today, last-7-days, last-30-days, month-to-date, last-month, or a month YYYY-MM.", valueName: "NAME"))
    var range: String?
    @Option(help: ArgumentHelp("Report one upload only.", valueName: "N"))
    var id: String?
    @Option(name: .customLong("source-timezone"), help: ArgumentHelp("Time zone of the API's timestamps (IANA name). (default: UTC)", valueName: "TZ"))
    var sourceTimezone: String?
    @Option(help: ArgumentHelp("Zone in which --range is computed and the HTML shows times. (default: the source zone)", valueName: "TZ"))
    var timezone: String?
    @Option(help: ArgumentHelp("RFC 3339 time standing in for the clock (2026-03-15T10:00:00Z): backfills, tests, reproducible reports.", valueName: "TIME"))
    var now: String?

    // MARK: outputs
    @Option(help: ArgumentHelp("Outputs to write, comma separated: csv, ndjson, html, eml. (default: csv,ndjson,html)", valueName: "LIST"))
    var emit: String?
    @Option(help: ArgumentHelp("Output folder, created if missing. (default: ./reports)", valueName: "DIR"))
    var out: String?
    @Option(help: ArgumentHelp("Output file stem. (default: revenue-uploads_FROM_TO, or revenue-uploads_all with no range)", valueName: "STEM"))
    var name: String?
    @Option(help: ArgumentHelp("HTML template instead of the bundled templates/report.html.mustache.", valueName: "FILE"))
    var template: String?
    @Flag(name: .customLong("csv-raw"), inversion: .prefixedNo, help: "Turn off the spreadsheet formula guard (a leading ' before =, +, -, @, tab, CR). (default: off)")
    var csvRaw: Bool?
    @Flag(name: .customLong("skip-invalid"), inversion: .prefixedNo, help: "Report records that cannot be read (stderr, HTML, manifest) and go on, instead of exiting 1. (default: off)")
    var skipInvalid: Bool?
    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 3 after writing everything when an upload matches: unsuccessful, not-processed, has-logs (comma separated).", valueName: "LIST"))
    var failOn: String?

    // MARK: email (--emit eml)
    @Option(name: .customLong("mail-from"), help: ArgumentHelp("From: of STEM.eml. (default: cg-revenue <cg-revenue@localhost>)", valueName: "ADDRESS"))
    var mailFrom: String?
    @Option(name: .customLong("mail-to"), help: ArgumentHelp("To: of STEM.eml; repeat for several.", valueName: "ADDRESS"))
    var mailTo: [String] = []
    @Option(name: .customLong("mail-subject"), help: ArgumentHelp("Subject of STEM.eml, a Mustache template: {{range}}, {{from}}, {{to}}, {{uploads}}, {{attention}}. (default: Revenue uploads {{range}}: {{uploads}} uploads, {{attention}} need attention)", valueName: "TEXT"))
    var mailSubject: String?
    @Option(name: .customLong("mail-attach"), help: ArgumentHelp("Attachments of STEM.eml: csv, ndjson. (default: csv)", valueName: "LIST"))
    var mailAttach: String?

    // MARK: run
    @Option(help: ArgumentHelp("YAML file whose keys are these options' long names (page-size: 500). Also CG_CONFIG.", valueName: "FILE"))
    var config: String?
    @Flag(name: .customLong("dry-run"), inversion: .prefixedNo, help: "Print the resolved settings (secrets masked) and the requests, then exit 0: no network, no files.")
    var dryRun: Bool?
    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical, on stderr. (default: info)", valueName: "LEVEL"))
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: ArgumentHelp("text, or json (one object a line). (default: text)", valueName: "FORMAT"))
    var logFormat: String?
    @Flag(inversion: .prefixedNo, help: "Log errors only, and no progress line.")
    var quiet: Bool?

    /// The options given on the command line, by contract key.
    var givenFlags: [OptionKey: [String]] {
        var flags: [OptionKey: [String]] = [:]
        let texts: [(OptionKey, String?)] = [
            (.replay, replay), (.region, region), (.baseURL, baseURL), (.authURL, authURL), (.format, format),
            (.pageSize, pageSize), (.concurrency, concurrency), (.maxAttempts, maxAttempts), (.timeout, timeout),
            (.archiveRaw, archiveRaw), (.from, from), (.to, to), (.range, range), (.id, id), (.sourceTimezone, sourceTimezone),
            (.timezone, timezone), (.now, now), (.emit, emit), (.out, out), (.name, name), (.template, template), (.failOn, failOn),
            (.logLevel, logLevel), (.logFormat, logFormat), (.mailFrom, mailFrom), (.mailSubject, mailSubject), (.mailAttach, mailAttach),
        ]
        for (key, value) in texts { if let value { flags[key] = [value] } }
        if !mailTo.isEmpty { flags[.mailTo] = mailTo }
        let switches: [(OptionKey, Bool?)] = [(.csvRaw, csvRaw), (.skipInvalid, skipInvalid), (.dryRun, dryRun), (.quiet, quiet)]
        for (key, value) in switches { if let value { flags[key] = [value ? "true" : "false"] } }
        return flags
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let layers = try await SettingsLayers.load(flags: givenFlags, configPath: config, environment: environment)
        let settings = try RunSettings.resolve(layers)
        let logger = Self.makeLogger(settings)

        if settings.dryRun {
            print(DryRun.describe(settings), terminator: "")
            return
        }
        let progress = Terminal.allowsProgress(environment: environment, quiet: settings.quiet) ? TerminalProgress(terminal: .standardError) : nil
        let result: RunResult
        switch settings.source {
        case .replay(let folder):
            result = try await Pipeline.run(source: ReplaySource(directory: folder), configuration: settings.report, logger: logger,
                                            progress: progress, settingsRecord: settings.effectiveJSON)
        case .api(let api):
            let source = Self.apiSource(api, settings: settings, logger: logger)
            do {
                result = try await Pipeline.run(source: source, configuration: settings.report, logger: logger,
                                                progress: progress, settingsRecord: settings.effectiveJSON)
                await source.transport.shutdown()
            } catch {
                await source.transport.shutdown()
                throw error
            }
        }
        for output in result.outputs {
            print(output.path)
        }
        if !result.failMatches.isEmpty {
            let rules = settings.report.failOn.map(\.rawValue).joined(separator: ",")
            var message = "fail-on \(rules): \(result.failMatches.count) upload(s) matched\n"
            // The first 200 here; the manifest lists them all.
            for match in result.failMatches.prefix(200) { message += "  \(match)\n" }
            if result.failMatches.count > 200 { message += "  … and \(result.failMatches.count - 200) more, listed in the manifest\n" }
            FileHandle.standardError.write(Data(message.utf8))
            throw ExitCode(3)
        }
    }

    static func apiSource(_ api: RunSettings.APISettings, settings: RunSettings, logger: Logger) -> APISource {
        var transport = HTTPTransport.Settings()
        transport.requestTimeout = api.timeout
        transport.connectTimeout = min(10, api.timeout)
        return APISource(endpoint: api.endpoint, query: APIQuery(filter: settings.report.filter, pageSize: api.pageSize, sourceZone: settings.report.sourceZone),
                         concurrency: api.concurrency, credentials: api.credentials, transport: HTTPTransport(settings: transport),
                         retry: RetryPolicy(maxAttempts: api.maxAttempts), logger: logger)
    }

    static func makeLogger(_ settings: RunSettings) -> Logger {
        let level = settings.quiet ? Logger.Level.error : settings.logLevel
        let format = settings.logFormat
        LoggingSystem.bootstrap { _ in
            StderrLogHandler(format: format, terminal: .standardError, logLevel: level)
        }
        return Logger(label: "cg-revenue")
    }
}
