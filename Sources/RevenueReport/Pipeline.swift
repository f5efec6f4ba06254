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
/// No output is written until every page is read and every record typed, so a failure anywhere
/// leaves the output folder as it was. Only `--archive-raw` keeps pages as they come: that is
/// evidence of what was read, failed runs included.
public enum Pipeline {
    public static func run<Source: PageSource>(source: Source, configuration: ReportConfiguration, logger: Logger,
                                               progress: (any ProgressObserver)? = nil, settingsRecord: JSONValue = .object([]),
                                               toolVersion: String = ToolVersion.current) async throws -> RunResult {
        let startedAt = Date()
        try configuration.validate()
        let writers = try makeWriters(configuration)

        // Fetch and Parse, a page at a time; Transform keeps what the report needs.
        var collector = UploadCollector(filter: configuration.filter, zone: configuration.sourceZone, displayZone: configuration.displayZone, logger: logger)
        var archive = try configuration.archiveDirectory.map(PageArchive.init)
        var pages: [PageRecord] = []
        logger.info("reading \(source.description)")
        defer { progress?.finish() }
        for try await rawPage in source.pages() {
            let digest = sha256Hex(rawPage.bytes)
            pages.append(PageRecord(origin: rawPage.origin, bytes: rawPage.bytes.count, sha256: digest))
            try archive?.save(rawPage, sha256: digest)
            let page = try PageParser.parse(rawPage)
            logger.debug("\(rawPage.origin): \(page.records.count) record(s)\(page.isNoDataAnswer ? " (400184: no data)" : "")")
            try collector.add(page)
            progress?.update(pages: pages.count, records: collector.recordsRead)
        }
        let transformed = try collector.finish(skipInvalid: configuration.skipInvalid, sourceIsExhaustive: source.isExhaustive)
        let counts = transformed.counts
        logger.info("\(counts.pages) page(s), \(counts.read) record(s) read, \(counts.inRange) in range, \(counts.outOfRange) outside, \(counts.duplicates) duplicate(s), \(counts.rejected) rejected")

        // Emit: each output goes to its temporary file as soon as it is rendered; all are renamed
        // into place together, then the manifest is written and renamed last.
        let document = ReportDocument(transformed: transformed, configuration: configuration, sourceDescription: source.description, toolVersion: toolVersion)
        let committer = OutputCommitter(directory: configuration.outDirectory)
        var written: [WrittenOutput] = []
        let failMatches = matches(of: configuration.failOn, in: transformed.uploads)
        do {
            var staged: [OutputCommitter.StagedFile] = []
            var keptForEmail: [OutputKind: [UInt8]] = [:]
            let emailNeeds: Set<OutputKind> = configuration.outputs.contains(.eml) ? Set([.html] + configuration.mail.attach) : []
            for writer in writers {
                let name = "\(configuration.stem).\(writer.kind.fileExtension)"
                if emailNeeds.contains(writer.kind) {
                    // The email carries this output too: render it once, in memory.
                    let bytes = try writer.render(document)
                    keptForEmail[writer.kind] = bytes
                    if configuration.outputs.contains(writer.kind) { staged.append(try committer.stage(name: name, bytes: bytes)) }
                } else {
                    // Streamed to its temporary file in large writes: never whole in memory.
                    staged.append(try committer.stage(name: name) { sink in try writer.write(document, to: sink) })
                }
            }
            if configuration.outputs.contains(.eml) {
                let email = try renderEmail(document, configuration: configuration, rendered: keptForEmail)
                staged.append(try committer.stage(name: "\(configuration.stem).eml", bytes: email))
            }
            written = try committer.commit()
            if configuration.writeManifest {
                let manifest = Manifest(
                    toolVersion: toolVersion, settings: settingsRecord, filter: configuration.filter, rangeName: configuration.rangeName,
                    sourceZone: configuration.sourceZone, source: source.manifestEntry, pages: pages, counts: counts,
                    rejections: transformed.rejections, outputs: staged, failMatches: failMatches, startedAt: startedAt, finishedAt: Date())
                try committer.stage(name: "\(configuration.stem).manifest.json", bytes: manifest.render())
                written += try committer.commit()
            }
        } catch {
            committer.discard()
            throw error
        }
        for output in written {
            logger.info("wrote \(output.path) (\(output.size) bytes)")
        }
        return RunResult(outputs: written, pages: pages, counts: counts, uploads: transformed.uploads.count, failMatches: failMatches)
    }

    static func matches(of rules: [FailRule], in uploads: [RevenueUpload]) -> [FailMatch] {
        guard !rules.isEmpty else { return [] }
        return uploads.compactMap { upload in
            let matched = rules.filter { $0.matches(upload) }
            return matched.isEmpty ? nil : FailMatch(upload: upload, rules: matched)
        }
    }

    /// The writers of the file outputs; the email is made from their results.
    static func makeWriters(_ configuration: ReportConfiguration) throws -> [any ReportWriter] {
        var kinds = configuration.outputs.filter { $0 != .eml }
        if configuration.outputs.contains(.eml) {
            // The message carries the HTML and its attachments even when they are not files.
            for kind in [OutputKind.html] + configuration.mail.attach where !kinds.contains(kind) { kinds.append(kind) }
        }
        return try kinds.map { kind -> any ReportWriter in
            switch kind {
            case .csv: return CSVWriter(neutraliseFormulas: !configuration.csvRaw)
            case .ndjson: return NDJSONWriter()
            case .html: return try HTMLWriter(templateFile: configuration.templateFile)
            case .eml: preconditionFailure("the email is not a ReportWriter")
            }
        }
    }

    static func renderEmail(_ document: ReportDocument, configuration: ReportConfiguration, rendered: [OutputKind: [UInt8]]) throws -> [UInt8] {
        let attachments = configuration.mail.attach.map { kind in
            (name: "\(configuration.stem).\(kind.fileExtension)", type: kind == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
             bytes: rendered[kind]!)
        }
        return try EMLWriter().render(document, html: rendered[.html]!, attachments: attachments, date: configuration.generatedAt ?? Date())
    }
}
