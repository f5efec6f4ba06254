import Foundation
import Logging

/// `cg-revenue upload`, the second job: Read and Check (`UploadPreparation`), Send
/// (`RevenueFileSender`), Confirm (`UploadWatcher`, `UploadOutcome`), file after file.
public struct UploadJob: Sendable {
    public struct Options: Sendable {
        public var skipInvalidRows = false
        public var split = false
        public var wait = false
        public var waitTimeout: Duration = .seconds(30 * 60)
        public var rejectedOut: URL?
        /// Without `--wait`, how long the new upload's id is looked for in the listing (so that the
        /// history can follow it).
        public var findWindow: Duration = .seconds(60)
        public init() {}
    }

    public let options: Options
    public let sender: RevenueFileSender
    public let history: (any SentUploadsLog)?
    public let logger: Logger
    /// Told the id of each upload once known, and whether it is still being waited for (what an
    /// interruption names).
    public let onUploadKnown: @Sendable (_ id: Int64, _ name: String) -> Void
    /// Told after each ask while waiting: what a progress line on a terminal shows.
    public let onWaiting: @Sendable (UploadWatcher.Progress) -> Void

    public init(options: Options, sender: RevenueFileSender, history: (any SentUploadsLog)?, logger: Logger,
                onUploadKnown: @escaping @Sendable (Int64, String) -> Void = { _, _ in },
                onWaiting: @escaping @Sendable (UploadWatcher.Progress) -> Void = { _ in }) {
        self.options = options
        self.sender = sender
        self.history = history
        self.logger = logger
        self.onUploadKnown = onUploadKnown
        self.onWaiting = onWaiting
    }

    /// Step 1 for every file, before anything is sent: each checked and made ready. Throws (exit 2)
    /// for a file that is not there or cannot be read.
    public static func prepare(_ files: [String], options: Options) throws -> [PreparedFile] {
        try files.map { try UploadPreparation.prepare($0, skipInvalidRows: options.skipInvalidRows, split: options.split) }
    }

    /// The files whose bytes CustomerGauge took before, by the history: each a sentence naming
    /// the earlier upload (refused unless `--again`).
    public static func takenBefore(_ prepared: [PreparedFile], lookUp: (String) throws -> SentUpload?) throws -> [String] {
        var problems: [String] = []
        for file in prepared {
            for outgoing in file.outgoing {
                guard let earlier = try lookUp(outgoing.sha256) else { continue }
                let upload = earlier.uploadID.map { "upload \($0)" } ?? "an upload whose id was never known"
                problems.append("\(outgoing.source): these bytes (sent as \(outgoing.name), sha256 \(outgoing.sha256.prefix(12))…) were taken before: \(upload), sent \(earlier.sentAt) from \(earlier.file) (outcome: \(earlier.outcome)); --again sends them again")
            }
        }
        return problems
    }

