import Foundation

/// What the commit put in place: the outputs, in the order of `--emit`, the manifest last.
struct CommittedRun {
    let written: [WrittenOutput]
    let report: CollectedReport
    let pages: [PageRecord]
    let recall: HistoryRecall?
}

/// Emit's end: every output renamed into place together, then the manifest, which holds their
/// sha256 (and the pages', and the settings used) and so comes once they are there.
struct CommitStage {
    let run: RunContext

    init(_ run: RunContext) { self.run = run }

    func run(_ staged: StagedRun) throws -> CommittedRun {
        let configuration = run.configuration, plan = run.plan, committer = run.committer
        // Listed in the order of --emit, whatever order they were made in.
        var written = try committer.commit().sorted { plan.order(of: $0) < plan.order(of: $1) }
        if configuration.writeManifest {
            let report = staged.report
            let manifest = Manifest(
                toolVersion: run.toolVersion, settings: run.settingsRecord, filter: configuration.filter, rangeName: configuration.rangeName,
                sourceZone: configuration.sourceZone, source: run.sourceManifestEntry, pages: staged.pages, counts: report.counts,
                rejections: report.rejections, outputs: configuration.outputs.compactMap { staged.staged[$0] },
                failMatches: report.failMatches, history: report.sinceLastRun, startedAt: run.startedAt, finishedAt: Date())
            try committer.stage(name: "\(configuration.stem).manifest.json", bytes: manifest.render())
            written += try committer.commit()
        }
        return CommittedRun(written: written, report: staged.report, pages: staged.pages, recall: staged.recall)
    }
}
