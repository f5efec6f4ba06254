import ArgumentParser
import Foundation
import RevenueReport

/// `cg-revenue`: the command line. Thin by design: parse options, run the pipeline, map errors
/// to the exit codes the README lists (0 done, 1 run failed, 2 usage or configuration, 3 --fail-on).
@main
struct CGRevenue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cg-revenue",
        abstract: "Turn CustomerGauge revenue-file uploads into CSV, NDJSON, an HTML summary, an email and an Excel workbook.",
        discussion: """
            Reads the list of revenue-file uploads (CustomerGauge API 4.1, File - GET Revenue) from the API or from recorded pages, keeps the uploads of a date range, and writes STEM.csv, STEM.ndjson, STEM.html (and STEM.eml, STEM.xlsx) with STEM.manifest.json into the output folder, all or nothing. See `cg-revenue report --help`; `cg-revenue history --help` for what a --history file remembers; `cg-revenue check --help` for checking a revenue file before it is sent; `cg-revenue upload --help` for sending one once and waiting for what CustomerGauge made of it.

            Exit codes: 0 done; 1 the run failed; 2 usage or configuration error; 3 done, but a --fail-on rule matched (check: a problem found).
            """,
        version: ToolVersion.current,
        subcommands: [ReportCommand.self, HistoryCommand.self, CheckCommand.self, UploadCommand.self],
        defaultSubcommand: nil
    )

    /// ArgumentParser exits 64 on a usage error; the README's "Exit codes" say 2.
    static func main() async {
        MemoryTuning.apply()
        Interruption.install()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            await RunMonitor.shared.finish(exitCode: 0)
        } catch let error as ReportError {
            await exit(error.exitCode, saying: "error: \(error)")
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            await exit(code == .validationFailure ? 2 : code.rawValue, saying: message.isEmpty ? nil : message)
        }
    }

    /// Says why on stderr (and in the closing ping's log lines), tells the monitor, exits.
    static func exit(_ code: Int32, saying message: String?) async -> Never {
        if let message {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            LogTail.shared.append(message)
        }
        await RunMonitor.shared.finish(exitCode: code)
        Foundation.exit(code)
    }
}

/// SIGINT and SIGTERM: remove the temporary files of a commit in progress, write the metrics
/// and send the closing ping, then exit 130 or 143. Nothing was renamed into place yet, so earlier outputs stay as they were.
enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let noteLock = NSLock()
    nonisolated(unsafe) private static var pending: String?

    /// What an interruption must say besides (`upload`: the upload being waited for); nil: nothing.
    static func note(_ text: String?) {
        noteLock.withLock { pending = text }
    }

    static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                TemporaryFiles.shared.removeAll()
                var message = "error: interrupted by \(signalNumber == SIGINT ? "SIGINT" : "SIGTERM"); temporary files removed"
                if let note = noteLock.withLock({ pending }) { message += "\nerror: \(note)" }
                FileHandle.standardError.write(Data((message + "\n").utf8))
                LogTail.shared.append(message)
                RunMonitor.shared.finishBlocking(exitCode: 128 + signalNumber)
                Foundation.exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
