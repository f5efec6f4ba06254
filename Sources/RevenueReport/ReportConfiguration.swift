import Foundation

/// What a run should make, resolved from the command line: the pipeline's only input besides the source.
public struct ReportConfiguration: Sendable {
    public var filter: RecordFilter
    public var sourceZone: SourceZone
    public var outputs: [OutputKind]
    public var outDirectory: URL
    /// File name without extension; `STEM.csv` and so on.
    public var stem: String
    /// Turns off the spreadsheet formula guard (`--csv-raw`).
    public var csvRaw: Bool
    /// Report unreadable records and go on instead of failing (`--skip-invalid`).
    public var skipInvalid: Bool
    public var templateFile: URL?
    /// `--archive-raw DIR`: keep every page as read, for audit and replay.
    public var archiveDirectory: URL?
    /// `--fail-on`: rules that make a finished run exit 3.
    public var failOn: [FailRule] = []
    /// The zone the HTML shows times in (`--timezone`); nil: the source zone.
    public var displayZone: SourceZone?
    public var mail = MailSettings()
    /// `--range` as given, for the report header.
    public var rangeName: String?
    /// Write `STEM.manifest.json` after the outputs.
    public var writeManifest = true
    /// `--now` when given: the HTML shows it as the generation time, and the EML's Date.
    public var generatedAt: Date?

    public init(filter: RecordFilter = RecordFilter(), sourceZone: SourceZone = .utc, outputs: [OutputKind] = [.csv, .ndjson, .html],
                outDirectory: URL = URL(fileURLWithPath: "reports"), stem: String? = nil, csvRaw: Bool = false,
                skipInvalid: Bool = false, templateFile: URL? = nil, archiveDirectory: URL? = nil) {
        self.filter = filter
        self.sourceZone = sourceZone
        self.outputs = outputs
        self.outDirectory = outDirectory
        self.stem = stem ?? Self.defaultStem(for: filter)
        self.csvRaw = csvRaw
        self.skipInvalid = skipInvalid
        self.templateFile = templateFile
        self.archiveDirectory = archiveDirectory
    }

    /// `revenue-uploads_FROM_TO`, `revenue-uploads_all`; an open end reads `start` or `end`,
    /// and `--id` alone gives `revenue-uploads_id-N`.
    public static func defaultStem(for filter: RecordFilter) -> String {
        switch (filter.from, filter.to, filter.id) {
        case (nil, nil, nil): return "revenue-uploads_all"
        case (nil, nil, let id?): return "revenue-uploads_id-\(id)"
        case let (from, to, _): return "revenue-uploads_\(from?.description ?? "start")_\(to?.description ?? "end")"
        }
    }

    /// Checks what can be checked before any page is read.
    public func validate() throws {
        if let from = filter.from, let to = filter.to, to < from {
            throw ReportError.usage("--from \(from) is after --to \(to): the range is reversed")
        }
        if stem.isEmpty || stem.contains("/") || stem.hasPrefix(".") {
            throw ReportError.usage("--name \(stem): a file stem must be non-empty, without '/', and not start with '.'")
        }
        if outputs.isEmpty {
            throw ReportError.usage("--emit: name at least one output")
        }
        if outputs.contains(.eml) {
            guard !mail.to.isEmpty else {
                throw ReportError.usage("--emit eml: give at least one --mail-to address (sendmail -t sends to the To: header)")
            }
            if let subject = mail.subject, subject.contains("\n") || subject.contains("\r") {
                throw ReportError.usage("--mail-subject: a subject is one line")
            }
        }
    }
}
