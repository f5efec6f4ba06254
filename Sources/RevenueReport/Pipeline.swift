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

/// The report job: Fetch, Parse and Transform (`CollectStage`), Emit (`RenderStage`, then
/// `CommitStage`), History (`RecordStage`), each stage a type in `Stages/` that takes the value
/// the one before gave.
///
/// Outputs are written to temporary files and renamed into place only once every page is read,
/// every record typed and every output complete, so a failure anywhere leaves the output folder
/// as it was (`RunContext.discardingOnFailure`). Only `--archive-raw` keeps pages as they come:
/// that is evidence of what was read, failed runs included.
public enum Pipeline {
    public static func run(source: some PageSource, configuration: ReportConfiguration, logger: Logger,
                           progress: (any ProgressObserver)? = nil, settingsRecord: JSONValue = .object([]),
                           toolVersion: String = ToolVersion.current, history: HistoryRun? = nil,
                           sortRunBytes: Int = ExternalSorter.defaultRunBytes) async throws -> RunResult {
        let run = try RunContext(configuration: configuration, source: source, logger: logger,
                                 toolVersion: toolVersion, settingsRecord: settingsRecord)
        return try await run.discardingOnFailure {
            let collected = try await CollectStage(run, history: history, progress: progress, sortRunBytes: sortRunBytes).run(source)
            let staged = try await RenderStage(run).run(collected)
            let committed = try CommitStage(run).run(staged)
            return try RecordStage(run).run(committed)
        }
    }
}
