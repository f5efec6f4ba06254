import Foundation
import Logging

/// What a finished run made.
public struct RunResult: Sendable {
    public var outputs: [WrittenOutput]
    /// Every page read, in order, with its sha256.
    public var pages: [PageRecord]
    public var counts: RecordCounts
    public var uploads: Int
    /// Uploads that matched `--fail-on`: the command exits 3 when there are any.
    public var failMatches: [FailMatch]
    /// What the metrics file reports of the run.
    public var figures: ReportFigures
}

/// A page as the run saw it: where from, how big, its sha256.
public struct PageRecord: Sendable, Equatable {
    public var origin: String
    public var bytes: Int
    public var sha256: String
}

/// Told how far the run has got, a page at a time (the terminal progress line).
public protocol ProgressObserver: Sendable {
    func update(pages: Int, records: Int)
    func finish()
}

/// Fetch -> Parse -> Transform -> Emit, each stage's value handed to the next.
///
/// Pages are parsed and typed several at a time (one per core), and collected in order; the
/// uploads in range go to a sorter that keeps memory flat (straight to the row outputs while
/// they come in report order, else sorted runs spilled to disk). Outputs are written to
/// temporary files and renamed into place only once every page is read, every record typed
/// and every output complete, so a failure anywhere leaves the output folder as it was. Only
/// `--archive-raw` keeps pages as they come: that is evidence of what was read, failed runs included.
public enum Pipeline {
    /// Pages typed at once: two per core, so that no core waits while the in-order step (which
    /// shares them) catches up: faster than one per core plus one on 2 cores (`scripts/bench.sh`).
    static let typingWidth = max(2, 2 * ProcessInfo.processInfo.activeProcessorCount)

