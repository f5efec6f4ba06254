import Foundation

/// Everything the HTML report and the email are made from: the Transform result's aggregates,
/// the excerpt of uploads they list, and what the run was about.
public struct ReportDocument: Sendable {
    /// The uploads the report lists (first rows, those needing attention) and their counts.
    public var excerpt: ReportExcerpt
    public var summary: Summary
    public var rejections: [RecordRejection]
    public var counts: RecordCounts
    public var filter: RecordFilter
    /// Where the pages came from, for the report header ("replay of examples/responses").
    public var sourceDescription: String
    public var sourceZone: SourceZone
    /// The zone the HTML shows times in.
    public var displayZone: SourceZone
    public var rangeName: String?
    public var toolVersion: String
    /// The period of equal length before the range, when the data covers it.
    public var previous: Summary?
    /// Shown in the HTML only when given (`--now`), so that reports stay reproducible.
    public var generatedAt: Date?
    /// `STEM.manifest.json` when one is written beside the report.
    public var manifestName: String?
    public var stem = "report"
    public var mail = MailSettings()
    /// The outputs written, for the report's pointers to where every upload is.
    public var outputs: [OutputKind] = [.csv, .ndjson]
    /// With `--history`: what changed since the last run.
    public var sinceLastRun: SinceLastRun?
    /// Why rows were rejected, most rows first.
    public var causes = RejectionCauses()

    public init(excerpt: ReportExcerpt, summary: Summary, rejections: [RecordRejection], counts: RecordCounts, filter: RecordFilter,
                sourceDescription: String, sourceZone: SourceZone, displayZone: SourceZone? = nil, rangeName: String? = nil, toolVersion: String) {
        self.excerpt = excerpt
        self.summary = summary
        self.rejections = rejections
        self.counts = counts
        self.filter = filter
        self.sourceDescription = sourceDescription
        self.sourceZone = sourceZone
        self.displayZone = displayZone ?? sourceZone
        self.rangeName = rangeName
        self.toolVersion = toolVersion
    }

    /// A document over `uploads` held in memory (in report order): for tests and tools.
    public init(uploads: [RevenueUpload], rejections: [RecordRejection] = [], filter: RecordFilter, sourceDescription: String,
                sourceZone: SourceZone, displayZone: SourceZone? = nil, toolVersion: String) {
        self.init(excerpt: ReportExcerpt(uploads: uploads), summary: Summary(uploads: uploads, zone: displayZone ?? sourceZone), rejections: rejections,
                  counts: RecordCounts(), filter: filter, sourceDescription: sourceDescription, sourceZone: sourceZone, displayZone: displayZone,
                  toolVersion: toolVersion)
        for upload in uploads { causes.add(upload) }
    }

    public init(collected: CollectedReport, configuration: ReportConfiguration, sourceDescription: String, toolVersion: String) {
        self.init(excerpt: collected.excerpt, summary: collected.summary, rejections: collected.rejections, counts: collected.counts, filter: configuration.filter,
                  sourceDescription: sourceDescription, sourceZone: configuration.sourceZone, displayZone: configuration.displayZone,
                  rangeName: configuration.rangeName, toolVersion: toolVersion)
        previous = collected.previous
        sinceLastRun = collected.sinceLastRun
        causes = collected.causes
        generatedAt = configuration.generatedAt
        manifestName = configuration.writeManifest ? "\(configuration.stem).manifest.json" : nil
        stem = configuration.stem
        mail = configuration.mail
        outputs = configuration.outputs
    }

    /// `STEM.csv and STEM.xlsx`: the outputs that hold every upload (or what would, when none is written).
    public var rowFilesDescription: String {
        let names = outputs.filter(\.format.holdsEveryUpload).map { "\(stem).\($0.fileExtension)" }
        switch names.count {
        case 0: return "the CSV (--emit csv)"
        case 1: return names[0]
        default: return names.dropLast().joined(separator: ", ") + " and " + names.last!
        }
    }

    /// The range in words: `2026-01-01 to 2026-06-30`, `from 2026-01-01`, `all dates`.
    public var rangeDescription: String {
        switch (filter.from, filter.to) {
        case let (from?, to?): return "\(from) to \(to)"
        case let (from?, nil): return "from \(from)"
        case let (nil, to?): return "up to \(to)"
        case (nil, nil): return "all dates"
        }
    }
}

/// An output made from the whole document at once (the HTML report).
public protocol ReportWriter: Sendable {
    var kind: OutputKind { get }
    func write(_ document: ReportDocument, to sink: OutputSink) throws
}

extension ReportWriter {
    /// The whole output in memory: for tests, and for the parts of the email.
    public func render(_ document: ReportDocument) throws -> [UInt8] {
        let sink = OutputSink()
        try write(document, to: sink)
        return sink.buffer
    }
}
