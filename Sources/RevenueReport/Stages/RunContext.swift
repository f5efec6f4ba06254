import Foundation
import Logging

/// What every stage of one report run shares: its settings, the outputs it makes
/// (`OutputPlan`), the committer their temporary files go through, and when it began.
struct RunContext {
    let configuration: ReportConfiguration
    let plan: OutputPlan
    let committer: OutputCommitter
    let logger: Logger
    let startedAt: Date
    let toolVersion: String
    let settingsRecord: JSONValue
    /// The source as the report and the manifest name it.
    let sourceDescription: String
    let sourceManifestEntry: JSONValue
    let sourceIsExhaustive: Bool

    init(configuration: ReportConfiguration, source: some PageSource, logger: Logger, toolVersion: String, settingsRecord: JSONValue) throws {
        startedAt = Date()
        try configuration.validate()
        self.configuration = configuration
        plan = try OutputPlan(configuration)
        committer = OutputCommitter(directory: configuration.outDirectory)
        self.logger = logger
        self.toolVersion = toolVersion
        self.settingsRecord = settingsRecord
        sourceDescription = source.description
        sourceManifestEntry = source.manifestEntry
        sourceIsExhaustive = source.isExhaustive
    }

    /// Runs the stages; on any failure every temporary output is removed before the error goes on.
    func discardingOnFailure<T>(_ stages: () async throws -> T) async throws -> T {
        do {
            return try await stages()
        } catch {
            committer.discard()
            throw error
        }
    }
}
