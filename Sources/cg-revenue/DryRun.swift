import Foundation
import RevenueReport

/// `--dry-run`: the whole plan (every setting as it would be used, typed, with where it came
/// from; the outputs; the requests), then each problem found. Needs no credentials.
enum DryRun {
    /// Every setting as it would be used, typed, with where it came from.
    static func settingsLines(_ settings: RunSettings) -> String {
        "settings:\n" + settings.effective.map { "  \($0.key.rawValue) = \($0.value)    (from \($0.origin))\n" }.joined()
    }

    static func describe(_ settings: RunSettings) -> String {
        var out = "cg-revenue \(ToolVersion.current) dry run: nothing is fetched or written\n\n"
        if let configPath = settings.configPath { out += "config file: \(configPath)\n" }
        out += settingsLines(settings)
        let report = settings.report
        out += "\nrange: \(report.filter.from?.description ?? "open") to \(report.filter.to?.description ?? "open")"
        out += " on the clock of \((report.filter.zone ?? report.sourceZone).identifier)\n"
        if let nothing = settings.nothingToCover { out += "\(nothing)\n" }
        if let previous = report.filter.previousPeriod, let from = previous.from, let to = previous.to {
            out += "compared with: \(from) to \(to) (--compare previous-period)\n"
        }
        out += "outputs: " + (report.outputs.map { "\(report.stem).\($0.fileExtension)" } + ["\(report.stem).manifest.json"])
            .map { report.outDirectory.appendingPathComponent($0).path }.joined(separator: ", ") + "\n"
        if let history = settings.history {
            out += "history: \(history.planDescription) (read before the run, this run recorded after the outputs\(settings.alertOnce ? "; --alert-once" : ""))\n"
        }
        switch settings.source {
        case .replay(let folder):
            out += "source: replay of \(folder.path)\n"
            if let files = try? ReplaySource(directory: folder).pageFiles() {
                out += "pages: \(files.count) file(s): \(files.map(\.lastPathComponent).joined(separator: ", "))\n"
            }
        case .api(let api):
            out += "source: \(api.endpoint.revenueURL.absoluteString) (region \(api.region.rawValue))\n"
            out += "credentials: \(api.credentialsOrigin)\(api.credentials == nil ? "" : "; secret ********")\n"
            if case .oauth? = api.credentials {
                out += "request: POST \(api.endpoint.tokenURL.absoluteString) (grant_type=client_credentials, client secret ********)\n"
            }
            let query = APIQuery(filter: report.filter, pageSize: api.pageSize, sourceZone: report.sourceZone)
            var components = URLComponents(url: api.endpoint.revenueURL, resolvingAgainstBaseURL: false)!
            for start in query.filter.id == nil ? [0, api.pageSize] : [0] {
                components.queryItems = query.items(start: start).map { URLQueryItem(name: $0.0, value: $0.1) }
                out += "request: GET \(components.url!.absoluteString)\n"
            }
            if query.filter.id == nil {
                out += "         … start += the records each page held, until an empty page or 400184; \(api.concurrency) page(s) in flight, \(api.maxAttempts) attempt(s) each\n"
            }
        }
        if settings.problems.isEmpty {
            out += "\nno problems found\n"
        } else {
            out += "\n\(settings.problems.count) problem(s), exit 2:\n"
            for problem in settings.problems { out += "  - \(problem)\n" }
        }
        return out
    }
}
