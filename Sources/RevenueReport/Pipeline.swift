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
/// uploads in range go to a sorter that keeps memory flat by spilling sorted runs to disk. No
/// output is written until every page is read and every record typed, so a failure anywhere
/// leaves the output folder as it was. Only `--archive-raw` keeps pages as they come: that is
/// evidence of what was read, failed runs included.
public enum Pipeline {
    /// Pages typed at once: one per core, and one more being read.
    static let typingWidth = max(2, ProcessInfo.processInfo.activeProcessorCount + 1)

    public static func run<Source: PageSource>(source: Source, configuration: ReportConfiguration, logger: Logger,
                                               progress: (any ProgressObserver)? = nil, settingsRecord: JSONValue = .object([]),
                                               toolVersion: String = ToolVersion.current,
                                               sortRunBytes: Int = ExternalSorter.defaultRunBytes) async throws -> RunResult where Source.Pages: Sendable {
        let startedAt = Date()
        try configuration.validate()
        let plan = try OutputPlan(configuration)

        // Fetch, Parse and type, several pages at once; Transform takes them in order.
        let typing = PageTyping(filter: configuration.filter, zone: configuration.sourceZone, formats: plan.rowFormats)
        var collector = UploadCollector(filter: configuration.filter, zone: configuration.sourceZone, displayZone: configuration.displayZone,
                                        failRules: configuration.failOn, sortDirectory: configuration.outDirectory, sortRunBytes: sortRunBytes, logger: logger)
        var archive = try configuration.archiveDirectory.map(PageArchive.init)
        var pages: [PageRecord] = []
        logger.info("reading \(source.description)")
        defer { progress?.finish() }
        try await forEachConcurrently(source.pages(), width: typingWidth, transform: typing.type) { page in
            pages.append(PageRecord(origin: page.raw.origin, bytes: page.raw.bytes.count, sha256: page.sha256))
            try archive?.save(page.raw, sha256: page.sha256)
            logger.debug("\(page.raw.origin): \(page.recordCount) record(s)\(page.isNoDataAnswer ? " (400184: no data)" : "")")
            try collector.add(page)
            progress?.update(pages: pages.count, records: collector.recordsRead)
        }
        let collected = try collector.finish(skipInvalid: configuration.skipInvalid, sourceIsExhaustive: source.isExhaustive)
        let counts = collected.counts
        logger.info("\(counts.pages) page(s), \(counts.read) record(s) read, \(counts.inRange) in range, \(counts.outOfRange) outside, \(counts.duplicates) duplicate(s), \(counts.rejected) rejected")
        let readSeconds = Date().timeIntervalSince(startedAt)
        logger.debug("read and typed in \(String(format: "%.2f", readSeconds)) s; \(collected.spilledRuns) sorted run(s) on disk")

        // Emit: one pass over the uploads in report order streams the row outputs (CSV, NDJSON)
        // to their temporary files and gathers what the HTML lists; then the HTML and the email.
        // All are renamed into place together; the manifest is written and renamed last.
        let committer = OutputCommitter(directory: configuration.outDirectory)
        var written: [WrittenOutput] = []
        do {
            var (staged, keptForEmail) = try writeRows(collected, plan: plan, committer: committer)
            let excerpt = collected.excerpt
            logger.debug("rows written in \(String(format: "%.2f", Date().timeIntervalSince(startedAt) - readSeconds)) s")
            let document = ReportDocument(collected: collected, configuration: configuration,
                                          sourceDescription: source.description, toolVersion: toolVersion)
            if let html = plan.html {
                if plan.emailNeeds(.html) {
                    let bytes = try html.render(document)
                    keptForEmail[.html] = bytes
                    if plan.writesFile(.html) { staged[.html] = try committer.stage(name: plan.fileName(.html), bytes: bytes) }
                } else {
                    staged[.html] = try committer.stage(name: plan.fileName(.html)) { sink in try html.write(document, to: sink) }
                }
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
                    rejections: collected.rejections, outputs: configuration.outputs.compactMap { staged[$0] },
                    failMatches: excerpt.failMatches, startedAt: startedAt, finishedAt: Date())
                try committer.stage(name: "\(configuration.stem).manifest.json", bytes: manifest.render())
                written += try committer.commit()
            }
            for output in written {
                logger.info("wrote \(output.path) (\(output.size) bytes)")
            }
            return RunResult(outputs: written, pages: pages, counts: counts, uploads: excerpt.uploadCount, failMatches: excerpt.failMatches)
        } catch {
            committer.discard()
            throw error
        }
    }

    /// One pass over the uploads in report order: each row output's pre-rendered rows go to its
    /// temporary file (or memory, when only the email carries it).
    static func writeRows(_ collected: CollectedUploads, plan: OutputPlan, committer: OutputCommitter) throws
        -> (staged: [OutputKind: OutputCommitter.StagedFile], keptForEmail: [OutputKind: [UInt8]]) {
        var sinks: [OutputSink] = []
        for format in plan.rowFormats {
            let sink = plan.writesFile(format.kind)
                ? try committer.open(name: plan.fileName(format.kind), keepCopy: plan.emailNeeds(format.kind))
                : OutputSink()
            format.appendHeader(to: &sink.buffer)
            sinks.append(sink)
        }
        try collected.forEachInOrder { record in
            var index = 0
            try record.forEachRow { row in
                sinks[index].buffer.append(contentsOf: row)
                try sinks[index].flushIfFull()
                index += 1
            }
        }
        var staged: [OutputKind: OutputCommitter.StagedFile] = [:]
        var keptForEmail: [OutputKind: [UInt8]] = [:]
        for (format, sink) in zip(plan.rowFormats, sinks) {
            if plan.writesFile(format.kind) { staged[format.kind] = try committer.close(sink) } else { _ = try sink.finish() }
            if plan.emailNeeds(format.kind) { keptForEmail[format.kind] = sink.keptBytes }
        }
        return (staged, keptForEmail)
    }

    static func renderEmail(_ document: ReportDocument, configuration: ReportConfiguration, rendered: [OutputKind: [UInt8]]) throws -> [UInt8] {
        let attachments = configuration.mail.attach.map { kind in
            (name: "\(configuration.stem).\(kind.fileExtension)", type: kind == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
             bytes: rendered[kind]!)
        }
        return try EMLWriter().render(document, html: rendered[.html]!, attachments: attachments, date: configuration.generatedAt ?? Date())
    }
}

