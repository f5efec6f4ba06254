/// Everything an output is made from: the Transform result plus what the run was about.
import Foundation

public struct ReportDocument: Sendable {
    public var uploads: [RevenueUpload]
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

    public init(transformed: TransformedUploads, filter: RecordFilter, sourceDescription: String, sourceZone: SourceZone,
                displayZone: SourceZone? = nil, rangeName: String? = nil, toolVersion: String) {
        self.uploads = transformed.uploads
        self.summary = transformed.summary
        self.rejections = transformed.rejections
        self.counts = transformed.counts
        self.filter = filter
        self.sourceDescription = sourceDescription
        self.sourceZone = sourceZone
        self.displayZone = displayZone ?? sourceZone
        self.rangeName = rangeName
        self.toolVersion = toolVersion
    }

    public init(transformed: TransformedUploads, configuration: ReportConfiguration, sourceDescription: String, toolVersion: String) {
        self.init(transformed: transformed, filter: configuration.filter, sourceDescription: sourceDescription, sourceZone: configuration.sourceZone,
                  displayZone: configuration.displayZone, rangeName: configuration.rangeName, toolVersion: toolVersion)
        previous = transformed.previous
        generatedAt = configuration.generatedAt
        manifestName = configuration.writeManifest ? "\(configuration.stem).manifest.json" : nil
        stem = configuration.stem
        mail = configuration.mail
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

/// The files a run can write, each by one `ReportWriter`.
public enum OutputKind: String, Sendable, CaseIterable {
    case csv
    case ndjson
    case html
    case eml

    public var fileExtension: String { rawValue }
}

/// One output format: writes the whole document into a sink. A new format is one new writer.
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
