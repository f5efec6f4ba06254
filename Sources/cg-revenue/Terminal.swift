import Foundation
import RevenueReport

/// Standard error, shared by the log lines and the progress line so they never garble each
/// other: a log line first clears the progress line, which is then drawn again.
final class Terminal: @unchecked Sendable {
    static let standardError = Terminal()

    private let lock = NSLock()
    private var progressLine: String?

    /// A redrawn progress line only when stderr is a terminal and plain output was not asked for.
    static func allowsProgress(environment: [String: String], quiet: Bool) -> Bool {
        isatty(STDERR_FILENO) == 1 && !quiet && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    func writeLine(_ line: String) {
        lock.withLock {
            var out = ""
            if progressLine != nil { out += "\r\u{1B}[K" }
            out += line + "\n"
            if let progressLine { out += progressLine }
            write(out)
        }
    }

    func showProgress(_ line: String) {
        lock.withLock {
            progressLine = line
            write("\r\u{1B}[K" + line)
        }
    }

    func clearProgress() {
        lock.withLock {
            guard progressLine != nil else { return }
            progressLine = nil
            write("\r\u{1B}[K")
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// `pages 12 · records 12,000 · 3.4 s`, redrawn as pages arrive.
final class TerminalProgress: ProgressObserver, @unchecked Sendable {
    private let terminal: Terminal
    private let started = Date()

    init(terminal: Terminal) {
        self.terminal = terminal
    }

    func update(pages: Int, records: Int) {
        let elapsed = String(format: "%.1f", Date().timeIntervalSince(started))
        terminal.showProgress("pages \(pages) · records \(records) · \(elapsed) s")
    }

    func finish() {
        terminal.clearProgress()
    }
}

/// `upload 3301 (revenue.csv): Processing, waited 14 s`, redrawn after each ask while `--wait` waits.
final class UploadWaitLine: @unchecked Sendable {
    private let terminal: Terminal

    init(terminal: Terminal) {
        self.terminal = terminal
    }

    func show(_ progress: UploadWatcher.Progress) {
        let seconds = Int(progress.waited.components.seconds)
        terminal.showProgress("upload \(progress.id) (\(progress.name)): \(progress.status ?? "no status yet"), waited \(seconds) s")
    }

    func clear() {
        terminal.clearProgress()
    }
}
