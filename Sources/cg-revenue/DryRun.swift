import Foundation
import RevenueReport

/// `--dry-run`: the resolved settings, with where each came from, and the requests a run would make.
enum DryRun {
    static func describe(_ settings: RunSettings) -> String {
        var out = "cg-revenue \(ToolVersion.current) dry run: nothing is fetched or written\n\n"
        if let configPath = settings.configPath { out += "config file: \(configPath)\n" }
        out += "settings:\n"
        for entry in settings.effective {
            out += "  \(entry.key.rawValue) = \(entry.value)    (from \(entry.origin))\n"
        }
        let report = settings.report
        out += "\nrange: \(report.filter.from?.description ?? "open") to \(report.filter.to?.description ?? "open")"
        out += " on the clock of \((report.filter.zone ?? report.sourceZone).identifier)\n"
        out += "outputs: " + (report.outputs.map { "\(report.stem).\($0.fileExtension)" } + ["\(report.stem).manifest.json"])
            .map { report.outDirectory.appendingPathComponent($0).path }.joined(separator: ", ") + "\n"
        switch settings.source {
        case .replay(let folder):
            out += "source: replay of \(folder.path)\n"
            if let files = try? ReplaySource(directory: folder).pageFiles() {
                out += "pages: \(files.count) file(s): \(files.map(\.lastPathComponent).joined(separator: ", "))\n"
            }
        case .api(let api):
            out += "source: \(api.endpoint.revenueURL.absoluteString) (region \(api.region.rawValue))\n"
            out += "credentials: \(api.credentialsOrigin); secret ********\n"
            if case .oauth = api.credentials {
                out += "request: POST \(api.endpoint.tokenURL.absoluteString) (grant_type=client_credentials, client secret ********)\n"
            }
            let query = APIQuery(filter: report.filter, pageSize: api.pageSize, sourceZone: report.sourceZone)
            var components = URLComponents(url: api.endpoint.revenueURL, resolvingAgainstBaseURL: false)!
            for start in [0, api.pageSize] {
                components.queryItems = query.items(start: start).map { URLQueryItem(name: $0.0, value: $0.1) }
                out += "request: GET \(components.url!.absoluteString)\n"
            }
            out += "         … start += \(api.pageSize) until a short page, an empty page or 400184; \(api.concurrency) page(s) in flight, \(api.maxAttempts) attempt(s) each\n"
        }
        return out
    }
}
