import ArgumentParser
import Foundation
import RevenueReport

/// `cg-revenue history`: what the history file remembers, read without changing it.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show what a --history file remembers: the runs, or one upload's observations (and which file sent it).",
        discussion: """
            Examples:
              cg-revenue history runs --history /var/lib/cg-revenue/history.sqlite --last 7
              cg-revenue history upload 1234 --history history.sqlite --format json
              CG_HISTORY_PASSWORD=… cg-revenue history copy --from history.sqlite --to postgresql://cg@db.example.com/cg_history

            The file comes from --history, else CG_HISTORY, else history: in the --config file (or CG_CONFIG). Nothing is written: this reads beside a run in progress.
            """,
        subcommands: [Runs.self, Upload.self, Copy.self]
    )

    /// Where the history is, and how to print it: shared by both subcommands.
    struct Common: ParsableArguments {
        @Option(help: ArgumentHelp("The history file (also CG_HISTORY, or history: in the config file).", valueName: "FILE"))
        var history: String?
        @Option(help: ArgumentHelp("YAML config file to read history: from (also CG_CONFIG).", valueName: "FILE"))
        var config: String?
        @Option(help: ArgumentHelp("text or json.", valueName: "FORMAT"))
        var format: OutputStyle = .text

        enum OutputStyle: String, ExpressibleByArgument, CaseIterable { case text, json }

        /// Opens the history named by the flag, the environment or the config file.
        func reader() async throws -> (any HistoryReader, String) {
            let flags: [OptionKey: [String]] = history.map { [.history: [$0]] } ?? [:]
            let layers = try await SettingsLayers.load(flags: flags, configPath: config, environment: ProcessInfo.processInfo.environment)
            guard let path = layers.lookup(.history)?.values.first else {
                throw ReportError.usage("no history: give --history FILE or URL (or CG_HISTORY, or history: in the config file)")
            }
            let location = try HistoryLocation(path, password: try layers.historyPassword())
            return (try location.openForReading(), location.description)
        }
    }

    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "runs", abstract: "The runs, newest first.")
        @OptionGroup var common: Common
        @Option(help: ArgumentHelp("Show only the N latest runs.", valueName: "N"))
        var last: Int?

        func validate() throws {
            if let last, last < 1 { throw ValidationError("--last must be 1 or more") }
        }

        func run() async throws {
            let (reader, _) = try await common.reader()
            let runs = try reader.runs(last: last)
            print(common.format == .json ? HistoryListing.json(runs) : HistoryListing.text(runs), terminator: "")
        }
    }

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "upload", abstract: "One upload's observations, oldest first: its first sighting, then each change.")
        @Argument(help: "The upload's id.") var id: Int64
        @OptionGroup var common: Common

        func run() async throws {
            let (reader, path) = try await common.reader()
            let observations = try reader.observations(of: id)
            let sent = try reader.sent(uploadID: id)
            guard observations != nil || sent != nil else {
                throw ReportError.io("upload \(id): not in the history \(path)")
            }
            print(common.format == .json ? HistoryListing.json(id: id, observations ?? [], sent: sent)
                                         : HistoryListing.text(id: id, observations ?? [], sent: sent), terminator: "")
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy a whole history into an empty one (a file to a postgresql:// URL, or back), verified by counts.",
            discussion: """
                Every run, upload, observation and file sent by `upload` goes across in one transaction, with its numbers; the target must be empty (it is made if missing). A URL's password comes from CG_HISTORY_PASSWORD or history-password-file: in the --config file.
                """)
        @Option(help: ArgumentHelp("The history to copy: a file or a postgresql:// URL.", valueName: "SOURCE"))
        var from: String
        @Option(help: ArgumentHelp("An empty history to copy into: a file or a postgresql:// URL.", valueName: "TARGET"))
        var to: String
        @Option(help: ArgumentHelp("YAML config file to read history-password-file: from (also CG_CONFIG).", valueName: "FILE"))
        var config: String?

        func run() async throws {
            let layers = try await SettingsLayers.load(flags: [:], configPath: config, environment: ProcessInfo.processInfo.environment)
            let password = try layers.historyPassword()
            let source = try HistoryLocation(from, password: password), target = try HistoryLocation(to, password: password)
            let counts = try source.copy(to: target)
            print("copied \(counts) from \(source) to \(target); the counts match")
        }
    }
}

