import ArgumentParser
import Foundation
import RevenueReport

/// `cg-revenue`: the command line. Thin by design: parse options, run the pipeline, map errors
/// to the exit codes the README lists (0 done, 1 run failed, 2 usage or configuration, 3 --fail-on).
@main
struct CGRevenue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cg-revenue",
        abstract: "Turn CustomerGauge revenue-file uploads into CSV, NDJSON and an HTML summary.",
        discussion: """
            Reads the list of revenue-file uploads (CustomerGauge API 4.1, File - GET Revenue) from the API or from recorded pages, keeps the uploads of a date range, and writes STEM.csv, STEM.ndjson, STEM.html (and STEM.eml) with STEM.manifest.json into the output folder, all or nothing. See `cg-revenue report --help`.

            Exit codes: 0 done; 1 the run failed; 2 usage or configuration error; 3 done, but a --fail-on rule matched.
            """,
        version: ToolVersion.current,
        subcommands: [ReportCommand.self],
        defaultSubcommand: nil
    )

    /// ArgumentParser exits 64 on a usage error; the contract says 2.
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
        } catch let error as ReportError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// SIGINT and SIGTERM: remove the temporary files of a commit in progress, then exit 130 or
/// 143. Nothing was renamed into place yet, so earlier outputs stay as they were.
enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                TemporaryFiles.shared.removeAll()
                FileHandle.standardError.write(Data("error: interrupted by \(signalNumber == SIGINT ? "SIGINT" : "SIGTERM"); temporary files removed\n".utf8))
                Foundation.exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