/// Which outputs a run makes, and how: the row formats rendered ahead while pages are typed,
/// the HTML writer, and which outputs the email carries (made even when not written as files).
struct OutputPlan {
    let configuration: ReportConfiguration
    let rowFormats: [any RowFormat]
    let html: HTMLWriter?

    init(_ configuration: ReportConfiguration) throws {
        self.configuration = configuration
        var kinds = configuration.outputs.filter { $0 != .eml }
        if configuration.outputs.contains(.eml) {
            // The message carries the HTML and its attachments even when they are not files.
            for kind in [OutputKind.html] + configuration.mail.attach where !kinds.contains(kind) { kinds.append(kind) }
        }
        rowFormats = kinds.compactMap { kind -> (any RowFormat)? in
            switch kind {
            case .csv: return CSVWriter(neutraliseFormulas: !configuration.csvRaw)
            case .ndjson: return NDJSONWriter()
            case .html, .eml: return nil
            }
        }
        html = kinds.contains(.html) ? try HTMLWriter(templateFile: configuration.templateFile) : nil
    }

    func writesFile(_ kind: OutputKind) -> Bool { configuration.outputs.contains(kind) }

    func emailNeeds(_ kind: OutputKind) -> Bool {
        configuration.outputs.contains(.eml) && (kind == .html || configuration.mail.attach.contains(kind))
    }

    func fileName(_ kind: OutputKind) -> String { "\(configuration.stem).\(kind.fileExtension)" }

    /// Where `output` comes in `--emit`.
    func order(of output: WrittenOutput) -> Int {
        configuration.outputs.firstIndex { output.path.hasSuffix("/" + fileName($0)) } ?? configuration.outputs.count
    }
}
