import ArgumentParser
import Foundation
import Logging
import RevenueReport

/// `cg-revenue report`: every option of the README's "Usage". Options left out here fall back to the
/// environment (`CG_` + the name), then the `--config` file, then the defaults shown.
struct ReportCommand: AsyncParsableCommand, SettingOptions {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the reports (CSV, NDJSON, HTML, EML, XLSX, manifest) for a date range.",
        discussion: """
            Examples:
              cg-revenue report --replay examples/responses \\
                --from 2026-01-01 --to 2026-06-30
              CG_CLIENT_ID=your-id CG_CLIENT_SECRET=your-secret cg-revenue report \\
                --region us --from 2026-10-01 --to 2026-10-31 --format xml
              cg-revenue report --config examples/nightly.yaml --dry-run
              cg-revenue report --config examples/monthly-audit.yaml \\
                --range 2026-10 --dry-run
              cg-revenue report --replay examples/responses --range 2026-03 \\
                --emit csv,html,eml --mail-to finance@example.com
              sendmail -t < reports/revenue-uploads_2026-03-01_2026-03-31.eml
              cg-revenue report --replay examples/responses --range 2026-03 --emit csv,xlsx
              cg-revenue report --replay examples/responses --range 2026-03 --history h.sqlite

            Every option can also come from the environment as CG_ and its name (CG_PAGE_SIZE for --page-size) or from the --config YAML file under its name (page-size: 500). Precedence: flags > environment > file > defaults. Unprefixed variables are ignored.

            Credentials come from the environment or files only: CG_CLIENT_ID and CG_CLIENT_SECRET (OAuth2) or CG_API_KEY; in the config file client_secret_file or api_key_file.

            The range is inclusive and exact: [FROM 00:00:00, TO 23:59:59] in the source time zone (for --range: in --timezone). Outputs are written to temporary files and renamed into place only when all are done; the manifest comes last.

            Exit codes: 0 done; 1 the run failed (network, auth, server, bad data); 2 usage or configuration error, or a problem found by --dry-run; 3 done, but a --fail-on rule matched.
            """
    )

    // Each option below is the command-line form of a setting declared in `SettingCatalog`
    // (help, default and checks come from there); the property is the setting's name in
    // camelCase, which is how `givenFlags` finds it. The groups are shared with other commands.
    // A test parses every declared setting.

    // MARK: source
    @Option(help: help(.replay)) var replay: String?
    @Option(help: help(.format)) var format: String?
    @Option(help: help(.pageSize)) var pageSize: String?
    @Option(help: help(.concurrency)) var concurrency: String?
    @Option(help: help(.archiveRaw)) var archiveRaw: String?
    @Option(help: help(.compare)) var compare: String?
    @OptionGroup(title: "API") var api: APIOptions

    // MARK: range
    @Option(help: help(.from)) var from: String?
    @Option(help: help(.to)) var to: String?
    @Option(help: help(.range)) var range: String?
    @Option(help: help(.id)) var id: String?
    @Option(help: help(.timezone)) var timezone: String?
    @Option(help: help(.now)) var now: String?

    // MARK: outputs
    @Option(help: help(.emit)) var emit: String?
    @Option(help: help(.out)) var out: String?
    @Option(help: help(.name)) var name: String?
    @Option(help: help(.template)) var template: String?
    @Flag(inversion: .prefixedNo, help: help(.csvRaw)) var csvRaw: Bool?
    @Flag(inversion: .prefixedNo, help: help(.skipInvalid)) var skipInvalid: Bool?
    @Option(help: help(.failOn)) var failOn: String?

    // MARK: email (--emit eml)
    @Option(help: help(.mailFrom)) var mailFrom: String?
    @Option(help: help(.mailTo)) var mailTo: [String] = []
    @Option(help: help(.mailSubject)) var mailSubject: String?
    @Option(help: help(.mailAttach)) var mailAttach: String?

    @OptionGroup(title: "Run") var runOptions: RunOptions
    @OptionGroup(title: "Operations") var operations: OperationsOptions
    @OptionGroup(title: "Memory across runs") var memory: HistoryOptions
    @Flag(inversion: .prefixedNo, help: help(.alertOnce)) var alertOnce: Bool?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let layers = try await SettingsLayers.load(flags: givenFlags, configPath: runOptions.config, environment: environment)
        let settings = try RunSettings.resolve(layers)
        let logger = Self.makeLogger(settings)

        if settings.dryRun {
            print(DryRun.describe(settings), terminator: "")
            // Problems make a dry run fail as the real run would, after the whole plan is shown.
            if !settings.problems.isEmpty { throw ExitCode(2) }
            return
        }
        RunMonitor.shared.begin(settings, logger: logger)
        if let nothing = settings.nothingToCover {
            FileHandle.standardError.write(Data((nothing + "\n").utf8))
            return
        }
        let progress = Terminal.allowsProgress(environment: environment, quiet: settings.quiet) ? TerminalProgress(terminal: .standardError) : nil
        let source: any PageSource
        var transport: HTTPTransport?
        switch settings.source {
        case .replay(let folder):
            source = ReplaySource(directory: folder)
        case .api(let api):
            let apiSource = try Self.apiSource(api, settings: settings, logger: logger)
            RunMonitor.shared.watch(apiSource.transport.tally)
            transport = apiSource.transport
            source = apiSource
        }
        // The history is taken for this run (waiting for another), and records how it ends.
        // Opened before the first request: a history that cannot be had (a server down, a lock
        // held too long) stops the run before it asks the API anything.
        let history: HistoryRun?
        do {
            history = try settings.history.map { location in
                let filter = settings.report.filter
                let store = try location.open(for: RunStart(from: filter.from, to: filter.to, source: source.description), logger: logger)
                return HistoryRun(store: store, alertOnce: settings.alertOnce, now: settings.now)
            }
        } catch {
            await transport?.shutdown()
            throw error
        }
        let result: RunResult
        do {
            result = try await Pipeline.run(source: source, configuration: settings.report, logger: logger,
                                            progress: progress, settingsRecord: settings.effectiveJSON, history: history)
            history?.store.close()
            await transport?.shutdown()
        } catch {
            if let store = history?.store {
                if let problem = store.recordFailure(exitCode: (error as? ReportError)?.exitCode ?? 1, error: "\(error)") { logger.warning("\(problem)") }
                store.close()
            }
            await transport?.shutdown()
            throw error
        }
        RunMonitor.shared.record(result.figures)
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

    static func apiSource(_ api: RunSettings.APISettings, settings: RunSettings, logger: Logger) throws -> APISource {
        // Resolving found credentials, or it threw (only a dry run goes on without).
        guard let credentials = api.credentials else { throw ReportError.usage("no credentials") }
        var transport = HTTPTransport.Settings()
        transport.requestTimeout = api.timeout
        transport.connectTimeout = min(10, api.timeout)
        return APISource(endpoint: api.endpoint, query: APIQuery(filter: settings.report.filter, pageSize: api.pageSize, sourceZone: settings.report.sourceZone),
                         concurrency: api.concurrency, credentials: credentials, transport: HTTPTransport(settings: transport),
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