/// How the `history` commands print: text for people, JSON (the README's keys) for scripts.
enum HistoryListing {
    static func json(_ runs: [HistoryRunEntry]) -> String {
        func number(_ value: Int?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let array = JSONValue.array(runs.map { run in
            .object([
                JSONMember("run", .number(String(run.run))), JSONMember("started_at", .string(run.startedAt)),
                JSONMember("finished_at", text(run.finishedAt)), JSONMember("status", .string(run.status.rawValue)),
                JSONMember("exit_code", number(run.exitCode)), JSONMember("from", text(run.from)), JSONMember("to", text(run.to)),
                JSONMember("source", .string(run.source)), JSONMember("uploads", number(run.uploads)), JSONMember("new", number(run.new)),
                JSONMember("changed", number(run.changed)), JSONMember("revisited", number(run.revisited)), JSONMember("error", text(run.error)),
            ])
        })
        return array.prettyText + "\n"
    }

    static func text(_ runs: [HistoryRunEntry]) -> String {
        guard !runs.isEmpty else { return "no runs yet\n" }
        var rows = [["run", "started", "status", "exit", "from", "to", "uploads", "new", "changed", "revisited", "source"]]
        for run in runs {
            let dash = "-"
            rows.append([String(run.run), run.startedAt, run.status.rawValue, run.exitCode.map(String.init) ?? dash, run.from ?? dash, run.to ?? dash,
                         run.uploads.map(String.init) ?? dash, run.new.map(String.init) ?? dash, run.changed.map(String.init) ?? dash,
                         run.revisited.map(String.init) ?? dash, run.source])
        }
        var out = table(rows)
        for run in runs where run.error != nil {
            out += "run \(run.run) failed: \(run.error!)\n"
        }
        return out
    }

    static func json(id: Int64, _ observations: [UploadObservation], sent: SentUpload?) -> String {
        func number(_ value: Int?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
        let value = JSONValue.object([
            JSONMember("id", .number(String(id))),
            JSONMember("observations", .array(observations.map { seen in
                .object([
                    JSONMember("run", .number(String(seen.run))), JSONMember("seen_at", .string(seen.seenAt)),
                    JSONMember("status", seen.values.status.map(JSONValue.string) ?? .null),
                    JSONMember("total_records", number(seen.values.totalRecords)),
                    JSONMember("successful_records", number(seen.values.successfulRecords)),
                    JSONMember("unsuccessful_records", number(seen.values.unsuccessfulRecords)),
                ])
            })),
            // Which file `cg-revenue upload` sent it from; null for uploads the tool did not send.
            JSONMember("sent", sent.map { sent in
                .object([JSONMember("file", .string(sent.file)), JSONMember("sha256", .string(sent.sha256)),
                         JSONMember("sent_at", .string(sent.sentAt))])
            } ?? .null),
        ])
        return value.prettyText + "\n"
    }

    static func text(id: Int64, _ observations: [UploadObservation], sent: SentUpload?) -> String {
        var rows = [["run", "seen at", "status", "total", "successful", "unsuccessful"]]
        for seen in observations {
            rows.append([String(seen.run), seen.seenAt, seen.values.status ?? "-", seen.values.totalRecords.map(String.init) ?? "-",
                         seen.values.successfulRecords.map(String.init) ?? "-", seen.values.unsuccessfulRecords.map(String.init) ?? "-"])
        }
        var text = "upload \(id): \(observations.count) observation(s)\n"
        if let sent {
            text += "sent by cg-revenue upload from \(sent.file) as \(sent.sentAs) at \(sent.sentAt) (sha256 \(sent.sha256)); outcome: \(sent.outcome)\n"
        }
        return text + (observations.isEmpty ? "" : table(rows))
    }

    /// Columns padded to their widest cell (the last one is not padded).
    static func table(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