    public static func run(source: some PageSource, configuration: ReportConfiguration, logger: Logger,
                           progress: (any ProgressObserver)? = nil, settingsRecord: JSONValue = .object([]),
                           toolVersion: String = ToolVersion.current, history: HistoryRun? = nil,
                           sortRunBytes: Int = ExternalSorter.defaultRunBytes) async throws -> RunResult {
        let startedAt = Date()
        try configuration.validate()
        let plan = try OutputPlan(configuration)

        // The outputs are written to temporary files beside where they go, and renamed into
        // place only when all are complete; on any failure they are removed.
        let committer = OutputCommitter(directory: configuration.outDirectory)
        let rows = RowStream(formats: plan.rowFormats, directory: configuration.outDirectory) {
            try plan.rowFormats.map { format in
                let sink = plan.finishesFromRows(format.kind)
                    ? try committer.open(name: plan.fileName(format.kind) + ".rows", scratch: true)  // read back by its finisher
                    : plan.writesFile(format.kind)
                    ? try committer.open(name: plan.fileName(format.kind), keepCopy: plan.emailNeeds(format.kind))
                    : OutputSink()  // only the email carries it
                format.appendHeader(to: &sink.buffer)
                return sink
            }
        }
        // Uploads coming in report order go to the row outputs as they are collected; that
        // needs every row output to be a file (to be read back should the order break).
        let streamRows = plan.rowFormats.allSatisfy { plan.writesFile($0.kind) }
        var written: [WrittenOutput] = []
        do {
            // Fetch, Parse and type, several pages at once; Transform takes them in order.
            let typing = PageTyping(filter: configuration.filter, zone: configuration.sourceZone, formats: plan.rowFormats)
            // The history is read before Transform: the last values of the range's uploads, and
            // the uploads to ask for again.
            let recall = try history.map { try HistoryRecall(history: $0, configuration: configuration, source: source) }
            var collector = UploadCollector(filter: configuration.filter, zone: configuration.sourceZone, displayZone: configuration.displayZone,
                                            failRules: configuration.failOn, excerptLimits: HTMLWriter.excerptLimits, sortDirectory: configuration.outDirectory, sortRunBytes: sortRunBytes,
                                            streamingTo: streamRows ? rows : nil, changes: recall?.changes, logger: logger)
            var archive = try configuration.archiveDirectory.map(PageArchive.init)
            var pages: [PageRecord] = []
            logger.info("reading \(source.description)")
            defer { progress?.finish() }
            try await source.forEachPage(width: typingWidth, read: typing.type) { page in
                pages.append(PageRecord(origin: page.raw.origin, bytes: page.raw.bytes.count, sha256: page.sha256))
                try archive?.save(page.raw, sha256: page.sha256)
                logger.debug("\(page.raw.origin): \(page.recordCount) record(s)\(page.isNoDataAnswer ? " (400184: no data)" : "")")
                try collector.add(page)
                progress?.update(pages: pages.count, records: collector.recordsRead)
            }
            if let recall, let again = recall.askAgain {
                logger.info("asking again for \(recall.pending.count) upload(s) last seen not final")
                let typingAgain = PageTyping(filter: RecordFilter(), zone: configuration.sourceZone, formats: [])
                try await again.forEachPage(width: typingWidth, read: typingAgain.type) { page in
                    pages.append(PageRecord(origin: page.raw.origin, bytes: page.raw.bytes.count, sha256: page.sha256))
                    try archive?.save(page.raw, sha256: page.sha256)
                    try collector.addAsked(page, pending: recall.pending)
                }
            }
            let collected = try collector.finish(skipInvalid: configuration.skipInvalid, sourceIsExhaustive: source.isExhaustive)
            let report = collected.report
            let counts = report.counts
            logger.info("\(counts.pages) page(s), \(counts.read) record(s) read, \(counts.inRange) in range, \(counts.outOfRange) outside, \(counts.duplicates) duplicate(s), \(counts.rejected) rejected")
            let readSeconds = Date().timeIntervalSince(startedAt)

            // Emit: the rows not yet in the row outputs go there in report order, while the
            // documents (the HTML) are rendered on another core: they need only the aggregates,
            // and completing the rows of data that came out of order is a whole merge of the
            // sorted runs. Then the email. All are renamed into place together; the manifest last.
            let document = ReportDocument(collected: report, configuration: configuration,
                                          sourceDescription: source.description, toolVersion: toolVersion)
            let documentWriters = plan.documentWriters
            // (Should the rows fail, the rendering's result is simply never read.)
            let renderingDocuments = Task.detached { try documentWriters.map { (kind: $0.kind, bytes: try $0.writer.render(document)) } }
            let rowOutputs = try writeRows(collected, into: rows, plan: plan, committer: committer)
            var staged = rowOutputs.staged, keptForEmail = rowOutputs.keptForEmail
            let rowsFiles = rowOutputs.rowsFiles
            let sorting = rowOutputs.sorting
            let ordering = sorting.neededSorting ? "sorted, \(sorting.spilledRuns) run(s) on disk" : "in report order as received, written as read"
            logger.debug("read and typed in \(String(format: "%.2f", readSeconds)) s; \(ordering)")
            let excerpt = report.excerpt
            logger.debug("rows written in \(String(format: "%.2f", Date().timeIntervalSince(startedAt) - readSeconds)) s")
            for (kind, bytes) in try await renderingDocuments.value {
                if plan.emailNeeds(kind) { keptForEmail[kind] = bytes }
                if plan.writesFile(kind) { staged[kind] = try committer.stage(name: plan.fileName(kind), bytes: bytes) }
            }
            for (kind, finisher) in plan.finishers {
                let file = try committer.stageFile(name: plan.fileName(kind), scratch: !plan.writesFile(kind)) { path in
                    try finisher.finish(rowsFile: rowsFiles[kind]!, document: document, to: path) { logger.warning("\($0)") }
                }
                if plan.writesFile(kind) { staged[kind] = file }
                if plan.emailNeeds(kind) { keptForEmail[kind] = try committer.stagedBytes(name: plan.fileName(kind)) }
            }
            if configuration.outputs.contains(.eml) {
                let email = try renderEmail(document, configuration: configuration, rendered: keptForEmail)
                staged[.eml] = try committer.stage(name: plan.fileName(.eml), bytes: email)
            }
            // Listed in the order of --emit, whatever order they were made in.
            written = try committer.commit().sorted { plan.order(of: $0) < plan.order(of: $1) }
            if configuration.writeManifest {
                let manifest = Manifest(
                    toolVersion: toolVersion, settings: settingsRecord, filter: configuration.filter, rangeName: configuration.rangeName,
                    sourceZone: configuration.sourceZone, source: source.manifestEntry, pages: pages, counts: counts,
                    rejections: report.rejections, outputs: configuration.outputs.compactMap { staged[$0] },
                    failMatches: report.failMatches, history: report.sinceLastRun, startedAt: startedAt, finishedAt: Date())
                try committer.stage(name: "\(configuration.stem).manifest.json", bytes: manifest.render())
                written += try committer.commit()
            }
            // Every output is in place: now the history records the run and what it saw.
            if let recall, let section = report.sinceLastRun {
                let outcome = RunOutcome(exitCode: report.failMatches.isEmpty ? 0 : 3, uploads: counts.inRange, new: section.new,
                                         changed: section.changed, revisited: section.revisited)
                try recall.history.store.recordSuccess(outcome, sightings: recall.ledger)
                logger.info("history \(section.location): run \(section.run) recorded: \(section.new) new, \(section.changed) changed, \(section.finished) finished, \(section.revisited) asked again")
                if section.alertsHeldBack > 0 {
                    logger.info("--alert-once: \(section.alertsHeldBack) match(es) already alerted by an earlier run and unchanged since, not listed again")
                }
            }
            for output in written {
                logger.info("wrote \(output.path) (\(output.size) bytes)")
            }
            let figures = ReportFigures(
                uploadsByStatus: Dictionary(uniqueKeysWithValues: report.summary.statuses.map { ($0.status, $0.uploads) }),
                successfulRecords: report.summary.successfulRecords, unsuccessfulRecords: report.summary.unsuccessfulRecords,
                attentionUploads: excerpt.attentionCount, pages: counts.pages)
            return RunResult(outputs: written, pages: pages, counts: counts, uploads: excerpt.uploadCount, failMatches: report.failMatches,
                             figures: figures)
        } catch {
            committer.discard()
            throw error
        }
    }

