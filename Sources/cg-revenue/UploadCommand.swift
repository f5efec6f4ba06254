import ArgumentParser
import Foundation
import Logging
import RevenueReport

/// `cg-revenue upload`: checks revenue files, sends each to CustomerGauge exactly once whatever
/// the network does, and (with --wait) waits for what CustomerGauge made of it.
struct UploadCommand: AsyncParsableCommand, SettingOptions {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Check revenue files, send each to CustomerGauge once, and (--wait) say which rows it rejected.",
        discussion: """
            For each file, one after another: 1. checks it as `cg-revenue check` does (a file with a problem is not sent, exit 3; --skip-invalid-rows sends the rows without problems as STEM.csv instead; --split sends a file over 1,000 records or 2,000,000 bytes as its parts; a header in another order, or with columns that are none of the six, makes it go as a CSV in CustomerGauge's order without them). 2. notes the uploads already listed under the same name. 3. POSTs it (multipart/form-data, one part named file) to {base-url}/v4.1/company/revenue_file_automate.json (or .xml). 4. {"Data": false} means refused (exit 1). 5. Never twice: a 429, a 503 or a connection refused was not taken and is retried; a timeout, a dropped connection or another 5xx may have been taken: the listing is searched for a new upload of that name for up to 60 s before the file is sent again. 6. --wait: asks for the new upload by id every 2 s for the first two minutes, then 4, 8, ... up to 60 s apart, until Processed, Partially Processed or Failed, or --wait-timeout has passed (waited in full, from when the file was taken; on a terminal a line shows the wait). Without --wait, its id is looked for in the listing for up to 60 s. 7. says the upload's id, status and counts, and every rejected row with its values from the local file (every problem of a row the check found).

            A file written by --rejected-out (the six columns and `problem`) can be fixed in place and sent again: the `problem` column is dropped (it goes as a six-column STEM.csv).

            Examples:
              CG_CLIENT_ID=your-id CG_CLIENT_SECRET=your-secret cg-revenue upload revenue-2026-11.csv --wait
              cg-revenue upload revenue-2026-11.xlsx --wait --rejected-out rejected/ --history /var/lib/cg-revenue/history.sqlite
              cg-revenue upload big.csv --split --wait --format json
              cg-revenue upload revenue-2026-11.csv --dry-run

            Settings as for `report` (flags > CG_ environment variables > --config file > defaults), upload's own included (CG_WAIT_TIMEOUT, wait-timeout: in the config file, ...; not --again); the format of the API's answers is --api-format (CG_API_FORMAT, api-format:), not --format, which is what this command prints.

            With --history, each file sent is recorded (name sent, sha256, when, the upload id, the outcome); bytes CustomerGauge took before are refused (exit 2, naming the earlier upload) unless --again. `cg-revenue history upload ID` says which file sent an upload.

            Exit codes, by what to do: 0 every file taken (and with --wait processed with no row rejected); 3 the file needs fixing: problems found by the check, or rows CustomerGauge rejected (Partially Processed, or Failed with causes in its logs); 1 the tool could not finish: the API unreachable, the file refused, an error envelope, Failed with no cause in its logs, --wait-timeout passed (the message names the upload id); 2 usage or configuration, found before anything is sent. Over several files, the worst: 1, then 3, then 0. 130: interrupted (the message names the upload being waited for).
            """
    )

    @Argument(help: ArgumentHelp("Revenue files: .csv, .xlsx, .xls or .xml.", valueName: "FILE"))
    var files: [String]

    @Flag(inversion: .prefixedNo, help: help(.wait, for: .upload)) var wait: Bool?
    @Option(help: help(.waitTimeout, for: .upload)) var waitTimeout: String?
    @Flag(inversion: .prefixedNo, help: help(.split, for: .upload)) var split: Bool?
    @Flag(inversion: .prefixedNo, help: help(.skipInvalidRows, for: .upload)) var skipInvalidRows: Bool?
    @Option(help: help(.rejectedOut, for: .upload)) var rejectedOut: String?
    // Not a setting: sending again is decided for one run, never by a config file or the environment.
    @Flag(help: "Send bytes the history says CustomerGauge took before.")
    var again = false
    @Option(help: ArgumentHelp("text or json (on stdout): what this command prints.", valueName: "FORMAT"))
    var format: CheckCommand.OutputStyle = .text
    @Option(help: help(.apiFormat, for: .upload)) var apiFormat: String?

    @OptionGroup(title: "API") var api: UploadAPIOptions
    @OptionGroup(title: "Run") var runOptions: RunOptions
    @OptionGroup(title: "Operations") var operations: OperationsOptions
    @OptionGroup(title: "Memory across runs") var memory: UploadHistoryOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let layers = try await SettingsLayers.load(flags: givenFlags, configPath: runOptions.config, environment: environment)
        let settings = try RunSettings.resolve(layers, for: .upload)
        guard case .api(var apiSettings) = settings.source else {
            throw ReportError.usage("upload sends to the API: --replay has no place here")
        }
        apiSettings.endpoint.format = WireFormat(rawValue: layers.lookup(.apiFormat)?.values.first?.lowercased() ?? "json") ?? .json
        var options = UploadJob.Options()
        options.skipInvalidRows = settings.upload.skipInvalidRows
        options.split = settings.upload.split
        options.wait = settings.upload.wait
        options.waitTimeout = settings.upload.waitTimeout
        options.rejectedOut = settings.upload.rejectedOut

        // Step 1 for every file before anything is sent: a file not there is exit 2 (the checker says which).
        let prepared = try UploadJob.prepare(files, options: options)

        if settings.dryRun {
            // Read only: a dry run writes nothing, not even a new history.
            let reader = settings.history.flatMap { try? $0.openForReading() }
            let takenBefore = again || reader == nil ? [] : try UploadJob.takenBefore(prepared) { try reader!.takenBefore(sha256: $0) }
            print(Self.plan(prepared, api: apiSettings, settings: settings, takenBefore: takenBefore), terminator: "")
            let fileProblems = prepared.contains { !$0.blocking.isEmpty }
            if !settings.problems.isEmpty || !takenBefore.isEmpty || fileProblems { throw ExitCode(2) }
            return
        }
        let history = try settings.history.map { try $0.openSentUploads() }
        defer { history?.close() }
        let takenBefore = again || history == nil ? [] : try UploadJob.takenBefore(prepared) { try history!.takenBefore(sha256: $0) }
        if let first = takenBefore.first { throw ReportError.usage(first) }
        guard let credentials = apiSettings.credentials else { throw ReportError.usage("no credentials") }

        let logger = ReportCommand.makeLogger(settings)
        let waiting = Terminal.allowsProgress(environment: environment, quiet: settings.quiet) ? UploadWaitLine(terminal: .standardError) : nil
        RunMonitor.shared.begin(settings, logger: logger)
        var transportSettings = HTTPTransport.Settings()
        transportSettings.requestTimeout = apiSettings.timeout
        transportSettings.connectTimeout = min(10, apiSettings.timeout)
        let transport = HTTPTransport(settings: transportSettings)
        let client = APIClient(endpoint: apiSettings.endpoint, credentials: credentials, transport: transport,
                               retry: RetryPolicy(maxAttempts: apiSettings.maxAttempts), logger: logger)
        RunMonitor.shared.watch(transport.tally)
        let sender = RevenueFileSender(client: client, sourceZone: settings.report.sourceZone, maxSends: apiSettings.maxAttempts)
        let job = UploadJob(options: options, sender: sender, history: history, logger: logger, onUploadKnown: { id, name in
            Interruption.note("upload \(id) (\(name)) was sent and is being processed; `cg-revenue report --history` follows it up, or look: cg-revenue report --id \(id)")
        }, onWaiting: { progress in waiting?.show(progress) })
        var outcomes: [UploadOutcome] = []
        for file in prepared {
            // Findings first, as `check` says them: for a file that is not sent whole, and (unless
            // --quiet) its warnings (a header in another order: what goes is a CSV made in CustomerGauge's).
            if !file.check.problems.isEmpty || (!file.check.warnings.isEmpty && !settings.quiet) {
                FileHandle.standardError.write(Data(file.check.text.utf8))
            }
            let fileOutcomes = await job.run([file])
            waiting?.clear()
            if format == .text { for outcome in fileOutcomes { FileHandle.standardOutput.write(Data(outcome.text.utf8)) } }
            outcomes += fileOutcomes
        }
        Interruption.note(nil)
        await transport.shutdown()
        if format == .json { FileHandle.standardOutput.write(Data(UploadOutcome.json(outcomes).utf8)) }
        let code = UploadOutcome.worst(outcomes.map(\.exitCode))
        if code != 0 {
            for outcome in outcomes where outcome.exitCode == 1 {
                FileHandle.standardError.write(Data("error: \(outcome.file)\(outcome.sentAs.map { " (\($0))" } ?? ""): \(outcome.note ?? "failed")\n".utf8))
            }
            throw ExitCode(code)
        }
    }

    /// `--dry-run`: the endpoint, the credentials' kind, the files or parts that would go, then
    /// each problem.
    static func plan(_ prepared: [PreparedFile], api: RunSettings.APISettings, settings: RunSettings, takenBefore: [String]) -> String {
        var out = "cg-revenue \(ToolVersion.current) upload dry run: nothing is sent\n\n"
        if let configPath = settings.configPath { out += "config file: \(configPath)\n" }
        out += DryRun.settingsLines(settings) + "\n"
        out += "endpoint: POST \(api.endpoint.uploadURL.absoluteString) (answers in \(api.endpoint.format.rawValue.uppercased()))\n"
        out += "listing: GET \(api.endpoint.revenueURL.absoluteString) (uploads of the same name, yesterday to tomorrow in \(settings.report.sourceZone.identifier))\n"
        out += "credentials: \(api.credentialsOrigin)\(api.credentials == nil ? "" : "; secret ********")\n"
        if let history = settings.history { out += "history: \(history.planDescription) (each file sent is recorded)\n" }
        var problems = settings.problems + takenBefore
        for file in prepared {
            out += "\(file.check.file): \(file.check.format?.rawValue ?? "unknown format"), \(file.check.records) record(s)"
            if file.outgoing.isEmpty {
                out += ": not sent\n"
                problems += file.blocking.map { $0.line(file: file.check.file, warning: false) }
                continue
            }
            out += file.leftOut.isEmpty ? "\n" : "; \(file.leftOut.count) row(s) left out by the check\n"
            for outgoing in file.outgoing {
                out += "  sends \(outgoing.name) (\(outgoing.contentType)): \(outgoing.records) record(s), \(outgoing.bytes.count) bytes\n"
            }
        }
        out += problems.isEmpty ? "\nno problems found\n" : "\nproblems:\n" + problems.map { "  \($0)\n" }.joined()
        return out
    }
}
