import Foundation
import Logging
import RevenueReport

/// The run as a monitor sees it (`--metrics-file`, `--ping-url`): a ping when it begins; at the
/// end, however it ends (done, failed, or stopped by SIGINT/SIGTERM), the metrics file and the
/// closing ping with the last log lines. Neither ever changes the exit code or an output: a
/// failure is one warning line, which never shows the ping URL.
final class RunMonitor: @unchecked Sendable {
    static let shared = RunMonitor()

    private let lock = NSLock()
    private var metrics: MetricsFile?
    private var ping: HealthcheckPing?
    private var logger: Logger?
    private var startedAt = Date()
    private var tally: RequestTally?
    private var report: ReportFigures?
    private var finished = false
    /// The `start` ping, sent beside the run: a slow or dead monitor never delays reading.
    private var startPing: Task<Void, Never>?

    /// Starts watching the run (real clock, not `--now`: this is when it happened) and sends the
    /// `start` ping without waiting for it.
    func begin(_ settings: RunSettings, logger: Logger) {
        let ping = settings.pingURL.map { HealthcheckPing(url: $0) }
        let startPing = ping.map { ping in
            Task.detached {
                if let problem = await ping.start() { logger.warning("\(problem)") }
            }
        }
        lock.withLock {
            metrics = settings.metricsFile.map(MetricsFile.init)
            self.ping = ping
            self.logger = logger
            self.startPing = startPing
            startedAt = Date()
        }
    }

    /// The API source's request counts, for the metrics.
    func watch(_ tally: RequestTally) { lock.withLock { self.tally = tally } }

    /// The finished report's figures.
    func record(_ figures: ReportFigures) { lock.withLock { report = figures } }

    /// Writes the metrics and sends the closing ping, once.
    func finish(exitCode: Int32) async {
        guard let (metrics, ping, logger, figures, startPing) = takeFinal(exitCode: exitCode) else { return }
        if let metrics {
            do { try metrics.write(figures) } catch { logger?.warning("\(error)") }
        }
        // The monitor sees `start` before the exit code (a `start` still in flight finishes first).
        await startPing?.value
        if let ping, let problem = await ping.finish(exitCode: exitCode, log: LogTail.shared.text) {
            logger?.warning("\(problem)")
        }
    }

    /// The same from a signal handler, which cannot await: waits for it on this thread.
    func finishBlocking(exitCode: Int32) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await self.finish(exitCode: exitCode)
            done.signal()
        }
        // The pings' own bound (start still in flight, then the end: 2 tries of 10 s each) plus a
        // margin; never hang a stopping run.
        _ = done.wait(timeout: .now() + 45)
    }

    private func takeFinal(exitCode: Int32) -> (MetricsFile?, HealthcheckPing?, Logger?, RunFigures, Task<Void, Never>?)? {
        lock.withLock {
            guard !finished, metrics != nil || ping != nil else { return nil }
            finished = true
            let now = Date()
            let figures = RunFigures(finishedAt: now, durationSeconds: now.timeIntervalSince(startedAt), exitCode: exitCode,
                                     report: exitCode == 0 || exitCode == 3 ? report : nil,
                                     requests: tally.map { ($0.requests, $0.retries) })
            return (metrics, ping, logger, figures, startPing)
        }
    }
}

/// The run's last log lines (at most `HealthcheckPing.maxBodyBytes`), for the closing ping.
final class LogTail: @unchecked Sendable {
    static let shared = LogTail()
    private let lock = NSLock()
    private var lines: [String] = []
    private var bytes = 0

    func append(_ line: String) {
        lock.withLock {
            lines.append(line)
            bytes += line.utf8.count + 1
            while bytes > HealthcheckPing.maxBodyBytes, !lines.isEmpty {
                bytes -= lines.removeFirst().utf8.count + 1
            }
        }
    }

    var text: String { lock.withLock { lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n") } }
}
