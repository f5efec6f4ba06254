import Foundation
import Prometheus

/// What a run tells a monitor: how it ended and what it saw. The figures of the report are
/// known only when it got that far (nil otherwise: a failed run reports how it ended).
public struct RunFigures: Sendable {
    public var finishedAt: Date
    public var durationSeconds: Double
    public var exitCode: Int32
    /// The report's figures; nil when the run failed before making it.
    public var report: ReportFigures?
    /// HTTP requests by code and retries; nil for a replay.
    public var requests: (byCode: [String: Int], retries: Int)?

    public init(finishedAt: Date, durationSeconds: Double, exitCode: Int32, report: ReportFigures?, requests: (byCode: [String: Int], retries: Int)?) {
        self.finishedAt = finishedAt
        self.durationSeconds = durationSeconds
        self.exitCode = exitCode
        self.report = report
        self.requests = requests
    }

    /// 0 (done) and 3 (done, a --fail-on rule matched): every output was written.
    public var succeeded: Bool { exitCode == 0 || exitCode == 3 }
}

/// The report's figures the metrics carry (the same the manifest holds).
public struct ReportFigures: Sendable, Equatable {
    public var uploadsByStatus: [String: Int]
    public var successfulRecords: Int
    public var unsuccessfulRecords: Int
    public var attentionUploads: Int
    public var pages: Int
}

/// `--metrics-file FILE`: the Prometheus text format for node_exporter's textfile collector,
/// rendered by swift-prometheus's registry (its descriptors carry the HELP text promtool asks
/// for), families and samples sorted so that the same figures give the same bytes, written to
/// a temporary file in the same folder (a name the collector ignores) and renamed into place.
public struct MetricsFile: Sendable {
    public let url: URL
    /// The first line: how a later run knows the file is ours, to carry the last success over.
    static let marker = "# cg-revenue run metrics (node_exporter textfile collector); rewritten after every run"
    static let lastSuccessName = "cg_revenue_last_success_timestamp_seconds"

    public init(url: URL) {
        self.url = url
    }

    /// Checks, before any request, that the file can be written where it goes.
    public static func checkWritable(_ url: URL) -> String? {
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            return "the folder \(folder) does not exist"
        }
        guard access(folder, W_OK | X_OK) == 0 else { return "the folder \(folder) is not writable (\(FileProblem.reason(errno)))" }
        return nil
    }

    /// The last success the file at `url` records, when the file is ours; nil otherwise (unknown,
    /// never invented).
    func previousSuccess() -> Double? {
        guard let text = try? String(contentsOf: url, encoding: .utf8), text.hasPrefix(Self.marker + "\n") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(Self.lastSuccessName + " ") {
            return Double(line.dropFirst(Self.lastSuccessName.count + 1))
        }
        return nil
    }

    /// The file's text for `figures`, carrying the last success over from the file it replaces
    /// when this run did not succeed.
    public func render(_ figures: RunFigures) -> String {
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, _ unit: String, _ help: String, labels: [(String, String)] = [], _ value: Double) {
            let descriptor = MetricNameDescriptor(namespace: "cg", subsystem: "revenue", metricName: name, unitName: unit, helpText: help)
            (labels.isEmpty ? registry.makeGauge(descriptor: descriptor) : registry.makeGauge(descriptor: descriptor, labels: labels)).set(value)
        }
        let finished = (figures.finishedAt.timeIntervalSince1970 * 1000).rounded() / 1000
        gauge("last_run", "timestamp_seconds", "When the last run of cg-revenue ended (Unix time).", finished)
        gauge("last_run", "duration_seconds", "How long the last run took.", (figures.durationSeconds * 1000).rounded() / 1000)
        gauge("last_run", "exit_code", "The last run's exit code: 0 done, 1 failed, 2 usage or configuration, 3 a --fail-on rule matched.",
              Double(figures.exitCode))
        if let lastSuccess = figures.succeeded ? finished : previousSuccess() {
            gauge("last_success", "timestamp_seconds", "When a run last ended with every output written (exit 0 or 3).", lastSuccess)
        }
        if let report = figures.report {
            for (status, count) in report.uploadsByStatus {
                gauge("uploads", "", "Uploads in the last run's range, by status.", labels: [("status", status)], Double(count))
            }
            gauge("records", "", "Records of the uploads in range, by outcome.", labels: [("outcome", "successful")], Double(report.successfulRecords))
            gauge("records", "", "Records of the uploads in range, by outcome.", labels: [("outcome", "unsuccessful")], Double(report.unsuccessfulRecords))
            gauge("attention", "uploads", "Uploads in range that need a person: not Processed, or with rejected rows.", Double(report.attentionUploads))
            gauge("pages", "", "Pages read by the last run.", Double(report.pages))
        }
        if let requests = figures.requests {
            for (code, count) in requests.byCode {
                gauge("http", "requests", "HTTP requests of the last run, by status code (none: no response).", labels: [("code", code)], Double(count))
            }
            gauge("http", "retries", "Requests of the last run tried again (429, 5xx, timeouts, dropped connections).", Double(requests.retries))
        }
        return Self.marker + "\n" + Self.sorted(registry.emitToString())
    }

    /// The registry's families come out in a varying order: sort them by name, and each one's
    /// samples, keeping HELP and TYPE first.
    static func sorted(_ text: String) -> String {
        var families: [String: (head: [Substring], samples: [Substring])] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# ") {
                let name = line.split(separator: " ", maxSplits: 3).dropFirst(2).first.map(String.init) ?? ""
                families[name, default: ([], [])].head.append(line)
            } else {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                families[name, default: ([], [])].samples.append(line)
            }
        }
        var out = ""
        for name in families.keys.sorted() {
            let family = families[name]!
            for line in family.head.sorted(by: { $0.hasPrefix("# HELP") && !$1.hasPrefix("# HELP") }) { out += line + "\n" }
            for line in family.samples.sorted() { out += line + "\n" }
        }
        return out
    }

    /// Writes the file atomically: a temporary file beside it (not `*.prom`, which the collector
    /// would read), flushed, then renamed over the old one.
    public func write(_ figures: RunFigures) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let bytes = Array(render(figures).utf8)
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ReportError.io("--metrics-file \(url.path): cannot write: \(FileProblem.reason(errno))") }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                let reason = FileProblem.reason(errno)
                close(descriptor)
                unlink(temporary.path)
                throw ReportError.io("--metrics-file \(url.path): cannot write: \(reason)")
            }
            written += count
        }
        fsync(descriptor)
        close(descriptor)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = FileProblem.reason(errno)
            unlink(temporary.path)
            throw ReportError.io("--metrics-file \(url.path): cannot rename into place: \(reason)")
        }
    }
}