    /// Completes the row outputs (CSV, NDJSON): the uploads not yet written go in, in report
    /// order; each file is then closed (or, when only the email carries it, kept in memory).
    /// `rowsFiles`: where the rows of an output made from them (XLSX) are, for its finisher.
    static func writeRows(_ collected: consuming CollectedUploads, into rows: RowStream, plan: OutputPlan, committer: OutputCommitter) throws
        -> (sorting: ExternalSorter.Outcome, staged: [OutputKind: OutputCommitter.StagedFile], keptForEmail: [OutputKind: [UInt8]],
            rowsFiles: [OutputKind: String]) {
        let sorting = try collected.writeRows(into: rows)
        try rows.openIfNeeded()
        let sinks = rows.sinks
        var staged: [OutputKind: OutputCommitter.StagedFile] = [:]
        var keptForEmail: [OutputKind: [UInt8]] = [:]
        var rowsFiles: [OutputKind: String] = [:]
        for (format, sink) in zip(plan.rowFormats, sinks) {
            if plan.finishesFromRows(format.kind) {
                _ = try committer.close(sink)
                rowsFiles[format.kind] = sink.path
                continue
            }
            if plan.writesFile(format.kind) { staged[format.kind] = try committer.close(sink) } else { _ = try sink.finish() }
            if plan.emailNeeds(format.kind) { keptForEmail[format.kind] = sink.keptBytes }
        }
        return (sorting, staged, keptForEmail, rowsFiles)
    }

    static func renderEmail(_ document: ReportDocument, configuration: ReportConfiguration, rendered: [OutputKind: [UInt8]]) throws -> [UInt8] {
        let attachments = configuration.mail.attach.map { kind in
            (name: "\(configuration.stem).\(kind.fileExtension)", type: kind.format.mimeType, bytes: rendered[kind]!)
        }
        return try EMLWriter().render(document, html: rendered[.html]!, attachments: attachments, date: configuration.generatedAt ?? Date())
    }
}

