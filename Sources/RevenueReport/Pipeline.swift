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
/// Nothing is written until every page is read and every record typed: a failure anywhere
/// leaves the output folder as it was.
public enum Pipeline {
    public static func run<Source: PageSource>(source: Source, configuration: ReportConfiguration, logger: Logger,
                                               progress: (any ProgressObserver)? = nil, settingsRecord: JSONValue = .object([]),
                                               toolVersion: String = ToolVersion.current) async throws -> RunResult {
        let startedAt = Date()
        try configuration.validate()
        let writers = try makeWriters(configuration)

        // Fetch and Parse, a page at a time; Transform keeps what the report needs.
        var collector = UploadCollector(filter: configuration.filter, zone: configuration.sourceZone, logger: logger)
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
        progress?.finish()
        let transformed = try collector.finish(skipInvalid: configuration.skipInvalid)
        let counts = transformed.counts
        logger.info("\(counts.pages) page(s), \(counts.read) record(s) read, \(counts.inRange) in range, \(counts.outOfRange) outside, \(counts.duplicates) duplicate(s), \(counts.rejected) rejected")

        // Emit: render everything in memory, then commit all files at once, the manifest last.
        let document = ReportDocument(transformed: transformed, configuration: configuration, sourceDescription: source.description, toolVersion: toolVersion)
        var files: [(name: String, bytes: [UInt8])] = []
        for writer in writers {
            files.append((name: "\(configuration.stem).\(writer.kind.fileExtension)", bytes: try writer.render(document)))
        }
        let committer = OutputCommitter(directory: configuration.outDirectory)
        var written = try committer.commit(files)
        let failMatches = matches(of: configuration.failOn, in: transformed.uploads)
        if configuration.writeManifest {
            let manifest = Manifest(
                toolVersion: toolVersion, settings: settingsRecord, filter: configuration.filter, rangeName: configuration.rangeName,
                sourceZone: configuration.sourceZone, source: source.manifestEntry, pages: pages, counts: counts,
                rejections: transformed.rejections, outputs: files, failMatches: failMatches, startedAt: startedAt, finishedAt: Date())
            written += try committer.commit([(name: "\(configuration.stem).manifest.json", bytes: manifest.render())])
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

    static func makeWriters(_ configuration: ReportConfiguration) throws -> [any ReportWriter] {
        var writers: [any ReportWriter] = []
        for kind in configuration.outputs {
            switch kind {
            case .csv: writers.append(CSVWriter(neutraliseFormulas: !configuration.csvRaw))
            case .ndjson: writers.append(NDJSONWriter())
            case .html: writers.append(try HTMLWriter(templateFile: configuration.templateFile))
            }
        }
        return writers
    }
}
