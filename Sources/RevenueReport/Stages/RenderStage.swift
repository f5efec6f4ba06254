import Foundation
import Logging

/// What Emit rendered: every output in a temporary file beside where it goes (none renamed yet),
/// and what the manifest and the history need of the collected uploads.
struct StagedRun {
    var staged: [OutputKind: OutputCommitter.StagedFile]
    let report: CollectedReport
    let pages: [PageRecord]
    let recall: HistoryRecall?
}

/// Emit, up to the rename: the rows not yet in the row outputs go there in report order, while
/// the documents (the HTML) are rendered on another core (they need only the aggregates, and
/// completing the rows of data that came out of order is a whole merge of the sorted runs);
/// then the outputs made from their rows (XLSX), then the email, which carries some of them.
struct RenderStage {
    let run: RunContext

    init(_ run: RunContext) { self.run = run }

    func run(_ collected: consuming CollectedRun) async throws -> StagedRun {
        let configuration = run.configuration, plan = run.plan, committer = run.committer, logger = run.logger
        let report = collected.uploads.report
        let pages = collected.pages, recall = collected.recall, rows = collected.rows, readSeconds = collected.readSeconds
        let document = ReportDocument(collected: report, configuration: configuration,
                                      sourceDescription: run.sourceDescription, toolVersion: run.toolVersion)
        let documentWriters = plan.documentWriters
        // (Should the rows fail, the rendering's result is simply never read.)
        let renderingDocuments = Task.detached { try documentWriters.map { (kind: $0.kind, bytes: try $0.writer.render(document)) } }
        let rowOutputs = try Self.writeRows(collected.uploads, into: rows, plan: plan, committer: committer)
        var staged = rowOutputs.staged, keptForEmail = rowOutputs.keptForEmail
        let ordering = rowOutputs.sorting.neededSorting ? "sorted, \(rowOutputs.sorting.spilledRuns) run(s) on disk" : "in report order as received, written as read"
        logger.debug("read and typed in \(String(format: "%.2f", readSeconds)) s; \(ordering)")
        logger.debug("rows written in \(String(format: "%.2f", Date().timeIntervalSince(run.startedAt) - readSeconds)) s")
        for (kind, bytes) in try await renderingDocuments.value {
            if plan.emailNeeds(kind) { keptForEmail[kind] = bytes }
            if plan.writesFile(kind) { staged[kind] = try committer.stage(name: plan.fileName(kind), bytes: bytes) }
        }
        for (kind, finisher) in plan.finishers {
            let file = try committer.stageFile(name: plan.fileName(kind), scratch: !plan.writesFile(kind)) { path in
                try finisher.finish(rowsFile: rowOutputs.rowsFiles[kind]!, document: document, to: path) { logger.warning("\($0)") }
            }
            if plan.writesFile(kind) { staged[kind] = file }
            if plan.emailNeeds(kind) { keptForEmail[kind] = try committer.stagedBytes(name: plan.fileName(kind)) }
        }
        if configuration.outputs.contains(.eml) {
            let email = try Self.renderEmail(document, configuration: configuration, rendered: keptForEmail)
            staged[.eml] = try committer.stage(name: plan.fileName(.eml), bytes: email)
        }
        return StagedRun(staged: staged, report: report, pages: pages, recall: recall)
    }

    /// Completes the row outputs (CSV, NDJSON): the uploads not yet written go in, in report
    /// order; each file is then closed (or, when only the email carries it, kept in memory).
    /// `rowsFiles`: where the rows of an output made from them (XLSX) are, for its finisher.
    static func writeRows(_ collected: consuming CollectedUploads, into rows: RowStream, plan: OutputPlan, committer: OutputCommitter) throws
        -> (sorting: ExternalSorter.Outcome, staged: [OutputKind: OutputCommitter.StagedFile], keptForEmail: [OutputKind: [UInt8]],
            rowsFiles: [OutputKind: String]) {
        let sorting = try collected.writeRows(into: rows)
        try rows.openIfNeeded()
        var staged: [OutputKind: OutputCommitter.StagedFile] = [:]
        var keptForEmail: [OutputKind: [UInt8]] = [:]
        var rowsFiles: [OutputKind: String] = [:]
        for (format, sink) in zip(plan.rowFormats, rows.sinks) {
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