    /// `2h`, `10m`, `90s`: a duration as the user writes it.
    static func compact(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds > 0, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds > 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// Steps 2 to 7 for each file, one after another; each file's outcome (one per part sent).
    public func run(_ prepared: [PreparedFile]) async -> [UploadOutcome] {
        var outcomes: [UploadOutcome] = []
        for file in prepared {
            var fileOutcomes = await send(file)
            if let folder = options.rejectedOut {
                do {
                    if let written = try RejectedRowsFile.write(fileOutcomes.flatMap(\.rejected), source: file.check.file, into: folder) {
                        logger.info("\(file.check.file): rejected rows written to \(written.relativePath)")
                    }
                } catch {
                    fileOutcomes[fileOutcomes.count - 1].exitCode = 1
                    fileOutcomes[fileOutcomes.count - 1].note = (fileOutcomes[fileOutcomes.count - 1].note.map { $0 + "; " } ?? "") + "\(error)"
                }
            }
            outcomes += fileOutcomes
        }
        return outcomes
    }

    private func send(_ file: PreparedFile) async -> [UploadOutcome] {
        let path = file.check.file
        // Every problem of a row, one entry each (same row): the user fixes them all at once.
        let byCheck: [RejectedRow] = file.blocking.isEmpty
            ? file.leftOut.flatMap { row, findings in findings.map { RejectedRow(row, $0) } }
            : file.blocking.map { finding in
                RejectedRow(finding.row.flatMap { file.records[$0] } ?? LocalRow(row: finding.row ?? 0, cells: []), finding)
            }
        guard !file.outgoing.isEmpty else {
            var outcome = UploadOutcome(file: path, sentAs: nil, sha256: nil)
            outcome.rejected = byCheck
            outcome.exitCode = 3
            outcome.note = file.blocking.isEmpty ? "not sent: every record has a problem"
                                                 : "not sent: \(file.blocking.count) problem(s) found by the check (`cg-revenue check \(path)` says each)"
            return [outcome]
        }
        var outcomes: [UploadOutcome] = []
        for (index, outgoing) in file.outgoing.enumerated() {
            var outcome = UploadOutcome(file: path, sentAs: outgoing.name, sha256: outgoing.sha256)
            if index == 0 { outcome.rejected = byCheck }
            if outcomes.last?.exitCode == 1 {
                outcome.sentAs = nil
                outcome.exitCode = 1
                outcome.note = "not sent: \(outgoing.name) comes after a part that failed"
                outcomes.append(outcome)
                continue
            }
            await sendOne(outgoing, file: file, into: &outcome)
            if outcome.exitCode == 0, !outcome.rejected.isEmpty { outcome.exitCode = 3 }
            outcomes.append(outcome)
        }
        return outcomes
    }

    private func sendOne(_ outgoing: OutgoingFile, file: PreparedFile, into outcome: inout UploadOutcome) async {
        var key: Int64?
        func record(_ id: Int64?, _ result: String) {
            guard let history, let key else { return }
            do { try history.recordOutcome(key: key, uploadID: id, outcome: result) } catch { logger.warning("\(error)") }
        }
        do {
            let before = Set(try await sender.listed(named: outgoing.name).map(\.id))
            key = try history?.recordSending(SentUpload(file: outgoing.source, sentAs: outgoing.name, sha256: outgoing.sha256,
                                                        sentAt: Timestamp.rfc3339(Date())))
            logger.info("\(outgoing.name): sending \(outgoing.records) record(s), \(outgoing.bytes.count) bytes")
            switch try await sender.send(outgoing, before: before) {
            case .refused:
                record(nil, "refused")
                outcome.exitCode = 1
                outcome.note = "CustomerGauge refused the file and gave no reason"
            case .taken(let found):
                // The wait is counted from here, when the file was taken.
                let takenAt = ContinuousClock().now
                if found == nil, !options.wait {
                    // Its id, for the history to follow: the API lists a file once it takes it.
                    outcome.upload = try await sender.findNew(named: outgoing.name, notIn: before, within: options.findWindow)
                } else {
                    outcome.upload = found
                }
                record(outcome.upload?.id, "taken")
                if let id = outcome.upload?.id { onUploadKnown(id, outgoing.name) }
                guard options.wait else { return }
                let watcher = UploadWatcher(sender: sender)
                switch try await watcher.wait(for: outgoing.name, notIn: before, found: found, takenAt: takenAt,
                                              deadline: takenAt + options.waitTimeout,
                                              onFound: { id in onUploadKnown(id, outgoing.name) }, onProgress: onWaiting) {
                case .final(let upload):
                    outcome.upload = upload
                    outcome.rejected += UploadOutcome.rejections(of: upload, sent: outgoing, records: file.records)
                    record(upload.id, upload.status ?? "taken")
                    // What the user must do: rows to fix (3), or nothing they can fix (1).
                    if (upload.status ?? "").trimmingCharacters(in: .whitespaces).lowercased() == "failed" {
                        if upload.logs.isEmpty {
                            outcome.exitCode = 1
                            outcome.note = "CustomerGauge marked upload \(upload.id) Failed and gave no reason in its logs"
                        } else {
                            outcome.exitCode = 3
                        }
                    } else if (upload.unsuccessfulRecords ?? 0) > 0 || !outcome.rejected.isEmpty {
                        outcome.exitCode = 3
                    }
                case .timedOut(let last):
                    outcome.upload = last ?? outcome.upload
                    outcome.exitCode = 1
                    let which = outcome.upload.map { "upload \($0.id) is still \($0.status ?? "without a status")" }
                        ?? "the upload was not found in the listing"
                    outcome.note = "\(which) after --wait-timeout \(Self.compact(options.waitTimeout)): the nightly report (with --history) follows it up"
                }
            }
        } catch {
            record(outcome.upload?.id, "not taken")
            outcome.exitCode = 1
            outcome.note = "\(error)"
        }
    }
}
