import Foundation
import Logging
import RevenueReport

/// Log lines on stderr: `text` for people (`2026-03-15T10:00:00.000Z info message key=value`)
/// or `json`, one object a line, for log collectors.
struct StderrLogHandler: LogHandler {
    let format: RunSettings.LogFormat
    let terminal: Terminal
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = Timestamp.rfc3339(Date())
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        switch format {
        case .text:
            var line = "\(time) \(event.level) \(event.message)"
            for key in merged.keys.sorted() where !["method", "url", "status"].contains(key) {
                line += " \(key)=\(merged[key]!)"
            }
            terminal.writeLine(line)
            LogTail.shared.append(line)
        case .json:
            var members = [JSONMember("time", .string(time)), JSONMember("level", .string(event.level.rawValue)),
                           JSONMember("message", .string(event.message.description))]
            for key in merged.keys.sorted() {
                members.append(JSONMember(key, .string("\(merged[key]!)")))
            }
            let line = JSONValue.object(members).compactText
            terminal.writeLine(line)
            LogTail.shared.append(line)
        }
    }
}