/// What a run with `--history` read of it before collecting: the last values of the uploads
/// dated in the range (compared as they come), where this run's sightings go, and the uploads
/// last seen not final, outside the range, to ask for again (API source only).
struct HistoryRecall {
    let history: HistoryRun
    let ledger: HistoryLedger
    let changes: ChangeDetector
    let pending: [Int64: PendingUpload]
    let askAgain: (any PageSource)?

    init(history: HistoryRun, configuration: ReportConfiguration, source: some PageSource) throws {
        self.history = history
        let bounds = RangePlacement(configuration.filter, sourceZone: configuration.sourceZone).bounds
        let known = try history.store.knownUploads(in: bounds, id: configuration.filter.id)
        ledger = try HistoryLedger(directory: configuration.outDirectory)
        changes = ChangeDetector(store: history.store, known: known, ledger: ledger, failRules: configuration.failOn, alertOnce: history.alertOnce)
        // Only a source that can ask by id (the API, not a replay) is handed the pending uploads.
        let canAskAgain = source.askingAgain(for: []) != nil
        let asked = canAskAgain ? try history.store.pendingUploads(outside: bounds, id: configuration.filter.id, datedFrom: history.revisitHorizon,
                                                                   limit: HistoryRun.revisitLimit) : []
        pending = Dictionary(uniqueKeysWithValues: asked.map { ($0.id, $0) })
        askAgain = asked.isEmpty ? nil : source.askingAgain(for: asked.map(\.id))
    }
}

/// Which outputs a run makes, and how (from `OutputFormat.registry`): the row formats rendered
/// ahead while pages are typed, the writers of whole documents, and which outputs the email
/// carries (made even when not written as files).
struct OutputPlan {
    let configuration: ReportConfiguration
    let rowFormats: [any RowFormat]
    let documentWriters: [(kind: OutputKind, writer: any ReportWriter)]
    /// Outputs made from their rows once all are in (XLSX).
    let finishers: [(kind: OutputKind, finisher: any RowsFinisher)]

    init(_ configuration: ReportConfiguration) throws {
        self.configuration = configuration
        var kinds = configuration.outputs.filter { $0 != .eml }
        if configuration.outputs.contains(.eml) {
            // The message carries the HTML and its attachments even when they are not files.
            for kind in [OutputKind.html] + configuration.mail.attach where !kinds.contains(kind) { kinds.append(kind) }
        }
        var rowFormats: [any RowFormat] = []
        var documentWriters: [(kind: OutputKind, writer: any ReportWriter)] = []
        var finishers: [(kind: OutputKind, finisher: any RowsFinisher)] = []
        for kind in kinds {
            switch kind.format.maker {
            case .rows(let make): rowFormats.append(make(configuration))
            case .document(let make): documentWriters.append((kind, try make(configuration)))
            case .rowsThenFile(let rows, let finish):
                rowFormats.append(rows(configuration))
                finishers.append((kind, finish(configuration)))
            case .message: break
            }
        }
        self.rowFormats = rowFormats
        self.documentWriters = documentWriters
        self.finishers = finishers
    }

    /// The rows of this output are an intermediate, read back by its finisher.
    func finishesFromRows(_ kind: OutputKind) -> Bool { finishers.contains { $0.kind == kind } }

    func writesFile(_ kind: OutputKind) -> Bool { configuration.outputs.contains(kind) }

    /// The email's body is the HTML report; its attachments are `--mail-attach`.
    func emailNeeds(_ kind: OutputKind) -> Bool {
        configuration.outputs.contains(.eml) && (kind == .html || configuration.mail.attach.contains(kind))
    }

    func fileName(_ kind: OutputKind) -> String { "\(configuration.stem).\(kind.fileExtension)" }

    /// Where `output` comes in `--emit`.
    func order(of output: WrittenOutput) -> Int {
        configuration.outputs.firstIndex { output.path.hasSuffix("/" + fileName($0)) } ?? configuration.outputs.count
    }
}
